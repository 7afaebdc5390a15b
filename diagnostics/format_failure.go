package diagnostics

import "io"

// SourceTool marks what rustko-lsp itself reports about its own run.
const SourceTool = "rustko-lsp"

// toolError is the diagnostic standing for a run that failed: no file, no
// position, the error as the message. Its code, tool-error, lets CI tooling
// that parses stdout tell "clean" from "not checked".
func toolError(msg string) jsonDiagnostic {
	return jsonDiagnostic{Severity: Error.String(), Code: CodeToolError, Source: SourceTool, Message: msg}
}

// WriteJSONFailure is WriteJSON for a check that could not run: the same
// document, holding one diagnostic with code tool-error and the error as
// its message. With kernels set it is the shape WriteJSONKernels writes
// (an empty "kernels" list), for `check --kernels` failing before any
// kernel was tried.
func WriteJSONFailure(w io.Writer, msg string, kernels bool) error {
	var out any = struct {
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
	}{[]jsonDiagnostic{toolError(msg)}}
	if kernels {
		out = struct {
			Kernels     []jsonKernel           `json:"kernels"`
			Diagnostics []jsonKernelDiagnostic `json:"diagnostics"`
		}{[]jsonKernel{}, []jsonKernelDiagnostic{{jsonDiagnostic: toolError(msg)}}}
	}
	return encodeIndented(w, out, "JSON diagnostics")
}

// WriteSARIFFailure is WriteSARIF for a check that could not run: one run
// with no results and an invocation that failed, the error as its
// notification (what SARIF consumers read to tell a failed analysis from a
// clean one).
func WriteSARIFFailure(w io.Writer, msg, root, toolVersion string) error {
	sw := newSARIFWriter(root)
	run := sarifRunOf(sw, nil, toolVersion)
	run.Invocations = []sarifInvocation{failedInvocation(msg)}
	return encodeSARIF(w, run)
}

func failedInvocation(msg string) sarifInvocation {
	return sarifInvocation{
		ExecutionSuccessful: false,
		Notifications: []sarifNotification{{
			Level: "error", Message: sarifMessage{msg},
			Descriptor: &sarifDescriptorRef{ID: CodeToolError},
		}},
	}
}
