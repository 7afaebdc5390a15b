package proc

import "strings"

// Tail is the last n lines of a tool's output for an error message that
// quotes it: a "..." line first when lines were left out, each line cut at
// 300 bytes (a compiler can print one line of a whole preprocessed file).
func Tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	for i, l := range lines {
		if len(l) > 300 {
			lines[i] = l[:300] + "..."
		}
	}
	return strings.Join(lines, "\n")
}
