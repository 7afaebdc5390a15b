package server

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.lsp.dev/protocol"
)

// sessionFor returns the session of the module holding path, creating it on
// first use, or nil when path lies in no rust.ko module (such files get no
// diagnostics and no hover, and that is not an error).
func (s *Server) sessionFor(path string) *session {
	if path == "" || s.backend == nil {
		return nil
	}
	s.mu.Lock()
	for root, se := range s.sessions {
		if within(root, path) && !s.deeperRootLocked(root, path) {
			s.mu.Unlock()
			return se
		}
	}
	s.mu.Unlock()
	root, err := s.backend.FindRoot(path)
	if err != nil {
		s.log.Debug("file outside any rust.ko module", "file", path, "reason", err)
		return nil
	}
	return s.sessionAt(root)
}

// deeperRootLocked reports whether a session nested inside root holds path
// (a module inside another module's folder).
func (s *Server) deeperRootLocked(root, path string) bool {
	for r := range s.sessions {
		if r != root && within(root, r) && within(r, path) {
			return true
		}
	}
	return false
}

// sessionAt returns the session for a module root, starting it (and its
// first load) when new.
func (s *Server) sessionAt(root string) *session {
	s.mu.Lock()
	if se, ok := s.sessions[root]; ok {
		s.mu.Unlock()
		return se
	}
	if s.phase != phaseInitialized || s.ctx.Err() != nil {
		s.mu.Unlock()
		return nil
	}
	se := s.newSession(root)
	s.sessions[root] = se
	s.mu.Unlock()
	s.log.Info("module session started", "root", root)
	se.reloader.trigger(0)
	return se
}

// sessionForFolder starts sessions for the modules of a workspace folder:
// the module holding the folder, or the modules a little below it (a
// repository whose examples/hello is the module).
func (s *Server) sessionForFolder(folder string) {
	if s.backend == nil {
		return
	}
	if root, err := s.backend.FindRoot(folder); err == nil {
		s.sessionAt(root)
		return
	}
	for _, dir := range subdirs(folder, 2) {
		if root, err := s.backend.FindRoot(dir); err == nil && within(folder, root) {
			s.sessionAt(root)
		}
	}
}

// subdirs lists folders below dir down to depth levels, skipping hidden
// folders and build output.
func subdirs(dir string, depth int) []string {
	if depth == 0 {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if !e.IsDir() || strings.HasPrefix(n, ".") || n == "build" || n == "target" || n == "node_modules" {
			continue
		}
		p := filepath.Join(dir, n)
		out = append(out, p)
		out = append(out, subdirs(p, depth-1)...)
	}
	return out
}

func (s *Server) allSessions() []*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Collect(maps.Values(s.sessions))
}

// stopSessions cancels every build and timer; used by shutdown and Run.
func (s *Server) stopSessions() {
	for _, se := range s.allSessions() {
		se.stop()
	}
}

// showOnce tells the user about a problem with window/showMessage, once per
// distinct text: a missing kernel is one message, not one per file or save.
func (s *Server) showOnce(t protocol.MessageType, msg string) {
	s.mu.Lock()
	seen := s.shownMsgs[msg]
	s.shownMsgs[msg] = true
	s.mu.Unlock()
	if !seen {
		s.notify(t, msg)
	}
}

// notify shows a message without waiting for it to be written: handlers run
// on the read loop, and a write that blocks there while the client is busy
// writing to us would deadlock both ends.
func (s *Server) notify(t protocol.MessageType, msg string) {
	s.goBackground("showMessage", func() {
		if err := s.client.ShowMessage(s.ctx, &protocol.ShowMessageParams{Type: t, Message: msg}); err != nil {
			s.log.Debug("showMessage failed", "error", err)
		}
	})
}

// configNames are the files that configure a module: its makefiles and
// Cargo.toml.
var configNames = []string{"config.mk", "Makefile", "Kbuild", "Cargo.toml", "kbuild.mk"}

// configFile reports whether a file's change means the module must be read
// again: its makefiles, Cargo.toml, or a target JSON.
func configFile(path string) bool {
	return slices.Contains(configNames, filepath.Base(path)) || strings.HasSuffix(path, ".json")
}

// DidChangeConfiguration applies new settings to every module.
func (s *Server) DidChangeConfiguration(ctx context.Context, p *protocol.DidChangeConfigurationParams) error {
	st, unknown, err := parseSettings(p.Settings)
	if err != nil {
		s.notify(protocol.MessageTypeWarning, "rustko-lsp: ignoring the new settings: "+err.Error())
		return err
	}
	if len(unknown) > 0 {
		s.log.Warn("settings have keys rustko-lsp does not know; they are ignored", "keys", unknown)
	}
	s.mu.Lock()
	changed := !st.equal(s.settings)
	s.settings = st
	s.mu.Unlock()
	if changed {
		for _, se := range s.allSessions() {
			if !st.trusted() {
				// Trust withdrawn: a build in flight runs the workspace's
				// Makefile and compilers, so it stops now, not at its end.
				se.builder.supersede()
			}
			se.invalidate()
		}
	}
	return nil
}

// DidChangeWatchedFiles reloads the modules whose configuration or sources
// changed on disk (config.mk, Makefile, Kbuild, Cargo.toml, target JSON, the
// C and Rust files the module compiles), and re-analyses other Rust files
// changed outside the editor.
func (s *Server) DidChangeWatchedFiles(ctx context.Context, p *protocol.DidChangeWatchedFilesParams) error {
	for _, ch := range p.Changes {
		_, path := uriKey(ch.URI)
		if path == "" {
			continue
		}
		se := s.sessionFor(path)
		if se == nil {
			continue
		}
		switch {
		case configFile(path) || se.readBySources(path):
			se.invalidate() // its analyseAll covers a Rust file too
		case isRust(path) && s.docs.byPath(path) == nil:
			se.analyseSoon(path, s.opts.AnalysisDelay)
		}
	}
	return nil
}

// DidChangeWorkspaceFolders starts sessions for new folders and ends those
// of removed ones (clearing what they showed).
func (s *Server) DidChangeWorkspaceFolders(ctx context.Context, p *protocol.DidChangeWorkspaceFoldersParams) error {
	for _, f := range p.Event.Removed {
		_, path := uriKey(f.URI)
		if path == "" {
			continue
		}
		s.mu.Lock()
		s.folders = slices.DeleteFunc(s.folders, func(x string) bool { return x == path })
		var gone []*session
		for root, se := range s.sessions {
			if within(path, root) {
				gone = append(gone, se)
				delete(s.sessions, root)
			}
		}
		s.mu.Unlock()
		for _, se := range gone {
			se.stop()
			se.clearAll()
		}
	}
	for _, f := range p.Event.Added {
		if _, path := uriKey(f.URI); path != "" {
			s.mu.Lock()
			s.folders = append(s.folders, path)
			s.mu.Unlock()
			s.sessionForFolder(path)
		}
	}
	return nil
}

// registerWatchers asks the client to report changes of the files that
// configure a module or that it compiles; clients without dynamic
// registration (Neovim 0.7) still report them through didSave when edited
// in the editor.
func (s *Server) registerWatchers() {
	var watchers []protocol.FileSystemWatcher
	for _, g := range []string{"**/config.mk", "**/Makefile", "**/Kbuild", "**/Cargo.toml", "**/*.json", "**/*.rs", "**/*.c"} {
		watchers = append(watchers, protocol.FileSystemWatcher{GlobPattern: protocol.Pattern(g)})
	}
	opts, err := protocol.Marshal(protocol.DidChangeWatchedFilesRegistrationOptions{Watchers: watchers})
	if err != nil {
		s.log.Warn("cannot encode file watcher registration", "error", err)
		return
	}
	err = s.client.RegisterCapability(s.ctx, &protocol.RegistrationParams{Registrations: []protocol.Registration{{
		ID: "rustko-watch", Method: protocol.MethodWorkspaceDidChangeWatchedFiles, RegisterOptions: opts,
	}}})
	if err != nil {
		s.log.Warn("client refused the file watcher registration; config changes are seen on save only", "error", err)
	}
}
