package preflight

import (
	"strings"
	"testing"

	"github.com/nginit/nginit/internal/filecaps"
)

func TestCheckListenFileCaps(t *testing.T) {
	const bindBit = uint64(1) << capNetBindService
	bindEP := filecaps.Set{Permitted: bindBit, Effective: true, Revision: 2}
	bindP := filecaps.Set{Permitted: bindBit, Revision: 2}
	tests := []struct {
		name         string
		process      Process
		caps         filecaps.Set
		wantSeverity Severity
		wantMessage  string
		wantFix      string
	}{
		{name: "file capability in bounding set", process: Process{UID: 101, CapBnd: bindBit},
			caps: bindEP, wantSeverity: Info, wantMessage: "lets it bind"},
		{name: "platform no_new_privs", process: Process{UID: 101, CapBnd: bindBit, NoNewPrivs: true},
			caps: bindEP, wantSeverity: Error, wantMessage: "the platform set no_new_privs", wantFix: "drop no-new-privileges"},
		{name: "no effective flag", process: Process{UID: 101, CapBnd: bindBit},
			caps: bindP, wantSeverity: Error, wantMessage: "lacks the effective flag", wantFix: "cap_net_bind_service=+ep"},
		{name: "not in bounding set", process: Process{UID: 101},
			caps: bindEP, wantSeverity: Error, wantMessage: "not in the effective set"},
		{name: "no file capability", process: Process{UID: 101, CapBnd: bindBit},
			wantSeverity: Error, wantMessage: "bounding set only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Report
			checkListen(&r, tt.process, tt.caps, []ListenPort{{Port: 80, Source: "nginx.conf:3"}}, 1024)
			if len(r.Findings) != 1 {
				t.Fatalf("checkListen(port 80, %+v) = %+v, want one finding", tt.caps, r.Findings)
			}
			f := r.Findings[0]
			if f.Severity != tt.wantSeverity {
				t.Errorf("severity = %v, want %v", f.Severity, tt.wantSeverity)
			}
			if !strings.Contains(f.Message, tt.wantMessage) {
				t.Errorf("message = %q, want it to contain %q", f.Message, tt.wantMessage)
			}
			if f.Severity == Error && !strings.HasPrefix(f.Fix, "listen 8080;") {
				t.Errorf("fix = %q, want it to start with listen 8080;", f.Fix)
			}
			if f.Severity == Error && !strings.Contains(f.Fix, "ip_unprivileged_port_start=0") {
				t.Errorf("fix = %q, want the sysctl fix", f.Fix)
			}
			if !strings.Contains(f.Fix, tt.wantFix) {
				t.Errorf("fix = %q, want it to contain %q", f.Fix, tt.wantFix)
			}
		})
	}
}

func TestCheckFileCaps(t *testing.T) {
	const bindBit = uint64(1) << capNetBindService
	bindEP := filecaps.Set{Permitted: bindBit, Effective: true, Revision: 2}
	tests := []struct {
		name         string
		process      Process
		caps         filecaps.Set
		wantFindings int
		wantSeverity Severity
		wantMessage  string
	}{
		{name: "no file capabilities", process: Process{UID: 101, CapBnd: bindBit}},
		{name: "granted", process: Process{UID: 101, CapBnd: bindBit}, caps: bindEP,
			wantFindings: 1, wantSeverity: Info, wantMessage: "without no_new_privs"},
		{name: "platform no_new_privs", process: Process{UID: 101, CapBnd: bindBit, NoNewPrivs: true}, caps: bindEP,
			wantFindings: 1, wantSeverity: Info, wantMessage: "grants nginx none of its file capabilities"},
		{name: "outside bounding set", process: Process{UID: 101}, caps: bindEP,
			wantFindings: 1, wantSeverity: Error, wantMessage: "Operation not permitted"},
		{name: "permitted only outside bounding set", process: Process{UID: 101},
			caps: filecaps.Set{Permitted: bindBit, Revision: 2}, wantFindings: 1, wantSeverity: Info, wantMessage: "without no_new_privs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Report
			checkFileCaps(&r, tt.process, tt.caps)
			if len(r.Findings) != tt.wantFindings {
				t.Fatalf("checkFileCaps(%+v) = %+v, want %d findings", tt.caps, r.Findings, tt.wantFindings)
			}
			if tt.wantFindings == 0 {
				return
			}
			f := r.Findings[0]
			if f.Check != "identity.file-capabilities" {
				t.Errorf("check = %q, want identity.file-capabilities", f.Check)
			}
			if f.Severity != tt.wantSeverity {
				t.Errorf("severity = %v, want %v", f.Severity, tt.wantSeverity)
			}
			if !strings.Contains(f.Message, tt.wantMessage) {
				t.Errorf("message = %q, want it to contain %q", f.Message, tt.wantMessage)
			}
		})
	}
}
