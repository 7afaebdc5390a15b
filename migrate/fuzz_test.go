package migrate

import (
	"path/filepath"
	"testing"

	"github.com/rustko/rustko-lsp/diagnostics"
)

// FuzzPlan: migrate reads whatever a rust.ko-era project holds (its
// Cargo.toml, Makefile, kbuild.mk, Rust sources). Planning never panics,
// every finding points into the module with a usable range, the plan's
// edits fit together (Contents succeeds: `migrate --write` would otherwise
// refuse the whole plan), and the migrated module plans again cleanly.
func FuzzPlan(f *testing.F) {
	f.Add("[package]\nname = \"m\"\n\n[dependencies.linux-std]\npath = \"std\"\n\n[profile.release]\npanic = \"abort\"\n",
		"export KERNEL_MODULE := m\n\nall: build/Makefile\n# kbuild\n\n\t$(MAKE) -C $(KDIR) M=$(PWD)/build modules\n\nclean:\n\trm -rf build\n",
		"obj-m := m.o\n\tcd $(BASE_DIR) && xargo build\n",
		"#![no_std]\n#![feature(lang_items, alloc)]\n#![feature(panic_info_message)]\nextern crate linux_std as std;\nuse std::os::kernel::printk;\n\n#[lang = \"eh_personality\"]\nextern fn eh_personality() {}\n\n#[lang = \"panic_fmt\"]\nextern fn panic_fmt(_: core::fmt::Arguments, _: &'static str, _: u32) -> ! {\n\tloop{}\n}\n")
	f.Add("[package]\nname = \"m\"\n\n[lib]\ncrate-type = [\"staticlib\"]\n\n[dependencies.core]\ngit = \"https://github.com/phil-opp/nightly-libcore.git\"\n\n[dependencies]\ncompiler_builtins = { git = \"x\" }\n[workspace]\nmembers = [\"std\"]\n",
		"export CARGO = xargo\n\nall modules: build/Makefile\n\t@$(MAKE) -C $(KDIR) M=$(PWD)/build modules\n",
		"",
		"#![feature(lang_items)]\n#![no_std]\nextern crate compiler_builtins;\nuse core::str::StrExt;\n#[lang = \"panic_fmt\"]\nextern fn p(_: core::fmt::Arguments, file: &'static str, line: u32) -> ! {\n    unsafe { report(file, line) };\n    loop {}\n}\n")
	f.Fuzz(func(t *testing.T, cargo, makefile, kbuild, lib string) {
		files := map[string]string{"Cargo.toml": cargo, "Makefile": makefile, "kbuild.mk": kbuild, "src/lib.rs": lib}
		root, plan := planFor(t, files)
		checkPlan(t, root, plan)
		out, _, err := plan.Contents()
		if err != nil {
			t.Fatalf("the plan's edits do not apply: %v", err)
		}
		if plan.Empty() {
			return
		}
		migrated := map[string]string{}
		for rel, text := range files {
			migrated[rel] = text
		}
		for file, data := range out {
			rel, err := filepath.Rel(root, file)
			if err != nil {
				t.Fatal(err)
			}
			migrated[filepath.ToSlash(rel)] = string(data)
		}
		root2, again := planFor(t, migrated)
		checkPlan(t, root2, again)
		if _, _, err := again.Contents(); err != nil {
			t.Fatalf("the migrated module's plan does not apply: %v", err)
		}
	})
}

func checkPlan(t *testing.T, root string, p *Plan) {
	t.Helper()
	check := func(file string, r diagnostics.Range) {
		if rel, err := filepath.Rel(root, file); err != nil || !filepath.IsLocal(rel) {
			t.Fatalf("file %q is outside the module %s", file, root)
		}
		if r.Start.Line < 1 || r.Start.Column < 1 || r.End.Line < r.Start.Line || (r.End.Line == r.Start.Line && r.End.Column < r.Start.Column) {
			t.Fatalf("bad range %+v in %s", r, file)
		}
	}
	for _, f := range p.Findings {
		check(f.File, f.Range)
		if f.Message == "" {
			t.Fatalf("finding without a message at %s", f.File)
		}
		for _, fx := range f.Fixes {
			for _, e := range fx.Edits {
				check(e.File, e.Range)
			}
		}
	}
}
