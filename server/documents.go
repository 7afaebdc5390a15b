package server

import (
	"fmt"
	"maps"
	"path/filepath"
	"sync"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// document is one open buffer at one version. Values are immutable: an edit
// makes a new document, so a reader holding one never sees it change.
type document struct {
	uri     uri.URI // exactly as the client sent it, so publishes match its buffer
	path    string  // absolute file path; "" for non-file URIs (untitled:, git:)
	version int32
	lang    string
	text    *text
	log     *editLog // the edits since didOpen, shared by all versions
	seq     int      // how many of them this version has
}

// documents is the set of open buffers, keyed by file path (URIs of one file
// may be spelled differently by different requests) or by the raw URI for
// non-file documents.
type documents struct {
	mu   sync.RWMutex
	docs map[string]*document
	// alias maps the symlink-free path of an open file to its key, for
	// findings from tools (rustc, gcc) that name files by their real path:
	// they must reach the URI the client opened.
	alias map[string]string
}

func newDocuments() *documents {
	return &documents{docs: map[string]*document{}, alias: map[string]string{}}
}

// realPath is path with symlinks resolved, or "" when that is path itself
// or it cannot be resolved.
func realPath(path string) string {
	r, err := filepath.EvalSymlinks(path)
	if err != nil || r == path {
		return ""
	}
	return r
}

// uriKey maps a URI to the key documents use, and the file path when it is a
// file: URI. Anything else is kept, but never analysed or built.
func uriKey(u uri.URI) (key, path string) {
	if u.Scheme() == "file" {
		p := filepath.Clean(u.FsPath())
		if filepath.IsAbs(p) {
			return p, p
		}
	}
	return string(u), ""
}

func (ds *documents) open(item protocol.TextDocumentItem) *document {
	key, path := uriKey(item.URI)
	d := &document{uri: item.URI, path: path, version: item.Version, lang: string(item.LanguageID), text: newText(item.Text), log: &editLog{}}
	real := ""
	if path != "" {
		real = realPath(path)
	}
	ds.mu.Lock()
	ds.docs[key] = d
	if real != "" {
		ds.alias[real] = key
	}
	ds.mu.Unlock()
	return d
}

// change applies a didChange in order. Changes to a buffer that was never
// opened are an error the client should hear about in the log, not a crash.
func (ds *documents) change(p *protocol.DidChangeTextDocumentParams, e encoding) (*document, error) {
	key, _ := uriKey(p.TextDocument.URI)
	ds.mu.Lock()
	defer ds.mu.Unlock()
	old, ok := ds.docs[key]
	if !ok {
		return nil, fmt.Errorf("didChange for %s, which is not open (no didOpen was received)", p.TextDocument.URI)
	}
	t := old.text
	var edits []edit
	for i, ch := range p.ContentChanges {
		switch c := ch.(type) {
		case *protocol.TextDocumentContentChangeWholeDocument:
			edits = append(edits, diffEdit(t.s, c.Text))
			t = newText(c.Text)
		case *protocol.TextDocumentContentChangePartial:
			nt, ed, err := t.apply(c.Range, c.Text, e)
			if err != nil {
				return nil, fmt.Errorf("didChange for %s, change %d: %w", p.TextDocument.URI, i, err)
			}
			edits = append(edits, ed)
			t = nt
		default:
			return nil, fmt.Errorf("didChange for %s, change %d: neither a range edit nor a whole document", p.TextDocument.URI, i)
		}
	}
	d := *old
	d.text = t
	d.version = p.TextDocument.Version
	for _, ed := range edits {
		d.seq = d.log.add(ed)
	}
	ds.docs[key] = &d
	return &d, nil
}

func (ds *documents) close(u uri.URI) *document {
	key, _ := uriKey(u)
	ds.mu.Lock()
	defer ds.mu.Unlock()
	d := ds.docs[key]
	delete(ds.docs, key)
	maps.DeleteFunc(ds.alias, func(_, k string) bool { return k == key })
	return d
}

// byPath returns the open document for an absolute file path, or nil.
func (ds *documents) byPath(path string) *document {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	if d, ok := ds.docs[path]; ok {
		return d
	}
	if k, ok := ds.alias[path]; ok {
		return ds.docs[k]
	}
	return nil
}

// under returns the open file documents inside dir.
func (ds *documents) under(dir string) []*document {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	var out []*document
	for _, d := range ds.docs {
		if d.path != "" && within(dir, d.path) {
			out = append(out, d)
		}
	}
	return out
}

// within reports whether path is dir or lies below it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != "../")
}
