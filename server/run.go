package server

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"go.lsp.dev/protocol"

	"github.com/rustko/rustko-lsp/build"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/module"
	"github.com/rustko/rustko-lsp/vm"
)

// cmdRun builds the module and loads it in a throwaway VM, as `rustko-lsp
// run` does.
const cmdRun = "rustko.run"

// bootVM boots a VM; tests substitute a fake (a real boot takes 20 s to
// minutes and needs QEMU and a kernel image).
var bootVM = vm.Boot

// vmRuns holds each session's run scheduler: a new rustko.run supersedes
// (cancels) the one in flight for the same module. Kept here rather than
// in session so the run stays in this file.
var vmRuns = struct {
	mu sync.Mutex
	m  map[*session]*latest
}{m: map[*session]*latest{}}

// executeRun starts rustko.run for the modules args name (all when none)
// and returns at once: the run reports through progress, window/logMessage
// (the module's kernel log lines), a message with the verdict and the
// findings published on the source lines. They stay until the next run or
// build replaces them.
func (s *Server) executeRun(args []string) (protocol.LSPAny, error) {
	sessions, err := s.trustedSessions(cmdRun, args)
	if err != nil {
		return nil, err
	}
	for _, se := range sessions {
		vmRuns.mu.Lock()
		l := vmRuns.m[se]
		if l == nil {
			l = newLatest("run "+se.root, s.ctx, s.goBackground, se.runVM)
			vmRuns.m[se] = l
		}
		vmRuns.mu.Unlock()
		l.trigger(0)
	}
	return marshalAny(map[string]any{"modules": len(sessions)})
}

// runVM builds the module, boots it and publishes what the boot found with
// the build's findings, as one build result (the next build replaces it).
func (se *session) runVM(ctx context.Context, _ uint64) {
	s := se.srv
	se.runMu.Lock()
	defer se.runMu.Unlock()
	name := filepath.Base(se.root)
	if snap := se.current(); snap.proj == nil || se.configChanged() {
		if !se.load(ctx, false) {
			return
		}
	}
	snap := se.current()
	if snap.proj == nil || snap.proj.Kernel == nil {
		s.notify(protocol.MessageTypeError, fmt.Sprintf("rustko-lsp: cannot run %s: no kernel build tree to build it against", se.root))
		return
	}
	m := snap.proj.Module
	if m.Vars.KernelModule != "" {
		name = m.Vars.KernelModule
	}
	prog := s.beginProgress(ctx, "rustko: running "+name+" in a VM")
	logLine := func(t protocol.MessageType, line string) {
		if err := s.client.LogMessage(s.ctx, &protocol.LogMessageParams{Type: t, Message: line}); err != nil {
			s.log.Debug("logMessage failed", "error", err)
		}
	}
	marks := se.markOpenDocs()
	built, err := s.backend.Build(ctx, snap.proj, prog.report)
	if ctx.Err() != nil {
		prog.end("cancelled")
		return
	}
	if err != nil {
		prog.end("build failed")
		s.notify(protocol.MessageTypeError, fmt.Sprintf("rustko-lsp: the build of %s could not run: %v", se.root, err))
		return
	}
	found := built.Findings
	verdict, msgType := "", protocol.MessageTypeInfo
	if diagnostics.HasErrors(built.Findings) {
		verdict, msgType = fmt.Sprintf("rustko: %s did not build: %s", name, diagnostics.Summary(built.Findings)), protocol.MessageTypeError
	} else {
		ko := filepath.Join(m.Root, name+".ko")
		if advice := vm.HostSigning(ctx, "/").Advice(ko); advice != "" {
			logLine(protocol.MessageTypeWarning, "rustko: note: "+advice)
		}
		lw := &lineWriter{emit: func(l string) { logLine(protocol.MessageTypeLog, l); prog.report("vm", l) }}
		res, err := bootVM(ctx, vm.Config{KO: ko, Tree: snap.proj.Kernel.Dir, Accel: os.Getenv("RUSTKO_VM_ACCEL"), Progress: lw})
		lw.flush()
		if ctx.Err() != nil {
			prog.end("cancelled")
			return
		}
		if err != nil {
			prog.end("could not run")
			// A *vm.SetupError says what to install.
			s.notify(protocol.MessageTypeError, fmt.Sprintf("rustko-lsp: cannot run the VM for %s: %v", name, err))
			return
		}
		b := vm.Judge(res, ko, nil, m.CrateFile(), lw)
		b.Findings = build.PlaceUnknownSymbols(b.Findings, func() *module.Module { return m }, snap.proj.Kernel.Dir)
		lw.flush()
		if b.Console {
			logLine(protocol.MessageTypeLog, "rustko: last lines of the VM's console:")
		}
		for _, l := range b.Lines {
			logLine(protocol.MessageTypeLog, l)
		}
		if len(b.Problems) == 0 {
			verdict = fmt.Sprintf("rustko: PASS: %s loaded and unloaded on %s (%s)", res.Module, res.Release, res.Accel)
		} else {
			for _, d := range b.Decoded {
				logLine(protocol.MessageTypeLog, "rustko: decoded: "+d.Text(m.Root))
			}
			for _, p := range b.Problems {
				logLine(protocol.MessageTypeError, "rustko: FAIL: "+p)
			}
			found = append(b.Findings, found...)
			verdict, msgType = fmt.Sprintf("rustko: FAIL: %s on %s: %s", res.Module, res.Release, b.Problems[0]), protocol.MessageTypeError
		}
	}
	logLine(msgType, verdict)
	prog.end(verdict)

	se.mu.Lock()
	if se.closed {
		se.mu.Unlock()
		return
	}
	files := se.setBuildLocked(found, marks, built.Files)
	se.mu.Unlock()
	se.publish(files)
	s.notify(msgType, verdict)
}

// lineWriter hands each complete line written to it to emit.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	emit func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.emit(string(bytes.TrimRight(w.buf[:i], "\r")))
		w.buf = w.buf[i+1:]
	}
}

func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emit(string(w.buf))
		w.buf = nil
	}
}
