package main

import (
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/nginit/nginit/nginxconf"
)

func TestSupervisionConfigFromSettings(t *testing.T) {
	clearNginitEnv(t)
	t.Setenv("NGINIT_STOP_DELAY", "7s")
	t.Setenv("NGINIT_STOP_SIGNAL", "SIGTERM")
	t.Setenv("NGINIT_STOP_TIMEOUT", "11s")
	t.Setenv("NGINIT_KILL_GRACE", "3s")
	t.Setenv("NGINIT_SIGNAL_GROUP", "true")
	inv, err := parseInvocation(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}

	cfg := supervisionConfig(inv.settings, &logger{out: io.Discard})
	if cfg.StopDelay != 7*time.Second {
		t.Errorf("StopDelay = %s, want 7s", cfg.StopDelay)
	}
	if cfg.StopSignal != syscall.SIGTERM {
		t.Errorf("StopSignal = %v, want SIGTERM", cfg.StopSignal)
	}
	if cfg.StopTimeout != 11*time.Second {
		t.Errorf("StopTimeout = %s, want 11s", cfg.StopTimeout)
	}
	if cfg.KillGrace != 3*time.Second {
		t.Errorf("KillGrace = %s, want 3s", cfg.KillGrace)
	}
	if !cfg.SignalGroup {
		t.Errorf("SignalGroup = false, want true")
	}
	if cfg.Logf == nil || cfg.Debugf == nil {
		t.Errorf("Logf or Debugf is nil, want the logger's")
	}
}

func TestErrorLogToStderr(t *testing.T) {
	unwritable := "/proc/nginit-no-such-dir/error.log"
	tests := []struct {
		name    string
		log     string
		version string
		cmdSetE bool
		want    bool
	}{
		{name: "unwritable log, new nginx", log: unwritable, version: "1.27.3", want: true},
		{name: "unwritable log, nginx before -e", log: unwritable, version: "1.18.0", want: false},
		{name: "unwritable log, -e given", log: unwritable, version: "1.27.3", cmdSetE: true, want: false},
		{name: "stderr already", log: nginxconf.Stderr, version: "1.27.3", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup := &nginxSetup{
				Build:   nginxconf.BuildInfo{Version: tt.version},
				Command: &nginxconf.CommandLine{ErrorLogSet: tt.cmdSetE},
				Plan:    &nginxconf.Plan{StartupErrorLog: tt.log},
			}
			if got := errorLogToStderr(setup); got != tt.want {
				t.Errorf("errorLogToStderr(%s, nginx %s, -e %t) = %t, want %t", tt.log, tt.version, tt.cmdSetE, got, tt.want)
			}
		})
	}
}
