package diagnostics

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// KernelRun is one kernel's part of a check over several kernel trees
// (`rustko-lsp check --kernels`): the same module, analysed (and built)
// against each tree, reported per tree.
type KernelRun struct {
	// Release names the kernel (6.1.0-57-amd64); "" when the tree could not
	// even be read, and Dir then names it.
	Release string
	Dir     string // the kernel build tree
	// Findings are this kernel's; meaningless when Err is set.
	Findings []Finding
	// Err says why the check could not run against this kernel (headers
	// that do not parse, a tree that is not configured); "" when it ran.
	Err string
	// Artifact is what was built for this kernel (its .ko), "" when
	// nothing was.
	Artifact string
}

// Label is how people see the run: the release, or the tree when the
// release is unknown.
func (r KernelRun) Label() string {
	if r.Release != "" {
		return r.Release
	}
	return r.Dir
}

// status is the header's verdict for the run.
func (r KernelRun) status(root string) string {
	if r.Err != "" {
		return "not checked: " + r.Err
	}
	s := Summary(r.Findings)
	if s == "" {
		s = "no findings"
	}
	if r.Artifact != "" {
		s += "; built " + relPath(root, r.Artifact)
	}
	return s
}

// WriteTextKernels prints each kernel's findings as WriteText does, under a
// header line per kernel, in the order given:
//
//	== kernel 6.1.0-57-amd64 (/usr/src/linux-headers-6.1.0-57-amd64): 1 error
//	src/lib.rs:12:5: error: message [code]
//	...
//	== kernel 6.12.118+deb12-amd64 (/usr/src/...): not checked: why
//
// The header has no "file:line:col:" so compiler-output matchers skip it.
func WriteTextKernels(w io.Writer, runs []KernelRun, opt TextOptions) error {
	tw := newTextWriter(opt)
	bw := bufio.NewWriter(w)
	for _, r := range runs {
		where := ""
		if r.Release != "" && r.Dir != "" {
			where = " (" + r.Dir + ")"
		}
		first, rest, _ := strings.Cut(strings.TrimRight(r.status(opt.Root), "\n"), "\n")
		head := fmt.Sprintf("== kernel %s%s: %s", r.Label(), where, first)
		fmt.Fprintln(bw, tw.paint(ansiBold, head))
		if rest != "" {
			fmt.Fprintf(bw, "    %s\n", indent(rest))
		}
		if r.Err != "" {
			continue
		}
		for _, f := range sorted(r.Findings, opt.Root) {
			tw.finding(bw, f)
		}
	}
	return bw.Flush()
}

// jsonKernel is one entry of the "kernels" list of `check --kernels
// --format json`: which trees were checked and how each went. Like
// jsonDiagnostic, a documented interface: add fields, never rename them.
type jsonKernel struct {
	Release  string `json:"release"`
	Dir      string `json:"dir"`
	Errors   int    `json:"errors"`
	Warnings int    `json:"warnings"`
	// Error is why the kernel could not be checked.
	Error    string `json:"error,omitempty"`
	Artifact string `json:"artifact,omitempty"`
}

// jsonKernelDiagnostic is a jsonDiagnostic with the release it was found
// against.
type jsonKernelDiagnostic struct {
	jsonDiagnostic
	Kernel string `json:"kernel"`
}

// WriteJSONKernels writes {"kernels":[...],"diagnostics":[...]}: the trees in
// the order given, then every kernel's diagnostics (each as WriteJSON writes
// it plus "kernel", the release), kernel by kernel, each kernel's sorted as
// WriteJSON sorts them. Empty lists are [].
func WriteJSONKernels(w io.Writer, runs []KernelRun, root string) error {
	out := struct {
		Kernels     []jsonKernel           `json:"kernels"`
		Diagnostics []jsonKernelDiagnostic `json:"diagnostics"`
	}{Kernels: []jsonKernel{}, Diagnostics: []jsonKernelDiagnostic{}}
	for _, r := range runs {
		k := jsonKernel{Release: r.Release, Dir: r.Dir, Error: r.Err, Artifact: relPath(root, r.Artifact)}
		if r.Err == "" {
			for _, f := range r.Findings {
				switch f.Severity {
				case Error:
					k.Errors++
				case Warning:
					k.Warnings++
				}
			}
			for _, f := range sorted(r.Findings, root) {
				out.Diagnostics = append(out.Diagnostics, jsonKernelDiagnostic{jsonDiagnostic: toJSONDiagnostic(f, root), Kernel: r.Label()})
			}
		} else {
			// The exit code is 2: the error is a diagnostic too, so a
			// script reading only "diagnostics" cannot take the kernel
			// for clean (WriteJSONFailure's tool-error).
			out.Diagnostics = append(out.Diagnostics, jsonKernelDiagnostic{jsonDiagnostic: toolError(r.Err), Kernel: r.Label()})
		}
		out.Kernels = append(out.Kernels, k)
	}
	return encodeIndented(w, out, "JSON diagnostics")
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string       `json:"level"`
	Message sarifMessage `json:"message"`
	// Descriptor names the notification's kind: tool-error for a run that
	// could not check.
	Descriptor *sarifDescriptorRef `json:"descriptor,omitempty"`
}

type sarifDescriptorRef struct {
	ID string `json:"id"`
}

// WriteSARIFKernels writes one SARIF run per kernel, in the order given. Each
// run carries its release in automationDetails.id
// ("rustko-lsp/kernel/<release>/", a category of its own for code-scanning
// services, which reject two runs of one tool in the same category) and in
// its properties; a kernel that could not be checked is a run whose
// invocation failed, with the reason as its notification.
func WriteSARIFKernels(w io.Writer, runs []KernelRun, root, toolVersion string) error {
	sw := newSARIFWriter(root)
	out := []sarifRun{}
	for _, r := range runs {
		fs, inv := r.Findings, sarifInvocation{ExecutionSuccessful: true}
		if r.Err != "" {
			fs, inv = nil, failedInvocation(r.Err) // the findings mean nothing then
		}
		run := sarifRunOf(sw, fs, toolVersion)
		run.AutomationDetails = &sarifAutomation{ID: "rustko-lsp/kernel/" + r.Label() + "/"}
		run.Invocations = []sarifInvocation{inv}
		run.Properties = map[string]string{"kernel": r.Release, "kernelDir": r.Dir}
		out = append(out, run)
	}
	return encodeSARIF(w, out...)
}
