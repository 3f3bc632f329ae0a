package main

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestLoadSettingsDefaults(t *testing.T) {
	clearNginitEnv(t)
	s, err := loadSettings()
	if err != nil {
		t.Fatalf("loadSettings() with no variables: %v", err)
	}
	if s.RuntimeDir != "/tmp/nginit" {
		t.Errorf("RuntimeDir = %q, want /tmp/nginit", s.RuntimeDir)
	}
	if s.Umask != 0o027 {
		t.Errorf("Umask = %04o, want 0027", int(s.Umask))
	}
	if s.StopTimeout != 30*time.Second || s.KillGrace != 5*time.Second || s.StopDelay != 0 {
		t.Errorf("stop durations = %s, %s, %s; want 0s, 30s, 5s", s.StopDelay, s.StopTimeout, s.KillGrace)
	}
	if s.StopSignal.String() != "SIGQUIT" {
		t.Errorf("StopSignal = %s, want SIGQUIT", s.StopSignal.String())
	}
	if s.Tmpfs != "warn" || s.WorkerProcesses != "auto" || s.WalkLimit != 100000 {
		t.Errorf("Tmpfs, WorkerProcesses, WalkLimit = %q, %q, %d; want warn, auto, 100000", s.Tmpfs, s.WorkerProcesses, s.WalkLimit)
	}
}

func TestLoadSettingsInvalid(t *testing.T) {
	tests := []struct {
		variable, value, accepted string
	}{
		{"NGINIT_UMASK", "0999", "octal mask"},
		{"NGINIT_UMASK", "abc", "octal mask"},
		{"NGINIT_UMASK", "0700", "owner's permissions"},
		{"NGINIT_STOP_DELAY", "5", "duration such as"},
		{"NGINIT_STOP_TIMEOUT", "-1s", "zero or more"},
		{"NGINIT_KILL_GRACE", "soon", "duration such as"},
		{"NGINIT_STOP_SIGNAL", "SIGNOPE", "SIGQUIT"},
		{"NGINIT_STOP_SIGNAL", "SIGCHLD", "SIGQUIT"},
		{"NGINIT_STOP_SIGNAL", "HUP", "SIGQUIT"},
		{"NGINIT_SIGNAL_GROUP", "yes please", "true or false"},
		{"NGINIT_LOG_LEVEL", "trace", "info or debug"},
		{"NGINIT_STRICT", "2", "true or false"},
		{"NGINIT_TMPFS", "maybe", "require, warn or off"},
		{"NGINIT_WALK_LIMIT", "many", "whole number"},
		{"NGINIT_WALK_LIMIT", "0", "1 or more"},
		{"NGINIT_RUNTIME_DIR", "tmp/nginit", "absolute path"},
		{"NGINIT_WORKER_PROCESSES", "4", "auto or off"},
	}
	for _, tt := range tests {
		t.Run(tt.variable+"="+tt.value, func(t *testing.T) {
			clearNginitEnv(t)
			t.Setenv(tt.variable, tt.value)
			_, err := loadSettings()
			if err == nil {
				t.Fatalf("loadSettings() with %s=%q succeeded, want an error", tt.variable, tt.value)
			}
			msg := err.Error()
			for _, want := range []string{tt.variable, `"` + tt.value + `"`, tt.accepted} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			var settingErr *settingError
			if !errors.As(err, &settingErr) {
				t.Errorf("error %T is not a *settingError", err)
			}
		})
	}
}

func TestFlagOverridesVariable(t *testing.T) {
	clearNginitEnv(t)
	t.Setenv("NGINIT_STOP_TIMEOUT", "10s")
	t.Setenv("NGINIT_RUNTIME_DIR", "/tmp/from-env")

	inv, err := parseInvocation([]string{"--stop-timeout", "3s", "nginx", "-g", "daemon off;", "-c", "/etc/x.conf"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if inv.settings.StopTimeout != 3*time.Second {
		t.Errorf("StopTimeout = %s, want the flag's 3s", inv.settings.StopTimeout)
	}
	if inv.settings.RuntimeDir != "/tmp/from-env" {
		t.Errorf("RuntimeDir = %q, want the variable's /tmp/from-env", inv.settings.RuntimeDir)
	}
	want := []string{"nginx", "-g", "daemon off;", "-c", "/etc/x.conf"}
	if strings.Join(inv.command, "|") != strings.Join(want, "|") {
		t.Errorf("command = %q, want %q: nginx's flags must pass through", inv.command, want)
	}
}

func TestInvalidFlagNamesFlag(t *testing.T) {
	clearNginitEnv(t)
	_, err := parseInvocation([]string{"--walk-limit=-5", "nginx"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--walk-limit") {
		t.Errorf("parseInvocation(--walk-limit=-5) = %v, want an error naming --walk-limit", err)
	}
}

func TestDefaultCommandIsNginx(t *testing.T) {
	clearNginitEnv(t)
	inv, err := parseInvocation(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.command) != 1 || inv.command[0] != "nginx" {
		t.Errorf("command = %q, want [nginx]", inv.command)
	}
}

func TestHelpListsEveryVariable(t *testing.T) {
	var b strings.Builder
	writeUsage(&b)
	for _, name := range []string{
		"NGINIT_RUNTIME_DIR", "NGINIT_UMASK", "NGINIT_STOP_DELAY", "NGINIT_STOP_SIGNAL",
		"NGINIT_STOP_TIMEOUT", "NGINIT_KILL_GRACE", "NGINIT_SIGNAL_GROUP", "NGINIT_WORKER_PROCESSES",
		"NGINIT_LOG_LEVEL", "NGINIT_STRICT", "NGINIT_TMPFS", "NGINIT_WALK_LIMIT",
	} {
		if !strings.Contains(b.String(), name) {
			t.Errorf("nginit --help does not list %s", name)
		}
	}
}

// clearNginitEnv unsets every NGINIT_* variable for the test.
func clearNginitEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{
		"RUNTIME_DIR", "UMASK", "STOP_DELAY", "STOP_SIGNAL", "STOP_TIMEOUT", "KILL_GRACE",
		"SIGNAL_GROUP", "WORKER_PROCESSES", "LOG_LEVEL", "STRICT", "TMPFS", "WALK_LIMIT",
	} {
		t.Setenv("NGINIT_"+name, "")
	}
}

func TestUnknownVariables(t *testing.T) {
	clearNginitEnv(t)
	t.Setenv("NGINIT_STOP_TIMOUT", "10s")
	unknown := unknownVariables()
	found := false
	for _, name := range unknown {
		if name == "NGINIT_STOP_TIMEOUT" {
			t.Errorf("unknownVariables() lists the real setting NGINIT_STOP_TIMEOUT")
		}
		found = found || name == "NGINIT_STOP_TIMOUT"
	}
	if !found {
		t.Errorf("unknownVariables() = %v, want it to list NGINIT_STOP_TIMOUT", unknown)
	}
}

func TestStopSignalAcceptsQuitAndTerm(t *testing.T) {
	for _, value := range []string{"SIGQUIT", "quit", "TERM", "15", "SIGKILL", "INT"} {
		var s signalName
		if err := s.Decode(value); err != nil {
			t.Errorf("Decode(%q) = %v, want it accepted", value, err)
		}
	}
}
