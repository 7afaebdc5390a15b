package server

import (
	"context"
	"slices"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// clientCaps is what the server needs to know about the client, read once
// from initialize.
type clientCaps struct {
	markdown         bool // hover.contentFormat includes markdown
	workDoneProgress bool // window.workDoneProgress
	watchRegister    bool // didChangeWatchedFiles.dynamicRegistration
	relatedInfo      bool // publishDiagnostics.relatedInformation
}

func readCaps(c *protocol.ClientCapabilities) (clientCaps, []protocol.PositionEncodingKind) {
	var caps clientCaps
	var encs []protocol.PositionEncodingKind
	if g := c.General; g != nil {
		encs = g.PositionEncodings
	}
	if td := c.TextDocument; td != nil {
		if h := td.Hover; h != nil {
			caps.markdown = slices.Contains(h.ContentFormat, protocol.MarkupKindMarkdown)
		}
		if pd := td.PublishDiagnostics; pd != nil && pd.RelatedInformation != nil {
			caps.relatedInfo = *pd.RelatedInformation
		}
	}
	if w := c.Window; w != nil && w.WorkDoneProgress != nil {
		caps.workDoneProgress = *w.WorkDoneProgress
	}
	if ws := c.Workspace; ws != nil && ws.DidChangeWatchedFiles != nil && ws.DidChangeWatchedFiles.DynamicRegistration != nil {
		caps.watchRegister = *ws.DidChangeWatchedFiles.DynamicRegistration
	}
	return caps, encs
}

// negotiated is what initialize settled with the client: the position
// encoding and the client's capabilities.
func (s *Server) negotiated() (encoding, clientCaps) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enc, s.caps
}

// Commands the server executes (workspace/executeCommand).
const (
	cmdRebuild            = "rustko.rebuild"
	cmdRegenerateBindings = "rustko.regenerateBindings"
	cmdShowBinding        = "rustko.showBinding"
)

// Initialize negotiates and advertises exactly what is implemented.
func (s *Server) Initialize(ctx context.Context, p *protocol.InitializeParams) (*protocol.InitializeResult, error) {
	caps, encs := readCaps(&p.Capabilities)
	settings, unknown, err := parseSettings(p.InitializationOptions)
	if err != nil {
		s.log.Warn("ignoring initializationOptions", "error", err)
		s.notify(protocol.MessageTypeWarning, "rustko-lsp: "+err.Error())
	}
	if len(unknown) > 0 {
		s.log.Warn("initializationOptions has keys rustko-lsp does not know; they are ignored", "keys", unknown)
	}

	var folders []string
	addFolder := func(u uri.URI) {
		if _, path := uriKey(u); path != "" {
			folders = append(folders, path)
		}
	}
	if wf, ok := p.WorkspaceFolders.Get(); ok {
		for _, f := range wf {
			addFolder(f.URI)
		}
	}
	// Clients older than workspace folders send only rootUri or rootPath.
	//lint:ignore SA1019 deprecated in LSP, still the only root some clients send
	if len(folders) == 0 && p.RootURI != nil {
		//lint:ignore SA1019 as above
		addFolder(*p.RootURI)
	}
	//lint:ignore SA1019 as above
	if rp, ok := p.RootPath.Get(); len(folders) == 0 && ok && rp != "" {
		addFolder(uri.File(rp))
	}

	s.mu.Lock()
	s.caps = caps
	s.enc = negotiateEncoding(encs)
	s.settings = settings
	s.folders = folders
	s.phase = phaseInitialized
	enc := s.enc
	s.mu.Unlock()
	s.log.Info("initialize", "client", p.ClientInfo.Name, "positionEncoding", string(enc.kind()), "folders", folders,
		"markdown", caps.markdown, "workDoneProgress", caps.workDoneProgress)

	quickfix := []protocol.CodeActionKind{protocol.CodeActionKindQuickFix}
	res := &protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			PositionEncoding: enc.kind(),
			TextDocumentSync: &protocol.TextDocumentSyncOptions{
				OpenClose: new(true),
				Change:    new(protocol.TextDocumentSyncKindIncremental),
				Save:      &protocol.SaveOptions{},
			},
			HoverProvider:          protocol.Boolean(true),
			DefinitionProvider:     protocol.Boolean(true),
			CodeActionProvider:     &protocol.CodeActionOptions{CodeActionKinds: quickfix},
			ExecuteCommandProvider: protocol.ExecuteCommandOptions{Commands: []string{cmdRebuild, cmdRegenerateBindings, cmdShowBinding, cmdRun}},
			Workspace: &protocol.WorkspaceOptions{
				WorkspaceFolders: &protocol.WorkspaceFoldersServerCapabilities{
					Supported:           new(true),
					ChangeNotifications: protocol.Boolean(true),
				},
			},
		},
		ServerInfo: protocol.ServerInfo{Name: "rustko-lsp"},
	}
	if s.opts.Version != "" {
		res.ServerInfo.Version = protocol.NewOptional(s.opts.Version)
	}
	return res, nil
}

// Initialized starts the sessions of the workspace folders and asks the
// client to watch the files that configure a module.
func (s *Server) Initialized(ctx context.Context, _ *protocol.InitializedParams) error {
	s.mu.Lock()
	folders := slices.Clone(s.folders)
	register := s.caps.watchRegister
	s.mu.Unlock()
	if register {
		s.goBackground("register file watchers", s.registerWatchers)
	}
	for _, f := range folders {
		s.sessionForFolder(f)
	}
	return nil
}

// Shutdown stops all work; only exit is accepted afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.phase = phaseShutdown
	s.mu.Unlock()
	s.stopSessions()
	return nil
}

// exit ends Run; the exit code depends on whether shutdown came first.
func (s *Server) exit() {
	s.exitOnce.Do(func() { close(s.exitCh) })
}
