//go:build linux

package cc

import (
	"runtime"
	"testing"
)

func TestZZLive(t *testing.T) {
	k := rustkoKernelFlags(t)
	cfg := k.config(t)
	cfg.Header = true
	src := k.sources(cfg, rustkoHeaders6)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	ast, err := Translate(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("live after Translate: %d MiB (base %d MiB), total alloc %d MiB", (ms.HeapAlloc-base)>>20, base>>20, ms.TotalAlloc>>20)
	runtime.KeepAlive(ast)
}

func TestZZSkip(t *testing.T) {
	k := rustkoKernelFlags(t)
	for _, skip := range []bool{false, true} {
		cfg := k.config(t)
		cfg.Header = true
		cfg.SkipFunctionBodies = skip
		src := k.sources(cfg, rustkoHeaders6)
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		ta := ms.TotalAlloc
		ast, err := Translate(cfg, src)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		t.Logf("skip=%v live after Translate: %d MiB, alloc %d MiB, %d file scope names", skip, (ms.HeapAlloc-base)>>20, (ms.TotalAlloc-ta)>>20, len(ast.Scope.Nodes))
		runtime.KeepAlive(ast)
	}
}
