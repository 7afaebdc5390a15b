package vm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rustko/rustko-lsp/internal/proc"
)

// Config describes one boot.
type Config struct {
	// KO is the module file to load.
	KO string
	// Tree is the kernel build tree the module was built against; the image
	// is the one of its UTS_RELEASE. Empty: the module's vermagic decides.
	Tree string
	// Image is a kernel image to boot instead of the cached Debian one.
	Image string
	// Cache holds downloaded images (DefaultCache() when empty).
	Cache string
	// Params are the module's parameters, name=value.
	Params []string
	// Timeout bounds the boot (5 minutes when 0: TCG on a busy machine is slow).
	Timeout time.Duration
	// Wait is how long the module stays loaded before rmmod (whole seconds).
	Wait time.Duration
	// Accel is "tcg", "kvm" or "auto" (KVM when /dev/kvm can be opened).
	Accel string
	// SerialLog keeps the raw serial log at this path; empty: in WorkDir.
	SerialLog string
	// Keep leaves WorkDir (initramfs, serial log) in place.
	Keep bool
	// Progress receives what a person waiting should see (downloads, boot).
	Progress io.Writer
}

// Result is what one boot showed.
type Result struct {
	Release   string
	Module    string
	Accel     string
	Elapsed   time.Duration
	TimedOut  bool
	QEMUError string // QEMU's own failure (exit status and its last words)
	WorkDir   string // kept only with Config.Keep
	SerialLog string // path of the raw log (gone unless kept or named)
	Log       Log
}

// Boot builds an initramfs holding busybox and cfg.KO, boots the kernel
// matching the module's release under QEMU, and reads the serial log. A
// *SetupError means nothing could be learnt about the module; any other
// error is unexpected. What went wrong with the module itself is in the
// Result (Problems).
func Boot(ctx context.Context, cfg Config) (*Result, error) {
	res, err := boot(ctx, cfg)
	var setup *SetupError
	if (cfg.Accel == "" || cfg.Accel == "auto") && res == nil && errors.As(err, &setup) && setup.kvm {
		// /dev/kvm opened but QEMU could not run the guest with it (seen
		// here: an assertion in kvm_buf_set_msrs on a nested host). auto
		// means whatever works: boot again under emulation, and say so.
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "rustko: KVM failed (%s); booting again under emulation (tcg)\n", setup.Msg)
		}
		cfg.Accel = "tcg"
		return boot(ctx, cfg)
	}
	return res, err
}

// kvmDevice is what auto tries to open; a variable so tests can offer one.
var kvmDevice = "/dev/kvm"

func boot(ctx context.Context, cfg Config) (*Result, error) {
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		return nil, setupErr("apt-get install -y qemu-system-x86", "qemu-system-x86_64 not found")
	}
	busybox, err := staticBusybox()
	if err != nil {
		return nil, err
	}
	ko, err := filepath.Abs(cfg.KO)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(ko); err != nil {
		return nil, setupErr("build it first", "module %s does not exist", cfg.KO)
	}
	mi, err := ReadModInfo(ko)
	if err != nil {
		return nil, &SetupError{Msg: err.Error()}
	}
	release := mi.Release
	if cfg.Tree != "" {
		if release, err = TreeRelease(cfg.Tree); err != nil {
			return nil, &SetupError{Msg: err.Error()}
		}
		if release != mi.Release {
			return nil, &SetupError{Msg: fmt.Sprintf("%s was built for %s (vermagic) but %s is %s", cfg.KO, mi.Release, cfg.Tree, release)}
		}
	}
	img := cfg.Image
	if img == "" {
		cache := cfg.Cache
		if cache == "" {
			cache = DefaultCache()
		}
		if img, err = FindImage(ctx, cache, release, progress); err != nil {
			return nil, err
		}
	} else if _, err := os.Stat(img); err != nil {
		return nil, setupErr("name an existing file with --image", "kernel image %s: %v", img, err)
	}
	accel := cfg.Accel
	if accel == "" || accel == "auto" {
		accel = "tcg"
		if f, err := os.OpenFile(kvmDevice, os.O_RDWR, 0); err == nil {
			f.Close()
			accel = "kvm"
		}
	}
	if accel != "tcg" && accel != "kvm" {
		return nil, &SetupError{Msg: fmt.Sprintf("unknown accelerator %q: use auto, kvm or tcg", accel)}
	}

	work, err := os.MkdirTemp("", "rustko-vm.")
	if err != nil {
		return nil, fmt.Errorf("VM work folder: %w", err)
	}
	res := &Result{Release: release, Module: mi.Name, Accel: accel}
	if cfg.Keep {
		res.WorkDir = work
	} else {
		defer os.RemoveAll(work)
	}
	initrd := filepath.Join(work, "initrd.cpio.gz")
	wait := int(cfg.Wait.Round(time.Second) / time.Second)
	if err := buildInitramfs(initrd, busybox, ko, mi.Name, cfg.Params, wait); err != nil {
		return nil, err
	}
	res.SerialLog = cfg.SerialLog
	if res.SerialLog == "" {
		res.SerialLog = filepath.Join(work, "serial.log")
	}
	out, err := os.Create(res.SerialLog)
	if err != nil {
		return nil, fmt.Errorf("serial log: %w", err)
	}
	defer out.Close()

	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	args := qemuArgs(accel, img, initrd)
	bctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(bctx, qemu, args...)
	cmd.Stdin = nil
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, killed whole when bctx ends: no QEMU outlives
	// a cancelled run.
	proc.Group(cmd, 10*time.Second)
	fmt.Fprintf(progress, "rustko: booting %s (%s) with %s.ko\n", release, accel, mi.Name)
	start := time.Now()
	runErr := cmd.Run()
	res.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(res.SerialLog)
	if err != nil {
		return nil, fmt.Errorf("serial log: %w", err)
	}
	res.Log = ParseLog(string(data), mi.Name)
	switch {
	case bctx.Err() != nil:
		res.TimedOut = true
	case runErr != nil:
		var exit *exec.ExitError
		if !errors.As(runErr, &exit) {
			return nil, fmt.Errorf("running QEMU: %w", runErr)
		}
		res.QEMUError = fmt.Sprintf("QEMU exited with status %d: %s", exit.ExitCode(), strings.TrimSpace(strings.Join(lastLines(res.Log.Console, 1), "")))
		if !res.Log.Started {
			// QEMU refused to start (bad image, no KVM access): not the module's fault.
			return nil, &SetupError{Msg: res.QEMUError, kvm: accel == "kvm"}
		}
	}
	return res, nil
}

// kernelCmdline is the guest kernel's command line.
//
// oops=panic with panic=-1 (and QEMU's -no-reboot): an oops ends the VM at
// once, its report complete on the console.
//
// no_timer_check: at boot the kernel checks that the IO-APIC delivers the
// timer interrupt by counting ticks over a busy-wait calibrated moments
// before. Under TCG on a loaded host the emulated CPU is descheduled during
// that window, the count comes out short, and the kernel panics with
// "IO-APIC + timer doesn't work!" (after "MP-BIOS bug: 8254 timer not
// connected") before the module is ever loaded. QEMU's timer is wired
// correctly, so the check only adds a load-dependent failure; KVM guests
// skip it on their own and libguestfs's appliance passes it for TCG too.
const kernelCmdline = "console=ttyS0 panic=-1 oops=panic no_timer_check quiet"

// tcgWatchdog is added under TCG. The soft-lockup watchdog measures guest
// time against the host's clock, so on a busy host a descheduled TCG vCPU
// looks stuck for 20 s and the kernel taints itself L ("soft lockup") with
// no fault of the module (seen with a load of 16 on two cores). At 60 the
// watchdog speaks after 120 s, still inside the run's 5-minute default,
// so a module that really spins is still reported with its backtrace.
const tcgWatchdog = "watchdog_thresh=60"

// qemuArgs is QEMU's command line for one boot.
func qemuArgs(accel, img, initrd string) []string {
	cmdline := kernelCmdline
	if accel == "tcg" {
		cmdline += " " + tcgWatchdog
	}
	args := []string{"-accel", accel, "-m", "512", "-smp", "1",
		"-kernel", img, "-initrd", initrd,
		"-append", cmdline,
		"-nographic", "-no-reboot", "-monitor", "none", "-serial", "stdio"}
	if accel == "kvm" {
		args = append(args, "-cpu", "host")
	}
	return args
}
