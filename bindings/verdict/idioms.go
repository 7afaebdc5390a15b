package verdict

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed idioms.tsv
var idiomsTSV string

// Idiom is one row of idioms.tsv.
type Idiom struct {
	Name   string
	Class  string
	Target string // "" when there is no function to call instead
	Advice string
	Line   int // line in idioms.tsv, for error messages
}

var (
	idiomsOnce   sync.Once
	idiomsByName map[string]Idiom
)

// Idioms returns the table, in file order. The table is part of the binary,
// so an error here is a bug that TestIdiomTable catches before release.
func Idioms() ([]Idiom, error) {
	return parseIdioms(idiomsTSV)
}

func lookupIdiom(name string) (Idiom, bool) {
	idiomsOnce.Do(func() {
		// A broken table leaves it empty; TestIdiomTable keeps it from shipping.
		rows, _ := Idioms()
		idiomsByName = make(map[string]Idiom, len(rows))
		for _, r := range rows {
			idiomsByName[r.Name] = r
		}
	})
	it, ok := idiomsByName[name]
	return it, ok
}

var idiomClasses = map[string]bool{ClassIdiom: true, ClassHiddenState: true, ClassDeclares: true, ClassStatement: true}

func parseIdioms(data string) ([]Idiom, error) {
	var out []Idiom
	seen := map[string]int{}
	for i, line := range strings.Split(data, "\n") {
		n := i + 1
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("idioms.tsv:%d: want 4 tab-separated columns (name, class, target, advice), got %d", n, len(f))
		}
		r := Idiom{Name: f[0], Class: f[1], Target: f[2], Advice: strings.TrimSpace(f[3]), Line: n}
		if r.Target == "-" {
			r.Target = ""
		}
		switch {
		case r.Name == "" || strings.ContainsAny(r.Name, " ()"):
			return nil, fmt.Errorf("idioms.tsv:%d: %q is not a macro name", n, r.Name)
		case !idiomClasses[r.Class]:
			return nil, fmt.Errorf("idioms.tsv:%d: class %q is not one of idiom, hidden-state, declares, statement", n, r.Class)
		case r.Advice == "":
			return nil, fmt.Errorf("idioms.tsv:%d: %s has no advice", n, r.Name)
		}
		if prev, dup := seen[r.Name]; dup {
			return nil, fmt.Errorf("idioms.tsv:%d: %s is already listed on line %d", n, r.Name, prev)
		}
		seen[r.Name] = n
		out = append(out, r)
	}
	return out, nil
}
