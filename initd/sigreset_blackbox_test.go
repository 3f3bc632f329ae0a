package initd_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// caughtSignals returns SigCgt of /proc/PID/status as a bit mask: bit n-1
// is set when signal n has a handler.
func caughtSignals(t *testing.T, pid int) uint64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	mask, err := strconv.ParseUint(statusField(string(b), "SigCgt"), 16, 64)
	if err != nil {
		t.Fatalf("parse SigCgt of pid %d: %v", pid, err)
	}
	return mask
}

func TestReservedSignalHandlers(t *testing.T) {
	// Go 1.26 without cgo handles signal 33 itself and no other of 32 to 34.
	file := filepath.Join(t.TempDir(), "signals")
	p := startInit(t, nil, testchildBin, "record", file)
	waitReady(t, file)

	caught := caughtSignals(t, p.pid())
	for sig, want := range map[int]bool{32: false, 33: true, 34: false} {
		if got := caught&(1<<(sig-1)) != 0; got != want {
			t.Errorf("signal %d caught = %t, want %t (SigCgt %#x)", sig, got, want, caught)
		}
	}
}

func TestSignal33DroppedByGoRuntime(t *testing.T) {
	// The runtime's handler for signal 33 returns without a pending
	// per-thread system call, so a non-PID-1 nginit survives it and the
	// child never receives it.
	file := filepath.Join(t.TempDir(), "signals")
	p := startInit(t, nil, testchildBin, "record", file)
	waitReady(t, file)

	p.signal(syscall.Signal(33))
	time.Sleep(100 * time.Millisecond)
	select {
	case <-p.done:
		t.Fatalf("testinit exited on signal 33\nstderr:\n%s", p.stderr.String())
	default:
	}

	p.signal(syscall.SIGTERM)
	if got := p.wait(10 * time.Second); got != 0 {
		t.Errorf("exit status = %d, want 0", got)
	}
	if got := recordedWithoutCont(file); len(got) != 1 || got[0] != "SIGQUIT" {
		t.Errorf("child recorded %q, want only the stop sequence's SIGQUIT", got)
	}
}
