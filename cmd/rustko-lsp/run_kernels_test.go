package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

// noImageTree is the pinned tree under another release, one Debian has no
// image package for (a self-built kernel's headers, say): its files are
// links to the pinned tree's but for include/generated/utsrelease.h.
func noImageTree(t *testing.T) (dir, release string) {
	t.Helper()
	src := testkernel.Dir(t)
	release = releaseOf(t, src) + "-rustko-noimage"
	dir = filepath.Join(t.TempDir(), "linux-headers-"+release)
	var mirror func(from, to string)
	mirror = func(from, to string) {
		if err := os.MkdirAll(to, 0o755); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(from)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			rel, _ := filepath.Rel(src, filepath.Join(from, e.Name()))
			switch rel {
			case "include", filepath.Join("include", "generated"):
				mirror(filepath.Join(from, e.Name()), filepath.Join(to, e.Name()))
			case filepath.Join("include", "generated", "utsrelease.h"):
				text := fmt.Sprintf("#define UTS_RELEASE %q\n", release)
				if err := os.WriteFile(filepath.Join(to, e.Name()), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			default:
				if err := os.Symlink(filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	mirror(src, dir)
	if got := releaseOf(t, dir); got != release {
		t.Fatalf("the copied tree's release is %q, want %q", got, release)
	}
	return dir, release
}

// kernelSections splits run --kernels' text output at its "== kernel"
// headers: each section's header line, then its other lines.
func kernelSections(stdout string) (heads []string, bodies [][]string) {
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		if strings.HasPrefix(line, "== kernel ") {
			heads = append(heads, line)
			bodies = append(bodies, nil)
		} else if len(bodies) > 0 {
			bodies[len(bodies)-1] = append(bodies[len(bodies)-1], line)
		}
	}
	return heads, bodies
}

// TestRunKernels: run --kernels on 6.1, 6.12 and a tree without an image
// builds and boots the module on the first two, each kernel's findings
// and log lines under its own header, and reports the third as not run,
// unbuilt: the exit status is 2, the worst over the kernels.
func TestRunKernels(t *testing.T) {
	k61, k612 := matrixTrees(t)
	r61, r612 := releaseOf(t, k61), releaseOf(t, k612)
	noimg, rno := noImageTree(t)
	dir := checkModuleDir(t, "run-crash-kernels", moduleFiles(t, "crash"))
	code, stdout, stderr, err := runFor(t, runOptions{dir: dir, kernels: k61 + "," + k612 + "," + noimg,
		params: listFlag{"how=0"}, expect: listFlag{"crash: exit"}})
	if err != nil || code != exitTool {
		t.Fatalf("run --kernels: exit %d (%v), want 2\n%s\n%s", code, err, stdout, stderr)
	}
	heads, bodies := kernelSections(stdout)
	if len(heads) != 3 {
		t.Fatalf("%d kernel sections, want 3:\n%s\n%s", len(heads), stdout, stderr)
	}
	for i, r := range []string{r61, r612} {
		tree := []string{k61, k612}[i]
		// The build's warnings (an old rustc's codegen-unsupported) may
		// come before the log lines; no error may.
		head := regexp.MustCompile(`^== kernel ` + regexp.QuoteMeta(r+" ("+tree+"): ") + `(no findings|\d+ warnings?); built ` +
			regexp.QuoteMeta(filepath.Join("build", r, "crash.ko")) + `$`)
		if !head.MatchString(heads[i]) {
			t.Errorf("header %q, want %s", heads[i], head)
		}
		body := bodies[i]
		// The kernel may print its own lines between the module's (a slow
		// TCG boot on a loaded machine: the clocksource watchdog); the
		// module's must come last and in order.
		var mod []string
		for _, l := range body {
			if strings.Contains(l, "crash") {
				mod = append(mod, l)
			}
		}
		if len(mod) < 3 || strings.Join(mod[len(mod)-3:], "\n") != "crash: init how=0\ncrash from rust\ncrash: exit" {
			t.Errorf("%s's section:\n%s\nwant it to end with the module's three log lines", r, strings.Join(body, "\n"))
		}
		if strings.Contains(strings.Join(body, "\n"), ": error:") {
			t.Errorf("%s's section has an error:\n%s", r, strings.Join(body, "\n"))
		}
		if !strings.Contains(stderr, "["+r+"] rustko: PASS: crash loaded and unloaded on "+r+" (tcg,") {
			t.Errorf("no PASS for %s:\n%s", r, stderr)
		}
	}
	if !strings.HasPrefix(heads[2], "== kernel "+rno+" ("+noimg+"): not checked: cannot run the VM: ") ||
		!strings.Contains(heads[2]+strings.Join(bodies[2], "\n"), "linux-image-"+rno+"-unsigned") {
		t.Errorf("the kernel without an image is not reported as such:\n%s\n%s", heads[2], strings.Join(bodies[2], "\n"))
	}
	if !strings.Contains(stderr, "rustko: "+rno+": could not run crash: cannot run the VM") {
		t.Errorf("stderr does not say the kernel without an image was not run:\n%s", stderr)
	}
	// Its image is looked for first: nothing is built for it.
	if _, err := os.Stat(filepath.Join(dir, "build", rno)); !os.IsNotExist(err) {
		t.Errorf("the module was built for the kernel without an image (%v)", err)
	}
}

// TestRunKernelsOops: the Rust null write oopses on 6.1 and on 6.12: exit
// 1, and in JSON each kernel's first error is on the module's own
// src/lib.rs line (not its copy in the kernel's stage), named by kernel;
// the log lines, progress in JSON, are on stderr marked with their kernel.
func TestRunKernelsOops(t *testing.T) {
	k61, k612 := matrixTrees(t)
	r61, r612 := releaseOf(t, k61), releaseOf(t, k612)
	dir := checkModuleDir(t, "run-crash-kernels", moduleFiles(t, "crash"))
	code, stdout, stderr, err := runFor(t, runOptions{dir: dir, kernels: k61 + "," + k612, params: listFlag{"how=1"}, format: "json"})
	if err != nil || code != exitFindings {
		t.Fatalf("run --kernels: exit %d (%v), want 1\n%s\n%s", code, err, stdout, stderr)
	}
	var doc kernelsDoc
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	line := lineOf(t, filepath.Join(dir, "src", "lib.rs"), "RUST-NULL-WRITE")
	for i, r := range []string{r61, r612} {
		if len(doc.Kernels) != 2 || doc.Kernels[i].Release != r || doc.Kernels[i].Error != "" || doc.Kernels[i].Errors != 1 {
			t.Fatalf("kernels %+v: want %s and %s with one error each", doc.Kernels, r61, r612)
		}
		var first *struct {
			File, Severity, Code, Source, Message, Kernel string
			Line, Column                                  int
		}
		for j, d := range doc.Diagnostics {
			if d.Kernel == r && d.Severity == "error" {
				first = &doc.Diagnostics[j]
				break
			}
		}
		if first == nil || first.File != "src/lib.rs" || first.Line != line || first.Code != "module-oops" ||
			!strings.Contains(first.Message, "NULL pointer dereference") {
			t.Errorf("%s's first error %+v, want module-oops at src/lib.rs:%d", r, first, line)
		}
		for _, w := range []string{"[" + r + "] crash: init how=1\n", "[" + r + "] rustko: decoded: BUG: kernel NULL pointer dereference",
			"[" + r + "]       inlined into src/lib.rs:" + fmt.Sprint(line) + "\n"} {
			if !strings.Contains(stderr, w) {
				t.Errorf("stderr lacks %q:\n%s", w, stderr)
			}
		}
	}
}

// TestRunKernelsNoImage: a kernel that cannot be booted is a kernel of its
// own in JSON and SARIF too (its error, a tool-error diagnostic, a failed
// SARIF invocation), exit 2; and what --kernels cannot mean is refused.
func TestRunKernelsNoImage(t *testing.T) {
	// No image in an empty cache, and none to download for the release.
	t.Setenv("RUSTKO_E2E_CACHE", t.TempDir())
	noimg, rno := noImageTree(t)
	dir := checkModuleDir(t, "run-crash-kernels", moduleFiles(t, "crash"))

	code, stdout, stderr, err := runFor(t, runOptions{dir: dir, kernels: noimg, format: "json"})
	if err != nil || code != exitTool {
		t.Fatalf("run --kernels --format json: exit %d (%v), want 2\n%s\n%s", code, err, stdout, stderr)
	}
	var doc kernelsDoc
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if len(doc.Kernels) != 1 || doc.Kernels[0].Release != rno || doc.Kernels[0].Dir != noimg ||
		!strings.Contains(doc.Kernels[0].Error, "cannot run the VM") || !strings.Contains(doc.Kernels[0].Error, "linux-image-"+rno+"-unsigned") ||
		len(doc.Diagnostics) != 1 || doc.Diagnostics[0].Code != "tool-error" || doc.Diagnostics[0].Kernel != rno {
		t.Errorf("kernels %+v, diagnostics %+v", doc.Kernels, doc.Diagnostics)
	}

	code, stdout, stderr, err = runFor(t, runOptions{dir: dir, kernels: noimg, format: "sarif"})
	var sarif struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Invocations       []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err != nil || code != exitTool || json.Unmarshal([]byte(stdout), &sarif) != nil || len(sarif.Runs) != 1 ||
		sarif.Runs[0].AutomationDetails.ID != "rustko-lsp/kernel/"+rno+"/" ||
		len(sarif.Runs[0].Invocations) != 1 || sarif.Runs[0].Invocations[0].ExecutionSuccessful {
		t.Errorf("SARIF: exit %d (%v)\n%s\n%s", code, err, stdout, stderr)
	}

	ko := filepath.Join(dir, "crash.ko")
	for _, tc := range []struct {
		name string
		o    runOptions
		want string
	}{
		{"kdir", runOptions{dir: dir, kernels: noimg, kdir: noimg}, "--kdir and --kernels exclude each other"},
		{"image", runOptions{dir: dir, kernels: noimg, image: ko}, "--image names one kernel's image"},
		{"log", runOptions{dir: dir, kernels: noimg, log: filepath.Join(t.TempDir(), "serial.log")}, "use --keep"},
		{"ko", runOptions{dir: filepath.Join(dir, "Makefile"), kernels: noimg}, "name its folder, not a file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, _, err := runFor(t, tc.o)
			if code != exitTool || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("exit %d, error %v; want 2 with %q", code, err, tc.want)
			}
		})
	}
}
