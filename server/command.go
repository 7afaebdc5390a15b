package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/rustko/rustko-lsp/diagnostics/rustsrc"
)

// ExecuteCommand runs rustko.rebuild, rustko.regenerateBindings and
// rustko.showBinding. The first two take an optional file or folder URI
// (default: every module) and return at once: the work runs on the
// session's worker and reports through progress and diagnostics.
func (s *Server) ExecuteCommand(ctx context.Context, p *protocol.ExecuteCommandParams) (protocol.LSPAny, error) {
	args := make([]string, 0, len(p.Arguments))
	for i, a := range p.Arguments {
		var str string
		if err := json.Unmarshal(a, &str); err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: argument %d must be a string (a URI or a C name), got %s", p.Command, i+1, truncate(string(a), 40))
		}
		args = append(args, str)
	}
	switch p.Command {
	case cmdRebuild, cmdRegenerateBindings:
		// Regenerating reloads the module too, which would evaluate its
		// makefiles: both need trust.
		sessions, err := s.trustedSessions(p.Command, args)
		if err != nil {
			return nil, err
		}
		for _, se := range sessions {
			if p.Command == cmdRebuild {
				se.builder.trigger(0)
			} else {
				se.regenerate()
			}
		}
		return marshalAny(map[string]any{"modules": len(sessions)})
	case cmdRun:
		return s.executeRun(args)
	case cmdShowBinding:
		if len(args) == 0 || args[0] == "" {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s needs the C name to look up, e.g. [\"file_operations\"]", p.Command)
		}
		sessions, err := s.sessionsFor(args[1:])
		if err != nil {
			return nil, err
		}
		for _, se := range sessions {
			if b := s.showBinding(se.current(), args[0]); b != nil {
				return marshalAny(b)
			}
		}
		return nil, jsonrpc2.Errorf(codeRequestFailed, "no kernel item %q in the headers of any module (KERNEL_INCLUDE decides which headers are read)", args[0])
	}
	return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q; rustko-lsp runs %s, %s, %s and %s", p.Command, cmdRebuild, cmdRegenerateBindings, cmdShowBinding, cmdRun)
}

// errUntrusted is the answer to anything that would run the module's build
// in a workspace the editor has not trusted.
func errUntrusted(root string) error {
	where := "this workspace"
	if root != "" {
		where = root
	}
	return fmt.Errorf("refused: %s is not trusted (VS Code's Restricted Mode, or the setting trusted = false), and building or "+
		"regenerating runs the module's Makefile, cargo and the compilers, which can run any command; trust the workspace "+
		"(VS Code: Manage Workspace Trust; other editors: set trusted to true) and run it again", where)
}

// regenerate reloads the module and regenerates its bindings even if their
// inputs did not change.
func (se *session) regenerate() {
	se.mu.Lock()
	se.force = true
	se.dirty = true
	se.mu.Unlock()
	se.reloader.trigger(0)
}

// sessionsFor maps command arguments (file or folder URIs) to sessions; no
// argument means every module.
func (s *Server) sessionsFor(args []string) ([]*session, error) {
	if len(args) == 0 {
		return s.allSessions(), nil
	}
	var out []*session
	for _, a := range args {
		u, err := uri.Parse(a)
		if err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%q is not a URI: %v", a, err)
		}
		_, path := uriKey(u)
		se := s.sessionFor(path)
		if se == nil {
			return nil, jsonrpc2.Errorf(codeRequestFailed, "%s is not inside a rust.ko module (no Makefile/Kbuild with Cargo.toml or config.mk above it)", a)
		}
		out = append(out, se)
	}
	return out, nil
}

// trustedSessions is sessionsFor for a command that runs the module's
// build. In an untrusted workspace it is refused rather than quietly
// skipped, so the user learns why nothing happens.
func (s *Server) trustedSessions(command string, args []string) ([]*session, error) {
	sessions, err := s.sessionsFor(args)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	trusted := s.settings.trusted()
	s.mu.Unlock()
	if !trusted {
		return nil, jsonrpc2.Errorf(codeRequestFailed, "%s: %v", command, errUntrusted(""))
	}
	return sessions, nil
}

// binding is rustko.showBinding's answer.
type binding struct {
	Name string             `json:"name"`
	Kind string             `json:"kind"`
	Rust string             `json:"rust,omitempty"` // the Rust item's name
	Text string             `json:"text"`           // the generated item, or why there is none
	C    protocol.Location  `json:"c"`              // the C declaration
	At   *protocol.Location `json:"location,omitempty"`
}

func (s *Server) showBinding(snap *snapshot, name string) *binding {
	if snap.ix == nil {
		return nil
	}
	it := rustsrc.ItemNamed(snap.ix, name)
	if it == nil {
		return nil
	}
	b := &binding{Name: it.Name, Kind: string(it.Kind), Rust: it.Rust, Text: it.RustDecl, C: s.location(rustsrc.LocationOf(it.Pos))}
	if it.Rust == "" {
		b.Text = "no Rust item: " + it.Why
		return b
	}
	if f := snap.ix.BindingsFile; f != "" {
		if loc, ok := s.findRustItem(f, it.Rust); ok {
			b.At = &loc
		}
	}
	return b
}

// findRustItem finds where the generated file defines name.
func (s *Server) findRustItem(file, name string) (protocol.Location, bool) {
	path := filepath.Clean(file)
	src, err := os.ReadFile(path)
	if err != nil {
		return protocol.Location{}, false
	}
	re := regexp.MustCompile(`(?m)^\s*pub\s+(?:unsafe\s+)?(?:extern\s+"C"\s+)?(?:struct|union|enum|fn|const|static(?:\s+mut)?|type)\s+` + regexp.QuoteMeta(name) + `\b`)
	loc := re.FindIndex(src)
	if loc == nil {
		return protocol.Location{}, false
	}
	t := newText(string(src))
	enc, _ := s.negotiated()
	start := loc[0] + strings.LastIndex(string(src[loc[0]:loc[1]]), name)
	return protocol.Location{URI: uri.File(path), Range: protocol.Range{
		Start: t.position(start, enc), End: t.position(start+len(name), enc),
	}}, true
}

func marshalAny(v any) (protocol.LSPAny, error) {
	b, err := protocol.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding the command's result: %w", err)
	}
	return protocol.LSPAny(b), nil
}
