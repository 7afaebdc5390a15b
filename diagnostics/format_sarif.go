package diagnostics

import (
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
)

const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// srcRoot is the uriBaseId that relative artifact locations hang off, the
// name GitHub code scanning and most SARIF viewers expect.
const srcRoot = "SRCROOT"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool sarifTool `json:"tool"`
	// AutomationDetails and Properties are set only by WriteSARIFKernels:
	// they tell one kernel's run from another's. Invocations says whether
	// the run could check at all.
	AutomationDetails  *sarifAutomation            `json:"automationDetails,omitempty"`
	Invocations        []sarifInvocation           `json:"invocations,omitempty"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string                      `json:"columnKind"`
	Results            []sarifResult               `json:"results"`
	Properties         map[string]string           `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string           `json:"id"`
	ShortDescription     sarifMessage     `json:"shortDescription"`
	HelpURI              string           `json:"helpUri,omitempty"`
	DefaultConfiguration *sarifRuleConfig `json:"defaultConfiguration,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID           string          `json:"ruleId"`
	RuleIndex        int             `json:"ruleIndex"`
	Level            string          `json:"level"`
	Message          sarifMessage    `json:"message"`
	Locations        []sarifLocation `json:"locations,omitempty"`
	RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
	Fixes            []sarifFix      `json:"fixes,omitempty"`
}

type sarifLocation struct {
	ID               *int          `json:"id,omitempty"`
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
	Message          *sarifMessage `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifFix struct {
	Description     sarifMessage          `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLoc   `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion   `json:"deletedRegion"`
	InsertedContent *sarifMessage `json:"insertedContent,omitempty"`
}

// WriteSARIF writes findings as a SARIF 2.1.0 log for code-scanning UIs.
// Locations inside root are relative to the SRCROOT base; columns are
// converted from our byte columns to UTF-16 code units (SARIF's default
// columnKind, which GitHub assumes) by reading the files.
func WriteSARIF(w io.Writer, fs []Finding, root, toolVersion string) error {
	sw := newSARIFWriter(root)
	run := sarifRunOf(sw, fs, toolVersion)
	// Said even when it succeeded, as WriteSARIFKernels does: a consumer
	// tells a clean run from a failed one (WriteSARIFFailure) by this flag.
	run.Invocations = []sarifInvocation{{ExecutionSuccessful: true}}
	return encodeSARIF(w, run)
}

func encodeSARIF(w io.Writer, runs ...sarifRun) error {
	return encodeIndented(w, sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: runs}, "SARIF")
}

// sarifRunOf is one run: rustko-lsp's findings for one module and kernel.
func sarifRunOf(sw *sarifWriter, fs []Finding, toolVersion string) sarifRun {
	root := sw.root
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: "rustko-lsp", Version: toolVersion, Rules: []sarifRule{}}},
		ColumnKind: "utf16CodeUnits",
		Results:    []sarifResult{},
	}
	if root != "" {
		if abs, err := filepath.Abs(root); err == nil {
			u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
			if !strings.HasSuffix(u.Path, "/") {
				u.Path += "/"
			}
			run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{srcRoot: {URI: u.String()}}
		}
	}
	ruleIndex := map[string]int{}
	for _, f := range sorted(fs, root) {
		id := ruleID(f)
		idx, ok := ruleIndex[id]
		if !ok {
			idx = len(run.Tool.Driver.Rules)
			ruleIndex[id] = idx
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(id, f.Source))
		}
		res := sarifResult{RuleID: id, RuleIndex: idx, Level: sarifLevel(f.Severity), Message: sarifMessage{f.Message}}
		if f.File != "" {
			res.Locations = []sarifLocation{{PhysicalLocation: sw.physical(f.File, f.Range)}}
		}
		for i, r := range f.Related {
			id := i + 1
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
				ID: &id, PhysicalLocation: sw.physical(r.File, r.Range), Message: &sarifMessage{r.Message},
			})
		}
		for _, fix := range f.Fixes {
			res.Fixes = append(res.Fixes, sw.fix(fix))
		}
		run.Results = append(run.Results, res)
	}
	return run
}

// ruleID is the finding's code; tools that give none (modpost) are their
// own rule.
func ruleID(f Finding) string {
	if f.Code != "" {
		return f.Code
	}
	if f.Source != "" {
		return f.Source
	}
	return "rustko-lsp"
}

func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

type sarifWriter struct {
	root  string
	files fileLines
}

func newSARIFWriter(root string) *sarifWriter {
	return &sarifWriter{root: root, files: fileLines{read: os.ReadFile, lines: map[string][][]byte{}}}
}

func (sw *sarifWriter) artifact(file string) sarifArtifactLoc {
	rel := relPath(sw.root, file)
	if rel != file || !filepath.IsAbs(file) {
		u := url.URL{Path: rel}
		s := u.EscapedPath()
		if strings.Contains(strings.SplitN(s, "/", 2)[0], ":") {
			s = "./" + s // a colon in the first segment would read as a scheme
		}
		return sarifArtifactLoc{URI: s, URIBaseID: srcRoot}
	}
	return sarifArtifactLoc{URI: (&url.URL{Scheme: "file", Path: filepath.ToSlash(file)}).String()}
}

func (sw *sarifWriter) physical(file string, r Range) sarifPhysical {
	return sarifPhysical{ArtifactLocation: sw.artifact(file), Region: sw.region(file, r)}
}

func (sw *sarifWriter) region(file string, r Range) *sarifRegion {
	if r.Start.Line < 1 {
		return nil
	}
	reg := &sarifRegion{StartLine: r.Start.Line, StartColumn: sw.column(file, r.Start)}
	if r.End.Line >= r.Start.Line {
		reg.EndLine = r.End.Line
		reg.EndColumn = sw.column(file, r.End)
	}
	return reg
}

// column converts a 1-based byte column into 1-based UTF-16 code units.
// Without the file (deleted, or a tool's made-up path) the byte column is
// the best guess, and exact for ASCII.
func (sw *sarifWriter) column(file string, p Position) int {
	if p.Column < 1 {
		return 0
	}
	lines := sw.files.of(file)
	if p.Line > len(lines) {
		return p.Column
	}
	line := lines[p.Line-1]
	n := p.Column - 1
	if n > len(line) {
		return p.Column
	}
	units := 0
	for _, r := range string(line[:n]) {
		units += utf16.RuneLen(r)
	}
	return units + 1
}

func (sw *sarifWriter) fix(fx Fix) sarifFix {
	out := sarifFix{Description: sarifMessage{fx.Title}}
	byFile := map[string]int{}
	for _, e := range fx.Edits {
		i, ok := byFile[e.File]
		if !ok {
			i = len(out.ArtifactChanges)
			byFile[e.File] = i
			out.ArtifactChanges = append(out.ArtifactChanges, sarifArtifactChange{ArtifactLocation: sw.artifact(e.File)})
		}
		rep := sarifReplacement{DeletedRegion: *sw.regionOrStart(e.File, e.Range)}
		if e.NewText != "" {
			rep.InsertedContent = &sarifMessage{e.NewText}
		}
		out.ArtifactChanges[i].Replacements = append(out.ArtifactChanges[i].Replacements, rep)
	}
	return out
}

// regionOrStart is region for edits, which always have a position.
func (sw *sarifWriter) regionOrStart(file string, r Range) *sarifRegion {
	if reg := sw.region(file, r); reg != nil {
		return reg
	}
	return &sarifRegion{StartLine: 1, StartColumn: 1, EndLine: 1, EndColumn: 1}
}
