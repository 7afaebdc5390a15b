package server

import (
	"slices"
	"testing"
)

func TestParseSettings(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name    string
		raw     string
		want    Settings
		unknown []string
		err     bool
	}{
		{"absent", ``, Settings{}, nil, false},
		{"null", `null`, Settings{}, nil, false},
		{"bare", `{"kernelDir":"/k","buildOnSave":false}`, Settings{KernelDir: "/k", BuildOnSave: &no}, nil, false},
		{"under rustko", `{"rustko":{"rustRoot":"/usr","helpers":["kmalloc"],"extraHeaders":["linux/fs.h"]}}`,
			Settings{RustRoot: "/usr", Helpers: []string{"kmalloc"}, ExtraHeaders: []string{"linux/fs.h"}}, nil, false},
		{"unknown keys still apply the known", `{"rustko":{"buildOnSave":true,"trace":"verbose","zeta":1}}`, Settings{BuildOnSave: &yes}, []string{"trace", "zeta"}, false},
		{"wrong type", `{"kernelDir":5}`, Settings{}, nil, true},
		{"not an object", `[1,2]`, Settings{}, nil, true},
		{"rustko not an object", `{"rustko":"x"}`, Settings{}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, unknown, err := parseSettings([]byte(tc.raw))
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if !got.equal(tc.want) || got.KernelDir != tc.want.KernelDir {
				t.Errorf("settings = %+v, want %+v", got, tc.want)
			}
			if !slices.Equal(unknown, tc.unknown) {
				t.Errorf("unknown = %v, want %v", unknown, tc.unknown)
			}
		})
	}
	o := Settings{KernelDir: "/k", RustRoot: "/r"}.overrides()
	if o["KERNEL_BUILD_PATH"] != "/k" || o["RUST_ROOT"] != "/r" || len(o) != 2 {
		t.Errorf("overrides = %v", o)
	}
}
