package server

import (
	"context"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

func TestInitializeNegotiatesAndAdvertises(t *testing.T) {
	tests := []struct {
		name    string
		offered []protocol.PositionEncodingKind
		want    protocol.PositionEncodingKind
	}{
		{"nothing offered means UTF-16", nil, protocol.PositionEncodingKindUTF16},
		{"UTF-16 only", []protocol.PositionEncodingKind{"utf-16"}, protocol.PositionEncodingKindUTF16},
		{"UTF-8 offered is taken", []protocol.PositionEncodingKind{"utf-16", "utf-8"}, protocol.PositionEncodingKindUTF8},
		{"UTF-32 only falls back to the mandatory UTF-16", []protocol.PositionEncodingKind{"utf-32"}, protocol.PositionEncodingKindUTF16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, newFake())
			p := &protocol.InitializeParams{}
			if tc.offered != nil {
				p.Capabilities.General = &protocol.GeneralClientCapabilities{PositionEncodings: tc.offered}
			}
			res := h.initialize(t, p)
			c := res.Capabilities
			if c.PositionEncoding != tc.want {
				t.Errorf("positionEncoding = %q, want %q", c.PositionEncoding, tc.want)
			}
			sync, ok := c.TextDocumentSync.(*protocol.TextDocumentSyncOptions)
			if !ok || sync.Change == nil || *sync.Change != protocol.TextDocumentSyncKindIncremental || sync.OpenClose == nil || !*sync.OpenClose || sync.Save == nil {
				t.Errorf("textDocumentSync = %#v, want open/close, incremental changes and save", c.TextDocumentSync)
			}
			if c.HoverProvider != protocol.Boolean(true) || c.DefinitionProvider != protocol.Boolean(true) {
				t.Errorf("hover/definition providers = %v/%v, want true/true", c.HoverProvider, c.DefinitionProvider)
			}
			if ca, ok := c.CodeActionProvider.(*protocol.CodeActionOptions); !ok || len(ca.CodeActionKinds) != 1 || ca.CodeActionKinds[0] != protocol.CodeActionKindQuickFix {
				t.Errorf("codeActionProvider = %#v, want quickfix only", c.CodeActionProvider)
			}
			if got := c.ExecuteCommandProvider.Commands; len(got) != 4 {
				t.Errorf("commands = %v, want rebuild, regenerateBindings, showBinding, run", got)
			}
			// Nothing that is not implemented may be advertised.
			if c.CompletionProvider != nil || c.ReferencesProvider != nil || c.DocumentSymbolProvider != nil ||
				c.RenameProvider != nil || c.DiagnosticProvider != nil || c.InlayHintProvider != nil {
				t.Errorf("advertises an unimplemented feature: %#v", c)
			}
			if code := h.shutdown(t); code != 0 {
				t.Errorf("exit code after shutdown+exit = %d, want 0", code)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	t.Run("exit without shutdown is 1", func(t *testing.T) {
		h := start(t, newFake())
		h.initialize(t, nil)
		if err := h.server.Exit(h.ctx); err != nil {
			t.Fatal(err)
		}
		if code := h.waitExit(t); code != 1 {
			t.Errorf("exit code = %d, want 1", code)
		}
	})
	t.Run("input closed without exit is 1", func(t *testing.T) {
		h := start(t, newFake())
		h.initialize(t, nil)
		_ = h.conn.Close()
		if code := h.waitExit(t); code != 1 {
			t.Errorf("exit code = %d, want 1", code)
		}
	})
	t.Run("exit before initialize is 1", func(t *testing.T) {
		h := start(t, newFake())
		if err := h.server.Exit(h.ctx); err != nil {
			t.Fatal(err)
		}
		if code := h.waitExit(t); code != 1 {
			t.Errorf("exit code = %d, want 1", code)
		}
	})
}

func TestRequestsOutsideTheInitializedState(t *testing.T) {
	h := start(t, newFake())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	_, err := h.server.Hover(ctx, &protocol.HoverParams{})
	if codeOf(err) != jsonrpc2.ServerNotInitialized {
		t.Errorf("hover before initialize: %v (code %d), want ServerNotInitialized", err, codeOf(err))
	}
	h.initialize(t, nil)
	if _, err := h.server.Initialize(ctx, &protocol.InitializeParams{}); codeOf(err) != jsonrpc2.InvalidRequest {
		t.Errorf("second initialize: %v, want InvalidRequest", err)
	}
	if err := h.server.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.server.Hover(ctx, &protocol.HoverParams{}); codeOf(err) != jsonrpc2.InvalidRequest {
		t.Errorf("hover after shutdown: %v, want InvalidRequest", err)
	}
	if err := h.server.Exit(ctx); err != nil {
		t.Fatal(err)
	}
	if code := h.waitExit(t); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
}
