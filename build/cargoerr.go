package build

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/rustko/rustko-lsp/diagnostics"
)

var (
	// cargo names the manifest it could not read in one of two ways.
	cargoManifestRE = regexp.MustCompile("(?:manifest at `([^`]+)`|-->\\s*(\\S+?):(\\d+):(\\d+))")
	// TOML positions: "TOML parse error at line 22, column 7" (cargo
	// 1.65) or "at line 22 column 7" (older).
	tomlPosRE = regexp.MustCompile(`at line (\d+),? column (\d+)`)
)

// cargoFailure turns cargo's text on stderr, when it failed before rustc
// said anything (a broken Cargo.toml, a missing target specification), into
// one finding on the manifest, at the line cargo names when it names one.
func cargoFailure(root string, stderr []byte) diagnostics.Finding {
	text := string(stderr)
	// Skip cargo's progress lines; the error starts at "error:".
	if i := strings.Index(text, "error:"); i >= 0 {
		text = text[i:]
	}
	text = strings.TrimSpace(strings.TrimPrefix(text, "error:"))
	if text == "" {
		text = "cargo failed without saying why; run the build with V=1 to see its command"
	}
	f := diagnostics.Finding{
		File:     filepath.Join(root, "Cargo.toml"),
		Range:    diagnostics.Point(1, 1),
		Severity: diagnostics.Error,
		Source:   sourceCargo,
		Message:  text,
	}
	if m := cargoManifestRE.FindStringSubmatch(text); m != nil {
		switch {
		case m[1] != "":
			f.File = filepath.Clean(m[1])
		case m[2] != "":
			f.File = absUnder(root, m[2])
			f.Range = diagnostics.Point(atoiMin1(m[3]), atoiMin1(m[4]))
		}
	}
	if m := tomlPosRE.FindStringSubmatch(text); m != nil {
		f.Range = diagnostics.Point(atoiMin1(m[1]), atoiMin1(m[2]))
	}
	return f
}

// atoiMin1 parses a line or column, clamping nonsense to 1.
func atoiMin1(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// absUnder makes p absolute relative to dir.
func absUnder(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}
