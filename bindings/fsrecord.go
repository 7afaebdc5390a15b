package bindings

import (
	"context"
	"crypto/sha256"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// recordingFS is the file system the C front end reads headers through. It
// records every file it opens, with a content hash taken while the front
// end reads it, and every path it probed in vain: together they are what the
// cache must check to know the output is still right. It also lets a
// cancelled context stop the front end, which has no context of its own:
// once ctx is done every open fails and preprocessing ends.
type recordingFS struct {
	ctx    context.Context
	mu     sync.Mutex
	files  map[string]*fileRecord
	misses map[string]bool
}

// fileRecord is one header the front end read.
type fileRecord struct {
	Path  string
	Size  int64
	MTime int64 // UnixNano
	Ino   uint64
	Hash  [32]byte
	h     hash.Hash
	done  bool
}

func newRecordingFS(ctx context.Context) *recordingFS {
	return &recordingFS{ctx: ctx, files: map[string]*fileRecord{}, misses: map[string]bool{}}
}

func (r *recordingFS) Open(name string) (fs.File, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f, err := os.Open(name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.misses[filepath.Clean(name)] = true
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		return f, nil
	}
	p := filepath.Clean(name)
	rec := r.files[p]
	if rec != nil {
		// Read once already: no need to hash it again.
		return f, nil
	}
	rec = &fileRecord{Path: p, Size: st.Size(), MTime: st.ModTime().UnixNano(), Ino: inode(st), h: sha256.New()}
	r.files[p] = rec
	return &hashingFile{File: f, rec: rec}, nil
}

// hashingFile hashes what the front end reads; the front end reads every
// header whole, so the hash covers the file once it reports EOF.
type hashingFile struct {
	*os.File
	rec *fileRecord
}

func (h *hashingFile) Read(p []byte) (int, error) {
	n, err := h.File.Read(p)
	if n > 0 && !h.rec.done {
		h.rec.h.Write(p[:n])
	}
	if err != nil && !h.rec.done {
		h.rec.done = true
		copy(h.rec.Hash[:], h.rec.h.Sum(nil))
		h.rec.h = nil
	}
	return n, err
}
