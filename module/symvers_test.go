package module

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rustko/rustko-lsp/internal/testkernel"
)

func TestParseSymvers(t *testing.T) {
	tests := []struct {
		name, text string
		want       []Export
	}{
		{
			name: "6.x layout, GPL and not, with and without namespace",
			text: "0x4c9d28b0\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\n" +
				"0x039823de\tinit_uts_ns\tvmlinux\tEXPORT_SYMBOL_GPL\t\n" +
				"0x84b45156\tinsert_resource_expand_to_fit\tvmlinux\tEXPORT_SYMBOL_GPL\tCXL\n" +
				"0x00000000\tusb_stor_probe1\tdrivers/usb/storage/usb-storage\tEXPORT_SYMBOL_GPL\tUSB_STORAGE\n",
			want: []Export{
				{"phys_base", 0x4c9d28b0, "vmlinux", ExportSymbol, "", 1},
				{"init_uts_ns", 0x039823de, "vmlinux", ExportSymbolGPL, "", 2},
				{"insert_resource_expand_to_fit", 0x84b45156, "vmlinux", ExportSymbolGPL, "CXL", 3},
				{"usb_stor_probe1", 0, "drivers/usb/storage/usb-storage", ExportSymbolGPL, "USB_STORAGE", 4},
			},
		},
		{
			name: "5.4-5.9 layout: namespace before module",
			text: "0x12345678\tusb_stor_probe1\tUSB_STORAGE\tdrivers/usb/storage/usb-storage\tEXPORT_SYMBOL_GPL\n" +
				"0x0000abcd\tprintk\t\tvmlinux\tEXPORT_SYMBOL\n",
			want: []Export{
				{"usb_stor_probe1", 0x12345678, "drivers/usb/storage/usb-storage", ExportSymbolGPL, "USB_STORAGE", 1},
				{"printk", 0xabcd, "vmlinux", ExportSymbol, "", 2},
			},
		},
		{
			name: "pre-5.4 layout, CRLF, blank lines, trailing tab dropped",
			text: "0x1\tprintk\tvmlinux\tEXPORT_SYMBOL\r\n\n0x2\told\tvmlinux\tEXPORT_UNUSED_SYMBOL_GPL\n0x3\tfut\tvmlinux\tEXPORT_SYMBOL_GPL_FUTURE",
			want: []Export{
				{"printk", 1, "vmlinux", ExportSymbol, "", 1},
				{"old", 2, "vmlinux", ExportUnusedGPL, "", 3},
				{"fut", 3, "vmlinux", ExportSymbolGPLFuture, "", 4},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseSymvers("Module.symvers", tt.text)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "All", s.All(), tt.want)
			for _, w := range tt.want {
				got, ok := s.Lookup(w.Symbol)
				if !ok {
					t.Errorf("Lookup(%s) found nothing", w.Symbol)
				}
				eq(t, w.Symbol+" GPLOnly", got.GPLOnly(), w.Kind == ExportSymbolGPL || w.Kind == ExportUnusedGPL)
			}
			if _, ok := s.Lookup("kmalloc"); ok {
				t.Error("Lookup(kmalloc) found a symbol that is not in the file")
			}
		})
	}
}

func TestParseSymversErrors(t *testing.T) {
	good := "0x1\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n"
	tests := []struct {
		name, bad, want string
	}{
		{"too few columns", "0x1\tprintk\tvmlinux", "3 tab-separated columns"},
		{"spaces instead of tabs", "0x1 printk vmlinux EXPORT_SYMBOL", "1 tab-separated columns"},
		{"too many columns", "0x1\ta\tb\tEXPORT_SYMBOL\tc\td", "more than 5"},
		{"unknown kind", "0x1\tprintk\tvmlinux\tEXPORT_SYMBOL_NS\t", "no export kind"},
		{"bad crc", "1234\tprintk\tvmlinux\tEXPORT_SYMBOL\t", `CRC "1234"`},
		{"crc too long", "0x123456789\tprintk\tvmlinux\tEXPORT_SYMBOL\t", "CRC"},
		{"empty symbol", "0x1\t\tvmlinux\tEXPORT_SYMBOL\t", "symbol name"},
		{"empty module", "0x1\tx\t\tEXPORT_SYMBOL\t", "no module"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSymvers("/k/Module.symvers", good+good+tt.bad+"\n"+good)
			if err == nil {
				t.Fatal("parsed a malformed line")
			}
			for _, w := range []string{"/k/Module.symvers:3: ", tt.want, "CRC<TAB>symbol"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if _, err := ReadSymvers(filepath.Join(t.TempDir(), "Module.symvers")); err == nil || !strings.Contains(err.Error(), "linux-headers") {
		t.Errorf("missing file: err = %v", err)
	}
}

// TestReadSymversReal loads the installed kernel's file and checks it
// against the text itself, line by line.
func TestReadSymversReal(t *testing.T) {
	path := filepath.Join(testkernel.Dir(t), "Module.symvers")
	s, err := ReadSymvers(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines, gpl, plain, ns := 0, 0, 0, 0
	for sc.Scan() {
		lines++
		cols := strings.Split(sc.Text(), "\t")
		e, ok := s.Lookup(cols[1])
		if !ok {
			t.Fatalf("line %d: %s not found", lines, cols[1])
		}
		if e.Line != lines || string(e.Kind) != cols[3] || e.Module != cols[2] || e.Namespace != cols[4] {
			t.Fatalf("line %d %q parsed as %+v", lines, sc.Text(), e)
		}
		switch {
		case e.GPLOnly():
			gpl++
		default:
			plain++
		}
		if e.Namespace != "" {
			ns++
		}
	}
	eq(t, "Len", s.Len(), lines)
	if lines < 10000 || gpl == 0 || plain == 0 || ns == 0 {
		t.Errorf("%d lines, %d GPL-only, %d not, %d namespaced: the file looks incomplete", lines, gpl, plain, ns)
	}
	// Facts about 6.x and 7.x kernels a module author meets first (__kmalloc is
	// __kmalloc_noprof since 6.10, so kfree stands for the allocator).
	for sym, wantGPL := range map[string]bool{"_printk": false, "kfree": false, "init_uts_ns": true} {
		e, ok := s.Lookup(sym)
		if !ok {
			t.Errorf("%s is not exported", sym)
			continue
		}
		eq(t, sym+" GPLOnly", e.GPLOnly(), wantGPL)
	}
	if _, ok := s.Lookup("kmalloc"); ok {
		t.Error("kmalloc (a static inline) is listed as exported")
	}
}

func BenchmarkReadSymversReal(b *testing.B) {
	path := filepath.Join(testkernel.Dir(b), "Module.symvers")
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	for b.Loop() {
		if _, err := ReadSymvers(path); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseSymvers: any input parses or fails with a path:line error, and
// whatever parses can be looked up.
func FuzzParseSymvers(f *testing.F) {
	f.Add("0x4c9d28b0\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\n0x039823de\tinit_uts_ns\tvmlinux\tEXPORT_SYMBOL_GPL\tNS\n")
	f.Add("0x1\ta\tNS\tm\tEXPORT_SYMBOL_GPL\r\n\n0x2\tb\tvmlinux\tEXPORT_SYMBOL")
	f.Add("0x\t\t\t\t\t\t")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := parseSymvers("fuzz", text)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		if s.Len() > strings.Count(text, "\n")+1 {
			t.Fatalf("%d symbols from %d lines", s.Len(), strings.Count(text, "\n")+1)
		}
		for _, e := range s.All() {
			got, ok := s.Lookup(e.Symbol)
			if !ok || got != e {
				t.Fatalf("Lookup(%q) = %+v, %v; want %+v", e.Symbol, got, ok, e)
			}
		}
	})
}

// All returns every export in file order, for comparing whole parses.
func (s *Symvers) All() []Export {
	out := make([]Export, 0, len(s.exports))
	for _, e := range s.exports {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}
