package server

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// The acceptance tests below run the real backend (module, bindings, build,
// rustsrc, targets) on a copy of testdata/hello against the installed
// Debian kernel headers: what a user's editor gets.

// realTimeout bounds the first bindings generation of a test run (about
// 15 s alone, longer on a busy machine); later ones come from the cache.
const realTimeout = 4 * time.Minute

func requireRealTools(t testing.TB) {
	t.Helper()
	for tool, pkg := range map[string]string{"make": "make", "gcc": "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: apt-get install %s (or run `make test`, which installs it)", tool, pkg)
		}
	}
	if m, _ := filepath.Glob("/usr/src/linux-headers-*/Module.symvers"); len(m) == 0 {
		t.Fatal("no kernel headers with Module.symvers under /usr/src: apt-get install linux-headers-amd64 (or run `make test`)")
	}
}

// copyModule copies testdata/hello to a temp folder, with lib.rs replaced
// when lib is not empty.
func copyModule(t testing.TB, lib string) string {
	t.Helper()
	dst, err := filepath.EvalSymlinks(t.TempDir())
	must(t, err)
	dst = filepath.Join(dst, "hello")
	err = filepath.WalkDir("testdata/hello", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/hello", p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	must(t, err)
	if lib != "" {
		must(t, os.WriteFile(filepath.Join(dst, "src", "lib.rs"), []byte(lib), 0o644))
	}
	return dst
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// rustkoBinary builds cmd/rustko-lsp once per test run: kbuild's rule calls
// it back in host mode, and the Neovim test starts it as a server.
func rustkoBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rustko-lsp-test-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "rustko-lsp")
		cmd := exec.Command("go", "build", "-o", binPath, "../cmd/rustko-lsp")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			binErr = &buildError{err: err, out: out.String()}
		}
	})
	if binErr != nil {
		t.Fatalf("building rustko-lsp: %v", binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

func startReal(t *testing.T, root string, initOptions string) *harness {
	t.Helper()
	requireRealTools(t)
	logs := &syncBuffer{}
	opts := testOptions(nil, logs)
	opts.Backend = NewBackend(BackendOptions{Version: "test", Logger: opts.Logger, Rustko: rustkoBinary(t)})
	h := startWith(t, opts, logs)
	yes := true
	p := withFolders(&protocol.InitializeParams{}, root)
	p.Capabilities = protocol.ClientCapabilities{
		TextDocument: &protocol.TextDocumentClientCapabilities{
			Hover:              &protocol.HoverClientCapabilities{ContentFormat: []protocol.MarkupKind{protocol.MarkupKindMarkdown}},
			PublishDiagnostics: &protocol.PublishDiagnosticsClientCapabilities{DiagnosticsCapabilities: protocol.DiagnosticsCapabilities{RelatedInformation: &yes}},
		},
		Window: &protocol.WindowClientCapabilities{WorkDoneProgress: &yes},
	}
	if initOptions != "" {
		p.InitializationOptions = protocol.LSPAny(initOptions)
	}
	h.initialize(t, p)
	return h
}

func (h *harness) hoverAt(t testing.TB, path, src, at string) *protocol.Hover {
	t.Helper()
	off := strings.Index(src, at)
	if off < 0 {
		t.Fatalf("%q not in %s", at, path)
	}
	pos := newText(src).position(off, utf16)
	hv, err := h.server.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(path)}, Position: pos}})
	must(t, err)
	return hv
}

func hoverValue(hv *protocol.Hover) string {
	if hv == nil {
		return ""
	}
	if mc, ok := hv.Contents.(*protocol.MarkupContent); ok {
		return mc.Value
	}
	return ""
}

func TestRealHoverAndDefinition(t *testing.T) {
	root := copyModule(t, "")
	h := startReal(t, root, "")
	lib := filepath.Join(root, "src", "lib.rs")
	srcB, err := os.ReadFile(lib)
	must(t, err)
	src := string(srcB)
	h.open(t, lib, src)

	var hv *protocol.Hover
	h.waitFor(t, realTimeout, "the index (bindings of the 6 default headers)", func() bool {
		hv = h.hoverAt(t, lib, src, "file_operations {")
		return hv != nil
	})
	// The editors' status bars show the kernel each module builds against.
	h.waitFor(t, realTimeout, "rustko/status with the kernel release", func() bool {
		st, ok := h.rec.lastStatus()
		return ok && st.Root == root && st.KernelRelease != ""
	})
	if st, _ := h.rec.lastStatus(); !strings.Contains(st.KernelRelease, "-") || st.KernelError != "" {
		t.Errorf("rustko/status = %+v, want a Debian release such as 6.1.0-NN-amd64 and no error", st)
	}
	got := hoverValue(hv)
	for _, want := range []string{"**struct file_operations** (kernel C)", "size 280 bytes, align 8", "include/linux/fs.h:", "```rust\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("hover on file_operations lacks %q:\n%s", want, got)
		}
	}

	// Definition lands on the declaration in the real header.
	off := strings.Index(src, "file_operations {")
	def, err := h.server.Definition(h.ctx, &protocol.DefinitionParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(lib)}, Position: newText(src).position(off, utf16)}})
	must(t, err)
	loc, ok := def.(*protocol.Location)
	if !ok {
		t.Fatalf("definition = %#v, want a location", def)
	}
	_, hdr := uriKey(loc.URI)
	if !strings.HasSuffix(hdr, "/include/linux/fs.h") {
		t.Fatalf("definition in %s, want include/linux/fs.h", hdr)
	}
	hb, err := os.ReadFile(hdr)
	must(t, err)
	if line := newText(string(hb)).line(int(loc.Range.Start.Line)); !strings.Contains(line, "struct file_operations") {
		t.Errorf("definition line %d of fs.h is %q, want the struct file_operations declaration", loc.Range.Start.Line+1, line)
	}

	tests := []struct{ at, want string }{
		{"GFP_KERNEL;", "value 0xcc0"},
		{"GFP_KERNEL;", "(C type gfp_t)"},
		{"read: None", "offset 16 bytes"},
		{"_printk(", "function _printk"},
	}
	for _, tc := range tests {
		if got := hoverValue(h.hoverAt(t, lib, src, tc.at)); !strings.Contains(got, tc.want) {
			t.Errorf("hover on %q lacks %q:\n%s", tc.at, tc.want, got)
		}
	}

	// The generated bindings file answers too.
	gen := filepath.Join(root, "src", "bindings.rs")
	gb, err := os.ReadFile(gen)
	must(t, err)
	gsrc := string(gb)
	h.open(t, gen, gsrc)
	if got := hoverValue(h.hoverAt(t, gen, gsrc, "file_operations {")); !strings.Contains(got, "size 280 bytes, align 8") {
		t.Errorf("hover in bindings.rs:\n%s", got)
	}
	goff := strings.Index(gsrc, "pub struct file_operations {") + len("pub struct ")
	gdef, err := h.server.Definition(h.ctx, &protocol.DefinitionParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(gen)}, Position: newText(gsrc).position(goff, utf16)}})
	must(t, err)
	if gl, ok := gdef.(*protocol.Location); !ok || gl.URI != loc.URI || gl.Range != loc.Range {
		t.Errorf("definition from bindings.rs = %#v, want %+v", gdef, loc)
	}

	// rustko.showBinding finds the generated item.
	res, err := h.server.ExecuteCommand(h.ctx, &protocol.ExecuteCommandParams{Command: cmdShowBinding, Arguments: []protocol.LSPAny{protocol.LSPAny(`"file_operations"`)}})
	must(t, err)
	var b binding
	must(t, protocol.Unmarshal(res, &b))
	if b.At == nil || !strings.HasSuffix(string(b.At.URI), "/src/bindings.rs") || !strings.Contains(b.Text, "pub struct file_operations") {
		t.Errorf("showBinding = %+v", b)
	} else if line := newText(gsrc).line(int(b.At.Range.Start.Line)); !strings.Contains(line, "pub struct file_operations") {
		t.Errorf("showBinding points at line %q", line)
	}
	h.shutdown(t)
}

// rustko's own findings on the real headers, and their quick fixes really
// editing config.mk and the buffer until nothing is left.
func TestRealFindingsAndQuickFixes(t *testing.T) {
	const lib = `#![no_std]
mod bindings;

#[no_mangle]
pub extern "C" fn rust_main() {
    unsafe {
        let a = bindings::kmalloc(core::mem::size_of::<u64>(), bindings::GFP_KERNEL);
        let b = bindings::__kmalloc(core::mem::size_of::<u64>(), 0xcc0);
        bindings::kfree(a as *const _);
        bindings::kfree(b as *const _);
    }
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}
`
	root := copyModule(t, lib)
	h := startReal(t, root, `{"buildOnSave": false}`)
	path := filepath.Join(root, "src", "lib.rs")
	h.open(t, path, lib)
	codes := func() map[string]protocol.Diagnostic {
		d, _ := h.rec.diagsOf(path)
		m := map[string]protocol.Diagnostic{}
		for _, x := range d {
			if c, ok := x.Code.(protocol.String); ok {
				m[string(c)] = x
			}
		}
		return m
	}
	h.waitFor(t, realTimeout, "inline-function and hard-coded-constant findings", func() bool {
		c := codes()
		_, a := c["inline-function"]
		_, b := c["hard-coded-constant"]
		return a && b
	})

	action := func(d protocol.Diagnostic, title string) *protocol.CodeAction {
		t.Helper()
		acts, err := h.server.CodeAction(h.ctx, &protocol.CodeActionParams{
			TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(path)},
			Range:        d.Range, Context: protocol.CodeActionContext{Diagnostics: []protocol.Diagnostic{d}},
		})
		must(t, err)
		var titles []string
		for _, a := range acts {
			if ca, ok := a.(*protocol.CodeAction); ok {
				titles = append(titles, ca.Title)
				if strings.Contains(ca.Title, title) {
					return ca
				}
			}
		}
		t.Fatalf("no action %q for %q; got %q", title, messageOf(d), titles)
		return nil
	}

	// 1. Replace the number with the macro: an edit of the buffer itself.
	fix := action(codes()["hard-coded-constant"], "GFP_KERNEL")
	edits := fix.Edit.Changes[uri.File(path)]
	if len(edits) != 1 {
		t.Fatalf("edits %+v, want one in lib.rs", fix.Edit)
	}
	body := newText(lib)
	a, z := body.offset(edits[0].Range.Start, utf16), body.offset(edits[0].Range.End, utf16)
	fixed := lib[:a] + edits[0].NewText + lib[z:]
	if !strings.Contains(fixed, "size_of::<u64>(), bindings::GFP_KERNEL)") {
		t.Errorf("after the fix: %s", fixed)
	}
	h.changeAll(t, path, 2, fixed)
	must(t, os.WriteFile(path, []byte(fixed), 0o644))
	h.waitFor(t, 10*time.Second, "the hard-coded-constant finding to go", func() bool {
		_, still := codes()["hard-coded-constant"]
		return !still
	})

	// 2. Add kmalloc to KERNEL_HELPERS: an edit of config.mk, not open.
	fix = action(codes()["inline-function"], "KERNEL_HELPERS")
	applyEdit(t, fix.Edit, utf16)
	cfg, err := os.ReadFile(filepath.Join(root, "config.mk"))
	must(t, err)
	if !strings.Contains(string(cfg), "KERNEL_HELPERS") || !strings.Contains(string(cfg), "kmalloc") {
		t.Fatalf("config.mk after the fix:\n%s", cfg)
	}
	must(t, h.server.DidChangeWatchedFiles(h.ctx, &protocol.DidChangeWatchedFilesParams{Changes: []protocol.FileEvent{{
		URI: uri.File(filepath.Join(root, "config.mk")), Type: protocol.FileChangeTypeChanged,
	}}}))
	h.waitFor(t, realTimeout, "lib.rs to be clear once kmalloc has a helper", func() bool {
		d, seen := h.rec.diagsOf(path)
		return seen && len(d) == 0
	})
	h.shutdown(t)
}

// A save builds the module with the real toolchain and kbuild; rustc's
// error lands on its line, the fixed file clears it.
func TestRealBuildOnSave(t *testing.T) {
	root := copyModule(t, "")
	h := startReal(t, root, "")
	path := filepath.Join(root, "src", "lib.rs")
	good, err := os.ReadFile(path)
	must(t, err)
	bad := strings.Replace(string(good), "let _ = (flags, fops());", "let _ = (flags, fops());\n    let n: u32 = \"not a number\";", 1)
	must(t, os.WriteFile(path, []byte(bad), 0o644))
	h.open(t, path, bad)
	h.save(t, path)
	wantLine := newText(bad).position(strings.Index(bad, `"not a number"`), utf16).Line
	h.waitFor(t, realTimeout, "rustc's type error", func() bool {
		d, _ := h.rec.diagsOf(path)
		for _, x := range d {
			if x.Source == protocol.NewOptional("rustc") && x.Range.Start.Line == wantLine {
				return true
			}
		}
		return false
	})
	must(t, os.WriteFile(path, good, 0o644))
	h.changeAll(t, path, 2, string(good))
	h.save(t, path)
	// The edit alone already drops the build's error (its text changed):
	// wait for the second build to end, then nothing may be left.
	h.waitFor(t, realTimeout, "the fixed build to end", func() bool {
		h.rec.mu.Lock()
		defer h.rec.mu.Unlock()
		builds, ends := 0, 0
		for _, p := range h.rec.progress {
			if strings.HasPrefix(p, "begin: rustko: building") {
				builds++
			} else if builds > 0 && strings.HasPrefix(p, "end: ") {
				ends++
			}
		}
		return builds >= 2 && ends >= 2
	})
	h.waitFor(t, realTimeout, "the error to clear after the fixed build", func() bool {
		d, seen := h.rec.diagsOf(path)
		return seen && len(d) == 0
	})
	if _, err := os.Stat(filepath.Join(root, "hello.ko")); err != nil {
		t.Errorf("the clean build left no hello.ko: %v", err)
	}
	h.rec.mu.Lock()
	progress := strings.Join(h.rec.progress, "\n")
	h.rec.mu.Unlock()
	for _, stage := range []string{"begin: rustko: building hello", "report: bindings", "report: rust", "report: kbuild", "end: "} {
		if !strings.Contains(progress, stage) {
			t.Errorf("progress lacks %q:\n%s", stage, progress)
		}
	}
	h.shutdown(t)
}

// A configured kernel tree that does not exist is one error naming it however
// often the module is saved or reloaded; rustko never switches to another
// installed tree the user did not ask for, and the analysis that needs no
// kernel goes on.
func TestRealUnusableKernelDir(t *testing.T) {
	root := copyModule(t, "#![no_std]\nfn f() { let x = 1.5f64; let _ = x; }\n")
	h := startReal(t, root, `{"kernelDir": "/nonexistent/kernel/tree", "buildOnSave": false}`)
	path := filepath.Join(root, "src", "lib.rs")
	h.open(t, path, "#![no_std]\nfn f() { let x = 1.5f64; let _ = x; }\n")
	h.waitFor(t, realTimeout, "the float finding", func() bool {
		d, _ := h.rec.diagsOf(path)
		return len(d) > 0
	})
	for i := range 3 {
		must(t, h.server.DidChangeConfiguration(h.ctx, &protocol.DidChangeConfigurationParams{
			Settings: protocol.LSPAny(`{"kernelDir": "/nonexistent/kernel/tree", "buildOnSave": false, "helpers": ["h` + string(rune('0'+i)) + `"]}`)}))
		time.Sleep(200 * time.Millisecond)
	}
	h.rec.mu.Lock()
	msgs := h.rec.messages
	h.rec.mu.Unlock()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Message, "/nonexistent/kernel/tree") || msgs[0].Type != protocol.MessageTypeError {
		t.Errorf("messages %+v, want one error naming the unusable tree", msgs)
	}
	h.shutdown(t)
}
