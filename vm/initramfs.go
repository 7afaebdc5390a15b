package vm

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/rustko/rustko-lsp/internal/proc"
)

// cpioEntry is one file of the initramfs.
type cpioEntry struct {
	name string
	mode uint32 // type and permission bits as in stat(2)
	data []byte // file contents, or a symlink's target
}

const (
	modeDir     = 0o040000
	modeRegular = 0o100000
	modeSymlink = 0o120000
)

// writeInitramfs writes entries as a gzip-compressed cpio "newc" archive,
// the format the kernel unpacks into its root file system. Writing it here
// rather than running cpio and gzip leaves two fewer tools to install.
func writeInitramfs(w io.Writer, entries []cpioEntry) error {
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	ino := uint32(1)
	put := func(name string, mode uint32, data []byte) error {
		nlink := uint32(1)
		if mode&0o170000 == modeDir {
			nlink = 2
		}
		hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
		ino++
		buf := []byte(hdr + name + "\x00")
		buf = pad4(buf)
		buf = append(buf, data...)
		buf = pad4(buf)
		_, err := zw.Write(buf)
		return err
	}
	for _, e := range entries {
		if err := put(e.name, e.mode, e.data); err != nil {
			return fmt.Errorf("writing the initramfs: %w", err)
		}
	}
	if err := put("TRAILER!!!", 0, nil); err != nil {
		return fmt.Errorf("writing the initramfs: %w", err)
	}
	return zw.Close()
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// initScript is the guest's /init: it loads the module with its parameters,
// waits, unloads it and prints the kernel log, then powers off. The markers
// go into the kernel log itself (/dev/kmsg) so that the log can be cut at
// them whether it is read from the final dmesg or, after a panic, from what
// the console printed live.
func initScript(modname string, params []string, waitSeconds int) string {
	var q []string
	for _, p := range params {
		q = append(q, proc.ShellQuote(p))
	}
	return fmt.Sprintf(`#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo 7 > /proc/sys/kernel/printk
mark() { echo "%[1]s$*" > /dev/kmsg; }
mark "insmod %[2]s"
if out=$(insmod /%[2]s.ko %[3]s 2>&1); then
	mark "insmod ok"
	sleep %[4]d
	if out=$(rmmod %[2]s 2>&1); then mark "rmmod ok"; else mark "rmmod failed: $out"; fi
else
	mark "insmod failed: $out"
fi
mark "tainted $(cat /proc/sys/kernel/tainted)"
echo "%[5]s"
dmesg
echo "%[6]s"
poweroff -f
`, markerPrefix, modname, strings.Join(q, " "), waitSeconds, dmesgMarker, doneMarker)
}

// buildInitramfs assembles busybox, the module and /init.
func buildInitramfs(path, busybox, ko, modname string, params []string, waitSeconds int) error {
	bb, err := os.ReadFile(busybox)
	if err != nil {
		return fmt.Errorf("reading busybox: %w", err)
	}
	mod, err := os.ReadFile(ko)
	if err != nil {
		return fmt.Errorf("reading the module: %w", err)
	}
	entries := []cpioEntry{
		{name: "bin", mode: modeDir | 0o755},
		{name: "bin/busybox", mode: modeRegular | 0o755, data: bb},
		{name: "bin/sh", mode: modeSymlink | 0o777, data: []byte("busybox")},
		{name: "dev", mode: modeDir | 0o755},
		{name: "proc", mode: modeDir | 0o755},
		{name: "sys", mode: modeDir | 0o755},
		{name: "init", mode: modeRegular | 0o755, data: []byte(initScript(modname, params, waitSeconds))},
		{name: modname + ".ko", mode: modeRegular | 0o644, data: mod},
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating the initramfs: %w", err)
	}
	if err := writeInitramfs(f, entries); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
