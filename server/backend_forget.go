package server

// ForgetParse drops the last parse of path (its syntax trees in C and Go,
// several times the file's size), kept only to make the next keystroke's
// reparse incremental.
func (b *realBackend) ForgetParse(path string) {
	b.mu.Lock()
	delete(b.files, path)
	b.mu.Unlock()
}
