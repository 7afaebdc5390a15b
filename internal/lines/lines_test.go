package lines

import "testing"

func TestPosition(t *testing.T) {
	x := New("ab\n\ncd")
	for _, tc := range []struct{ off, line, col int }{
		{-1, 1, 0}, {0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {4, 3, 1}, {6, 3, 3},
	} {
		if l, c := x.Position(tc.off); l != tc.line || c != tc.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
		}
	}
	if s := New([]byte("ab\n\ncd")).Start(3); s != 4 {
		t.Errorf("Start(3) = %d, want 4", s)
	}
}
