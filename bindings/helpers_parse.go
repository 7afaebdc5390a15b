package bindings

import (
	"context"
	"runtime/debug"

	"modernc.org/cc/v4"

	"github.com/rustko/rustko-lsp/module"
)

// ParseHeaders runs the C front end over headers as Generate does
// (kbuild's include search, forced includes and predefined macros), but
// keeping function bodies, and returns the translation unit with the
// headers' absolute paths. The C
// helper generator (bindings/cwrap) and its tests read function bodies
// from it; Generate itself does not need this entry point.
func ParseHeaders(ctx context.Context, k *module.Kernel, f *module.Flags, headers []string) (*cc.AST, []string, error) {
	if len(headers) == 0 {
		headers = DefaultHeaders()
	}
	old := debug.SetGCPercent(gcPercent)
	defer debug.SetGCPercent(old)
	fe, err := newFrontEnd(ctx, k, f, headers)
	if err != nil {
		return nil, nil, err
	}
	fe.cfg.SkipFunctionBodies = false // the bodies are what cwrap reads
	ast, err := fe.translate(ctx)
	if err != nil {
		return nil, nil, err
	}
	return ast, fe.headers, nil
}
