package server

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rustko/rustko-lsp/bindings/index"
	"github.com/rustko/rustko-lsp/diagnostics"
	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
	"github.com/rustko/rustko-lsp/workspace"
	"go.lsp.dev/protocol"
)

// session is one rust.ko module: its loaded project, C index and the
// findings of each layer per file. Each module in the workspace has its own,
// so two modules never see each other's configuration or findings.
type session struct {
	srv  *Server
	root string

	mu   sync.Mutex
	snap *snapshot
	// Findings per file, in three layers that are replaced independently:
	// project (module and target checks, on every reload), build (the last
	// complete build) and analysis (rustko's checks of the current text).
	project  map[string][]diagnostics.Finding
	build    map[string][]diagnostics.Finding
	analysis map[string][]diagnostics.Finding
	// buildMarks place the build's findings on open buffers edited since
	// the build read them (editmap.go).
	buildMarks map[string]buildMark
	// folded are the build's findings folded into a rustko finding since
	// the build (mergeCompilerFindings); replaced with build.
	folded map[*diagnostics.Finding]bool
	shown  map[string]bool // files whose last publish was not empty
	// resolvers hold the analysis's identifier resolution per file, for
	// hover and definition on the text it analysed.
	resolvers map[string]resolver
	dirty     bool // configuration changed since the last load
	closed    bool

	pubMu sync.Mutex // publishes of this session go out in order
	runMu sync.Mutex // one load or build at a time: they share build/

	reloader *latest
	builder  *latest
	force    bool // next index regenerates the bindings even if inputs are unchanged

	aMu      sync.Mutex
	analyses map[string]*latest // per open document
}

// resolver is one analysis's parse, which hover and definition ask: valid
// for the document version (-1: the file on disk) and snapshot it was made
// from.
type resolver struct {
	version int32
	snap    *snapshot
	file    *rustsrc.File
}

// snapshot is the immutable state requests read: replaced, never modified.
type snapshot struct {
	loaded      bool         // false until the first load finished
	fingerprint string       // of the configuration files when loaded
	proj        *Project     // nil when the module could not be loaded
	loadErr     error        // why proj is nil
	ix          *index.Index // nil until bindings were generated
}

func (s *Server) newSession(root string) *session {
	se := &session{
		srv:        s,
		root:       root,
		snap:       &snapshot{},
		project:    map[string][]diagnostics.Finding{},
		build:      map[string][]diagnostics.Finding{},
		analysis:   map[string][]diagnostics.Finding{},
		buildMarks: map[string]buildMark{},
		folded:     map[*diagnostics.Finding]bool{},
		shown:      map[string]bool{},
		resolvers:  map[string]resolver{},
		analyses:   map[string]*latest{},
		dirty:      true,
	}
	se.reloader = newLatest("load "+root, s.ctx, s.goBackground, se.runReload)
	se.builder = newLatest("build "+root, s.ctx, s.goBackground, se.runBuild)
	return se
}

func (se *session) current() *snapshot {
	se.mu.Lock()
	defer se.mu.Unlock()
	return se.snap
}

// invalidate schedules a reload of the module (configuration changed).
func (se *session) invalidate() {
	se.mu.Lock()
	se.dirty = true
	se.mu.Unlock()
	se.reloader.trigger(se.srv.opts.ReloadDelay)
}

// requestBuild schedules a build, superseding any build in flight.
func (se *session) requestBuild() {
	se.builder.trigger(se.srv.opts.BuildDelay)
}

func (se *session) stop() {
	se.mu.Lock()
	se.closed = true
	se.mu.Unlock()
	se.reloader.stop()
	se.builder.stop()
	se.aMu.Lock()
	for _, a := range se.analyses {
		a.stop()
	}
	se.aMu.Unlock()
}

func (se *session) runReload(ctx context.Context, gen uint64) {
	se.runMu.Lock()
	defer se.runMu.Unlock()
	se.mu.Lock()
	force, dirty := se.force, se.dirty
	se.force = false
	se.mu.Unlock()
	if !dirty && !force && se.current().loaded {
		return // a build's load already read the change that scheduled this one
	}
	se.load(ctx, force)
}

// load reads the module, finds its kernel and loads the index, then commits
// a new snapshot and the project findings and analyses every Rust file again
// (analyseAll). It reports whether it committed.
// The caller holds runMu.
func (se *session) load(ctx context.Context, force bool) bool {
	s := se.srv
	s.mu.Lock()
	settings := s.settings
	s.mu.Unlock()

	// Taken before reading: a change while loading triggers another load.
	before := configFingerprint(nil, se.root)
	proj, err := s.backend.Load(ctx, se.root, settings.loadOptions())
	if ctx.Err() != nil {
		return false
	}
	next := &snapshot{loaded: true, fingerprint: before}
	var projFindings []diagnostics.Finding
	var indexErr error
	if err != nil {
		next.loadErr = err
		if f, ok := workspace.MakeErrorFinding(err); ok {
			projFindings = append(projFindings, f)
		} else {
			s.showOnce(protocol.MessageTypeError, fmt.Sprintf("rustko-lsp: cannot load the module in %s: %v", se.root, err))
		}
		s.log.Warn("module load failed", "root", se.root, "error", err)
	} else {
		next.proj = proj
		projFindings = append(projFindings, proj.Findings...)
		for _, w := range proj.Warnings {
			s.showOnce(protocol.MessageTypeWarning, w)
		}
		if proj.Kernel == nil {
			msg := fmt.Sprintf("rustko-lsp: no kernel build tree for %s, so no bindings, hover or build: %v", se.root, proj.KernelErr)
			s.showOnce(protocol.MessageTypeError, msg)
		} else {
			var prog *progress
			ix, err := s.backend.Index(ctx, proj, force, func(stage string) {
				// Only work worth watching reports: a cache hit says nothing.
				if prog == nil {
					prog = s.beginProgress(ctx, "rustko: bindings for "+filepath.Base(se.root))
				}
				prog.report("bindings", stage)
			})
			if prog != nil {
				prog.end("done")
			}
			if ctx.Err() != nil {
				return false
			}
			if err != nil {
				// Said once, where the user looks: on the crate's first
				// line and in the status, not as a popup per load. What
				// needs no headers (rustko's text checks, the build) goes on.
				indexErr = err
				projFindings = append(projFindings, headersFinding(proj, err))
				s.log.Warn("index failed", "root", se.root, "error", err)
			}
			next.ix = ix
		}
	}
	s.sendStatus(se.root, proj, err, indexErr)
	if next.ix == nil {
		// Keep the last good index: hover on a half-edited config is still useful.
		next.ix = se.current().ix
	}
	if proj != nil && proj.Module != nil && proj.Module.Vars.Target != "" {
		next.fingerprint = configFingerprint(proj, se.root)
	}

	se.mu.Lock()
	if se.closed {
		se.mu.Unlock()
		return false
	}
	files := slices.Collect(maps.Keys(se.project))
	se.snap = next
	se.project = se.byFile(projFindings)
	files = slices.AppendSeq(files, maps.Keys(se.project))
	se.dirty = false
	se.mu.Unlock()
	se.publish(files)
	se.analyseAll()
	return true
}

// headersFinding says on line 1 of the crate's root file (module.CrateFile:
// Cargo.toml's [lib] path, where check puts findings without a line too)
// that the kernel headers could not be read, and what that turns off.
func headersFinding(p *Project, err error) diagnostics.Finding {
	file := ""
	if p.Module != nil {
		file = p.Module.CrateFile()
	}
	tree := ""
	if p.Kernel != nil {
		tree = " of " + p.Kernel.Dir
	}
	msg := fmt.Sprintf("rustko cannot read the kernel headers%s, so there are no bindings: hover, definition and the checks that need the kernel's declarations are off until they parse (text checks and the build still run): %v", tree, err)
	return diagnostics.Finding{
		File: file, Range: diagnostics.Point(1, 1), Severity: diagnostics.Warning,
		Code: diagnostics.CodeKernelHeaders, Source: diagnostics.SourceRustko, Message: msg,
	}
}

func (se *session) runBuild(ctx context.Context, gen uint64) {
	s := se.srv
	se.runMu.Lock()
	defer se.runMu.Unlock()
	se.mu.Lock()
	dirty, force := se.dirty, se.force
	se.force = false
	se.mu.Unlock()
	dirty = dirty || se.configChanged()
	if dirty || force || se.current().proj == nil {
		if !se.load(ctx, force) {
			return
		}
	}
	snap := se.current()
	if snap.proj == nil || snap.proj.Kernel == nil {
		return // already told the user once why; a failing build would only repeat it
	}

	prog := s.beginProgress(ctx, "rustko: building "+filepath.Base(se.root))
	marks := se.markOpenDocs()
	res, err := s.backend.Build(ctx, snap.proj, prog.report)
	if ctx.Err() != nil {
		prog.end("cancelled: a newer save superseded this build")
		s.log.Debug("build superseded", "root", se.root, "generation", gen)
		return
	}
	if err != nil {
		prog.end("failed")
		s.showOnce(protocol.MessageTypeError, fmt.Sprintf("rustko-lsp: the build of %s could not run: %v", se.root, err))
		// The previous build's findings were about older text; nothing
		// checked the current one, so they go rather than mislead.
		res = &BuildResult{}
	} else {
		prog.end(fmt.Sprintf("%d findings", len(res.Findings)))
	}

	se.mu.Lock()
	if se.closed || !se.builder.current(gen) {
		se.mu.Unlock()
		return
	}
	files := se.setBuildLocked(res.Findings, marks, res.Files)
	newIndex := res.Index != nil && res.Index != se.snap.ix
	if newIndex {
		next := *se.snap
		next.ix = res.Index
		se.snap = &next
	}
	se.mu.Unlock()
	se.publish(files)
	// The analyses read the text and the index, not the build: only new
	// bindings change what they find.
	if newIndex {
		se.analyseAll()
	}
}

// setBuildLocked makes found the build layer, placed on the open buffers
// through marks, and returns the files to publish: those of the old and the
// new layer, and the ones the build looked at. The caller holds se.mu.
func (se *session) setBuildLocked(found []diagnostics.Finding, marks map[string]buildMark, looked []string) []string {
	files := slices.Collect(maps.Keys(se.build))
	se.build = se.byFile(found)
	se.folded = map[*diagnostics.Finding]bool{}
	se.buildMarks = marks
	for _, m := range marks {
		m.log.trim(m.seq)
	}
	files = slices.AppendSeq(files, maps.Keys(se.build))
	return append(files, looked...)
}

// analyseAll re-runs analysis on every Rust file of the module (open
// buffers with their unsaved text) after the project or index changed.
func (se *session) analyseAll() {
	snap := se.current()
	seen := map[string]bool{}
	var files []string
	for _, d := range se.srv.docs.under(se.root) {
		if isRust(d.path) {
			seen[d.path] = true
			files = append(files, d.path)
		}
	}
	if snap.proj != nil && snap.proj.Module != nil {
		// The whole crate, as check walks it (mod declarations, path
		// dependencies), not only RUST_FILES.
		rs := snap.proj.Module.Vars.RustFiles
		if srcs, err := rustsrc.ModuleSources(snap.proj.Module); err == nil {
			rs = srcs.Rust
		}
		for _, f := range rs {
			if !seen[f] && !isGenerated(snap, f) {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	for _, f := range files {
		se.analyseSoon(f, 0)
	}
}

// analyseSoon schedules analysis of one file after delay; a newer request
// for the same file supersedes it.
func (se *session) analyseSoon(path string, delay time.Duration) {
	se.aMu.Lock()
	a, ok := se.analyses[path]
	if !ok {
		a = newLatest("analyse "+path, se.srv.ctx, se.srv.goBackground, func(ctx context.Context, gen uint64) {
			se.runAnalysis(ctx, path, gen)
		})
		se.analyses[path] = a
	}
	se.aMu.Unlock()
	a.trigger(delay)
}

func (se *session) runAnalysis(ctx context.Context, path string, gen uint64) {
	s := se.srv
	var src []byte
	var version int32 = -1
	if d := s.docs.byPath(path); d != nil {
		src, version = []byte(d.text.s), d.version
	} else if b, err := os.ReadFile(path); err == nil {
		// A file that went away keeps src nil: its findings go with it.
		src = b
	}
	snap := se.current()
	if !snap.loaded {
		return // the first load analyses every file when it is done
	}
	if isGenerated(snap, path) {
		return // generated code: nothing the author can act on, and large
	}
	var found []diagnostics.Finding
	var parsed *rustsrc.File
	switch {
	case len(src) > maxAnalysedBytes:
		found = []diagnostics.Finding{tooLargeFinding(path, len(src))}
		s.forgetParse(path) // a tree from when it was smaller
	case src != nil:
		a, err := s.backend.Analyze(ctx, snap.proj, snap.ix, path, src)
		if err != nil {
			s.log.Warn("analysis failed", "file", path, "error", err)
			return
		}
		found, parsed = a.Findings, a.File
		if version == -1 {
			// Only an open buffer is parsed again soon (keystrokes reuse
			// its tree); a file on disk waits for the next reload.
			s.forgetParse(path)
		}
	}
	se.aMu.Lock()
	a := se.analyses[path]
	se.aMu.Unlock()
	if ctx.Err() != nil || a == nil || !a.current(gen) {
		return
	}
	if d := s.docs.byPath(path); d != nil && d.version != version {
		return // the buffer changed while we worked; its own analysis follows
	}
	se.mu.Lock()
	if se.closed {
		se.mu.Unlock()
		return
	}
	if len(found) == 0 {
		delete(se.analysis, path)
	} else {
		se.analysis[path] = found
	}
	// Only an open buffer keeps its resolver: it holds the file's syntax
	// tree, hundreds of MiB for a file of megabytes, and a client hovers
	// only in open documents (a closed file's hover resolves by name).
	if parsed != nil && version != -1 {
		se.resolvers[path] = resolver{version: version, snap: snap, file: parsed}
	} else {
		delete(se.resolvers, path)
	}
	se.mu.Unlock()
	se.publish([]string{path})
}

// forget drops what was kept for an open buffer once it is closed.
func (se *session) forget(path string) {
	se.mu.Lock()
	delete(se.resolvers, path)
	se.mu.Unlock()
	se.srv.forgetParse(path)
}

func isRust(path string) bool { return strings.HasSuffix(path, ".rs") }

// isGenerated reports whether path is the bindings file rustko writes; its
// findings would be about generated code the user cannot change.
func isGenerated(snap *snapshot, path string) bool {
	return snap.ix != nil && snap.ix.BindingsFile != "" && filepath.Clean(snap.ix.BindingsFile) == path
}

// byFile groups findings by file, under the path of the open document when
// a tool names it by another spelling (its symlink-free path), so that each
// file's layers meet under one key and publish to the URI the client opened.
func (se *session) byFile(fs []diagnostics.Finding) map[string][]diagnostics.Finding {
	m := map[string][]diagnostics.Finding{}
	for _, f := range fs {
		if f.File == "" {
			continue
		}
		p := filepath.Clean(f.File)
		if d := se.srv.docs.byPath(p); d != nil && d.path != "" {
			p = d.path
		}
		m[p] = append(m[p], f)
	}
	return m
}
