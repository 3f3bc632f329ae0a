package initd

import (
	"os"
	"syscall"
	"testing"
)

func TestSignalName(t *testing.T) {
	tests := []struct {
		sig  syscall.Signal
		want string
	}{
		{syscall.SIGQUIT, "SIGQUIT"},
		{syscall.SIGWINCH, "SIGWINCH"},
		{34, "SIGRTMIN"},
		{36, "SIGRTMIN+2"},
		{64, "SIGRTMIN+30"},
		{33, "signal 33"},
	}
	for _, tt := range tests {
		if got := SignalName(tt.sig); got != tt.want {
			t.Errorf("SignalName(%d) = %q, want %q", int(tt.sig), got, tt.want)
		}
	}
}

func TestParseSignal(t *testing.T) {
	tests := []struct {
		value string
		want  syscall.Signal
	}{
		{"SIGQUIT", syscall.SIGQUIT},
		{"QUIT", syscall.SIGQUIT},
		{"sigterm", syscall.SIGTERM},
		{" 15 ", syscall.SIGTERM},
		{"SIGRTMIN+2", 36},
	}
	for _, tt := range tests {
		got, err := ParseSignal(tt.value)
		if err != nil || got != tt.want {
			t.Errorf("ParseSignal(%q) = %d, %v, want %d", tt.value, int(got), err, int(tt.want))
		}
	}
	for _, bad := range []string{"", "SIGNOPE", "0", "65", "-1"} {
		if got, err := ParseSignal(bad); err == nil {
			t.Errorf("ParseSignal(%q) = %d, want an error", bad, int(got))
		}
	}
}

func TestSubscribedSignals(t *testing.T) {
	got := map[os.Signal]bool{}
	for _, sig := range subscribed() {
		got[sig] = true
	}
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGURG, syscall.SIGPROF, syscall.SIGCHLD, 32, 33, 34} {
		if got[sig] {
			t.Errorf("subscribed() contains %s, want it left out", SignalName(sig))
		}
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGINT, syscall.SIGHUP,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGPIPE, syscall.SIGTTOU, 35, 64} {
		if !got[sig] {
			t.Errorf("subscribed() lacks %s", SignalName(sig))
		}
	}
}

func TestIsForwarded(t *testing.T) {
	tests := []struct {
		sig  syscall.Signal
		want bool
	}{
		{syscall.SIGHUP, true},
		{syscall.SIGUSR1, true},
		{syscall.SIGUSR2, true},
		{syscall.SIGWINCH, true},
		{syscall.SIGTSTP, true},
		{syscall.SIGCONT, true},
		{40, true},
		{syscall.SIGTERM, false}, // stop request
		{syscall.SIGQUIT, false}, // stop request
		{syscall.SIGINT, false},  // stop request
		{syscall.SIGPIPE, false},
		{syscall.SIGTTIN, false},
		{syscall.SIGTTOU, false},
		{syscall.SIGCHLD, false},
		{syscall.SIGURG, false},
		{syscall.SIGPROF, false},
	}
	for _, tt := range tests {
		if got := isForwarded(tt.sig); got != tt.want {
			t.Errorf("isForwarded(%s) = %t, want %t", SignalName(tt.sig), got, tt.want)
		}
	}
}
