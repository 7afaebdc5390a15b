# rustko-lsp: two commands do all set-up on a fresh Debian/Ubuntu machine:
#   make demo   installs what is missing, builds the binary, checks and builds examples/hello
#   make test   installs test dependencies and runs every test
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN := bin/rustko-lsp
# Fuzz each target briefly in `make test`; run longer by hand with FUZZTIME=5m.
FUZZTIME ?= 5s

.PHONY: all build demo test deps-demo deps-test kernels vet unit unit-trixie cc-patches demangle-patches fuzz e2e editors clean

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/rustko-lsp

deps-demo:
	scripts/deps.sh demo

# The targets tests compile the embedded specs with a current rustc too; on a
# machine without rustup, Debian's rustc-web is unpacked (never installed: it
# would remove rustc 1.63, which RUST_ROOT=/usr builds rely on).
deps-test: kernels
	scripts/deps.sh test
	@if ! ls $$HOME/.rustup/toolchains/*/bin/rustc >/dev/null 2>&1 && [ -z "$${RUSTKO_TEST_RUSTC:-}" ]; then \
		targets/testdata/fetch-rustc-web.sh; fi

# The kernels the tests cover (docs/KERNELS.md): 6.1, 6.12 amd64 + rt, and 7.x in
# a Debian 13 root, with their QEMU images; idempotent, downloads announced.
kernels:
	scripts/kernels.sh --images all

demo: deps-demo build
	scripts/demo.sh

# staticcheck is pinned here rather than in go.mod: it is a tool of this
# Makefile, not a dependency of the code.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^third_party/')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff
	$(GO) run $(STATICCHECK) ./...

# The QEMU boot test (e2e/) runs in its own step: it takes minutes, not seconds.
unit: build
	$(GO) test -count=1 -timeout 45m $$($(GO) list ./... | grep -v '/e2e$$')

# The kernel-reading unit tests again on each tree of the trixie root (Debian 13's 6.12, 7.x).
unit-trixie:
	scripts/test-in-trixie.sh

# The patched C front end's regression tests (one per fix in PATCHES.md).
cc-patches:
	cd third_party/modernc.org/cc/v4 && $(GO) test -count=1 -run 'TestRustko' .

# The patched Rust demangler: its regression tests (TestRustko*, one per fix
# in PATCHES.md) and upstream's whole suite, which takes seconds.
demangle-patches:
	cd third_party/demangle && $(GO) test -count=1 .

fuzz:
	scripts/fuzz.sh $(FUZZTIME)

e2e: build
	e2e/run.sh

editors: build
	scripts/editors.sh

test: deps-test vet unit unit-trixie cc-patches demangle-patches fuzz e2e editors

clean:
	rm -rf bin
