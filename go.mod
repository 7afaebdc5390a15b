module github.com/rustko/rustko-lsp

go 1.26.0

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/go-json-experiment/json v0.0.0-20260623181947-01eb4420fa68
	github.com/ianlancetaylor/demangle v0.0.0-20260724033716-83e58baca724
	github.com/smacker/go-tree-sitter v0.0.0-20240827094217-dd81d9e9be82
	github.com/sourcegraph/conc v0.3.0
	go.lsp.dev/jsonrpc2 v1.0.1
	go.lsp.dev/protocol v1.0.1
	go.lsp.dev/uri v1.0.1
	go.uber.org/goleak v1.3.0
	golang.org/x/arch v0.33.0
	golang.org/x/tools v0.52.0
	modernc.org/cc/v4 v4.34.0
	modernc.org/token v1.1.0
	mvdan.cc/sh/v3 v3.14.1
)

require (
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	go.uber.org/multierr v1.11.0 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/opt v0.2.0 // indirect
	modernc.org/sortutil v1.2.1 // indirect
	modernc.org/strutil v1.2.1 // indirect
)

replace modernc.org/cc/v4 => ./third_party/modernc.org/cc/v4

replace github.com/ianlancetaylor/demangle => ./third_party/demangle
