package main

import (
	"strings"
	"testing"

	"github.com/nginit/nginit/internal/cgroupcpu"
)

func TestDecideWorkerProcesses(t *testing.T) {
	twoCPUs := cgroupcpu.Limit{Quota: 200000, Period: 100000, QuotaFile: "/sys/fs/cgroup/cpu.max"}
	noLimit := cgroupcpu.Limit{Quota: -1}

	tests := []struct {
		name          string
		mode          workerMode
		configured    string
		limit         cgroupcpu.Limit
		wantDirective string
		wantWarning   string
	}{
		{"unset with quota", "auto", "", twoCPUs, "worker_processes 2;", ""},
		{"unset without limit", "auto", "", noLimit, "worker_processes 64;", ""},
		{"auto with quota", "auto", "auto", twoCPUs, "", "set worker_processes 2;"},
		{"auto without limit", "auto", "auto", noLimit, "", ""},
		{"explicit number", "auto", "8", twoCPUs, "", ""},
		{"off", "off", "", twoCPUs, "", ""},
	}
	for _, tt := range tests {
		directive, warning := decideWorkerProcesses(tt.mode, tt.configured, tt.limit, 64)
		if directive != tt.wantDirective {
			t.Errorf("%s: directive = %q, want %q", tt.name, directive, tt.wantDirective)
		}
		if (tt.wantWarning == "") != (warning == "") || !strings.Contains(warning, tt.wantWarning) {
			t.Errorf("%s: warning = %q, want one containing %q", tt.name, warning, tt.wantWarning)
		}
	}
}

func TestWorkerModeDecode(t *testing.T) {
	var m workerMode
	for _, ok := range []string{"auto", "off", "AUTO"} {
		if err := m.Decode(ok); err != nil {
			t.Errorf("Decode(%q) = %v, want nil", ok, err)
		}
	}
	if err := m.Decode("4"); err == nil {
		t.Error("Decode(4) succeeded, want an error")
	}
}
