package initd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunPendingStopDoesNotStart(t *testing.T) {
	sigs := Notify()
	defer sigs.Stop()

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !sigs.Pending() {
		if time.Now().After(deadline) {
			t.Fatal("Pending() = false 10s after SIGTERM, want true")
		}
		time.Sleep(time.Millisecond)
	}

	marker := filepath.Join(t.TempDir(), "started")
	var logs []string
	cfg := Config{Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }}
	status, err := Run(sigs, []string{"/bin/sh", "-c", "touch " + marker}, nil, cfg)
	if status != 0 || err != nil {
		t.Errorf("Run = %d, %v, want 0, nil", status, err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the child ran although a stop request was pending")
	}
	if got := strings.Join(logs, "\n"); !strings.Contains(got, "SIGTERM before the child started") {
		t.Errorf("logs = %q, want the stop request named", got)
	}
}

func TestRunNoCommand(t *testing.T) {
	sigs := Notify()
	defer sigs.Stop()
	if status, err := Run(sigs, nil, nil, Config{}); status != exitNotFound || err == nil {
		t.Errorf("Run(nil argv) = %d, %v, want %d and an error", status, err, exitNotFound)
	}
}
