#!/usr/bin/env bash
# The editor integrations' checks (make editors): the VS Code extension's
# type check, unit tests, wire test against the real server, bundle and
# .vsix (with its file list checked), and the Neovim tests (unit + e2e
# against the real server) using editors/nvim's own setup.
# Needs: bin/rustko-lsp (make build; or RUSTKO_BIN), Node.js >= 20 with npm,
# the npm registry (npm ci), nvim, unzip, and what the server needs to load
# examples/hello (kernel headers, gcc, make).
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
ext="$repo/editors/vscode"
export RUSTKO_BIN=${RUSTKO_BIN:-$repo/bin/rustko-lsp}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1"; }

# step NAME CMD...: one check; its output is shown only when it fails.
step() {
	local name=$1
	shift
	if (cd "$ext" && "$@") >"$log/out" 2>&1; then
		pass "$name"
	else
		fail "$name"
		sed 's/^/    /' "$log/out" | tail -60
	fi
}

# tests NAME CMD...: a node --test run; each test counts.
tests() {
	local name=$1
	shift
	(cd "$ext" && "$@") >"$log/tap" 2>&1
	local rc=$?
	grep -E '^\s*(not )?ok [0-9]+ - ' "$log/tap" | grep -vE '^\s*ok [0-9]+ - .*# (SKIP|TODO)' | sed "s/^/[$name] /"
	local p f
	p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log/tap" | tail -1)
	f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log/tap" | tail -1)
	p=${p:-0} f=${f:-0}
	if ((rc != 0 || f > 0)); then
		sed -n '/^\s*not ok/,/^\s*\.\.\.$/p' "$log/tap" | sed 's/^/    /' | head -120
		((f == 0)) && f=1 && tail -30 "$log/tap" | sed 's/^/    /'
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

need() { # command package-hint
	if ! command -v "$1" >/dev/null; then
		fail "$1 is installed (install $2)"
		return 1
	fi
}

need node "Node.js >= 20 with npm" && need npm "npm" && need nvim "neovim" && need unzip "unzip"
if command -v node >/dev/null && (($(node -p 'process.versions.node.split(".")[0]') < 20)); then
	fail "Node.js >= 20 (found $(node --version); @vscode/vsce 3.9 and the tests need 20: Debian 12's nodejs is 18, use NodeSource's nodejs 20)"
fi
if [ ! -x "$RUSTKO_BIN" ]; then
	fail "the server binary $RUSTKO_BIN exists (run make build, or set RUSTKO_BIN)"
fi
if ((failed > 0)); then
	echo "$passed passed, $failed failed"
	exit 1
fi

# VS Code extension.
step "npm ci (committed package-lock.json)" npm ci --no-audit --no-fund
step "the VS Code initialize fixture matches the locked vscode-languageclient" node test/gen-initialize.cjs --check
step "tsc --noEmit" npx --no-install tsc --noEmit -p .
step "esbuild: extension bundle and tests" node esbuild.mjs --tests
tests unit node --test --test-reporter=tap out/test/unit/
tests wire node --test --test-reporter=tap out/test/wire/

rm -f "$ext"/*.vsix
step "vsce package" npx --no-install vsce package --no-dependencies </dev/null
vsix=$(ls "$ext"/rustko-*.vsix 2>/dev/null | head -1)
if [ -n "$vsix" ]; then
	# Exactly the bundle and the documents: no node_modules, no sources or
	# source maps, no tests.
	want=$'[Content_Types].xml\nextension.vsixmanifest\nextension/LICENSE.txt\nextension/changelog.md\nextension/dist/extension.js\nextension/package.json\nextension/readme.md'
	got=$(unzip -Z1 "$vsix" | LC_ALL=C sort)
	if [ "$got" = "$want" ]; then
		pass ".vsix holds exactly the bundle, package.json, README, CHANGELOG and LICENSE"
	else
		fail ".vsix file list"
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
	fi
	if unzip -p "$vsix" extension/package.json | grep -q '"main": "./dist/extension.js"'; then
		pass ".vsix package.json points at the bundle"
	else
		fail ".vsix package.json points at the bundle"
	fi
else
	fail ".vsix produced"
fi

# Neovim: the same files a user puts on runtimepath.
"$repo/editors/nvim/test/run.sh" >"$log/nvim" 2>&1
rc=$?
grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$log/nvim" | sed 's/^/[nvim] /'
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log/nvim" | tail -1)
p=${summary%% passed*} f=${summary#*, } f=${f%% failed}
p=${p:-0} f=${f:-0}
((rc != 0 && f == 0)) && f=1
passed=$((passed + p))
failed=$((failed + f))

echo "$passed passed, $failed failed"
((failed == 0))
