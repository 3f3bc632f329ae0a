package preflight

import (
	"strings"
	"testing"

	"github.com/nginit/nginit/internal/filecaps"
)

func TestCheckListen(t *testing.T) {
	const bindBit = uint64(1) << capNetBindService
	tests := []struct {
		name         string
		process      Process
		port         int
		start        int
		wantSeverity Severity
		wantFindings int
		wantMessage  string
		wantListen   string // the listen directive the fix suggests
	}{
		{name: "unprivileged port", process: Process{UID: 101}, port: 8080, start: 1024, wantFindings: 0},
		{name: "port 80 no capability", process: Process{UID: 101}, port: 80, start: 1024, wantFindings: 1, wantSeverity: Error, wantMessage: "not in the effective set", wantListen: "listen 8080;"},
		{name: "port 443 no capability", process: Process{UID: 101}, port: 443, start: 1024, wantFindings: 1, wantSeverity: Error, wantMessage: "not in the effective set", wantListen: "listen 8443;"},
		{name: "port 25 no capability", process: Process{UID: 101}, port: 25, start: 1024, wantFindings: 1, wantSeverity: Error, wantMessage: "not in the effective set", wantListen: "listen 8025;"},
		{name: "bounding set only", process: Process{UID: 101, CapBnd: bindBit}, port: 80, start: 1024, wantFindings: 1, wantSeverity: Error, wantMessage: "bounding set only"},
		{name: "effective capability", process: Process{UID: 101, CapEff: bindBit}, port: 443, start: 1024, wantFindings: 1, wantSeverity: Info, wantMessage: "bind will work"},
		{name: "sysctl lowered to zero", process: Process{UID: 101}, port: 80, start: 0, wantFindings: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Report
			checkListen(&r, tt.process, filecaps.Set{}, []ListenPort{{Port: tt.port, Source: "nginx.conf:3"}}, tt.start)
			if len(r.Findings) != tt.wantFindings {
				t.Fatalf("checkListen(port %d, start %d) = %d findings %+v, want %d", tt.port, tt.start, len(r.Findings), r.Findings, tt.wantFindings)
			}
			if tt.wantFindings == 0 {
				return
			}
			f := r.Findings[0]
			if f.Severity != tt.wantSeverity {
				t.Errorf("severity = %v, want %v", f.Severity, tt.wantSeverity)
			}
			if !strings.Contains(f.Message, tt.wantMessage) {
				t.Errorf("message = %q, want it to contain %q", f.Message, tt.wantMessage)
			}
			if f.Severity == Error && !strings.Contains(f.Fix, "ip_unprivileged_port_start=0") {
				t.Errorf("fix = %q, want the sysctl fix", f.Fix)
			}
			if tt.wantListen != "" && !strings.HasPrefix(f.Fix, tt.wantListen) {
				t.Errorf("fix = %q, want it to start with %q", f.Fix, tt.wantListen)
			}
		})
	}
}

func TestCheckIdentityRoot(t *testing.T) {
	var r Report
	checkIdentity(&r, Process{UID: 0, IsPID1: true, NoNewPrivs: true})
	r.finish(false)
	if r.Summary.Errors != 1 || r.Findings[0].Check != "identity.root" {
		t.Fatalf("checkIdentity(uid 0) = %+v, want one identity.root error", r.Findings)
	}
	if !strings.Contains(r.Findings[0].Fix, "USER 101:101") {
		t.Errorf("fix = %q, want it to name USER 101:101", r.Findings[0].Fix)
	}
}

func TestReportStrict(t *testing.T) {
	r := Report{Findings: []Finding{{Check: "a", Severity: Info}, {Check: "b", Severity: Warning}}}
	r.finish(false)
	if r.Summary.Failed {
		t.Errorf("warning without strict: Failed = true, want false")
	}
	r.finish(true)
	if !r.Summary.Failed {
		t.Errorf("warning with strict: Failed = false, want true")
	}
	if r.Findings[0].Check != "b" {
		t.Errorf("first finding = %q, want the warning first", r.Findings[0].Check)
	}
}

func TestSeverityTextRoundTrip(t *testing.T) {
	for _, s := range []Severity{Info, Warning, Error} {
		text, _ := s.MarshalText()
		var got Severity
		if err := got.UnmarshalText(text); err != nil || got != s {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", text, got, err, s)
		}
	}
	var s Severity
	if err := s.UnmarshalText([]byte("fatal")); err == nil {
		t.Errorf("UnmarshalText(fatal) succeeded, want an error")
	}
}
