package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// distroConf is a configuration written for nginx started as root, as
// distributions ship it: a user directive, the pid file under /run, logs
// under /var/log/nginx, port 80 and the compile-time temp paths under
// /var/lib/nginx. Each of them fails on a read-only root as uid 101.
const distroConf = `user www-data;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log /var/log/nginx/access.log;
    server {
        listen 127.0.0.1:80;
        root /usr/share/nginx/html;
    }
}
`

// distroProblems are the subjects that one report must name for distroConf.
var distroProblems = []string{
	"port 80",
	"/run/nginx.pid",
	"/var/log/nginx/error.log",
	"/var/log/nginx/access.log",
	"/var/lib/nginx/body",
	"/var/lib/nginx/proxy",
	"/var/lib/nginx/fastcgi",
	"/var/lib/nginx/uwsgi",
	"/var/lib/nginx/scgi",
}

func TestDistroConfigOneReport(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	status, out := runToExit(t, caseOptions(t, distroConf))
	assertRefused(t, status, out, distroProblems...)
	if !strings.Contains(out, "ip_unprivileged_port_start") {
		t.Errorf("output lacks the port 80 fix naming net.ipv4.ip_unprivileged_port_start")
	}
	if n := strings.Count(out, "nginx will not start"); n != 1 {
		t.Errorf("output has %d summary lines, want one report", n)
	}
}

// checkReport is the JSON of nginit check --format json.
type checkReport struct {
	Findings []struct {
		Check    string `json:"check"`
		Severity string `json:"severity"`
		Subject  string `json:"subject"`
		Message  string `json:"message"`
		Fix      string `json:"fix"`
	} `json:"findings"`
	Summary struct {
		Errors   int  `json:"errors"`
		Warnings int  `json:"warnings"`
		Info     int  `json:"info"`
		Strict   bool `json:"strict"`
		Failed   bool `json:"failed"`
	} `json:"summary"`
}

func TestCheckJSONDistroConfig(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	opts := caseOptions(t, distroConf)
	opts.Args = []string{"/nginit", "check", "--format", "json"}
	status, out := runToExit(t, opts)
	if status != exitPreflight {
		t.Errorf("nginit check exit status = %d, want %d", status, exitPreflight)
	}

	// The container's stdout and stderr are one stream; the report is the
	// only JSON object in it.
	start, end := strings.Index(out, "{"), strings.LastIndex(out, "}")
	if start < 0 || end < start {
		t.Fatalf("nginit check printed no JSON object")
	}
	var report checkReport
	if err := json.Unmarshal([]byte(out[start:end+1]), &report); err != nil {
		t.Fatalf("decode nginit check JSON: %v", err)
	}

	if !report.Summary.Failed {
		t.Errorf("summary.failed = false, want true")
	}
	errors := 0
	for _, f := range report.Findings {
		if f.Check == "" || f.Subject == "" || f.Message == "" {
			t.Errorf("finding %+v lacks check, subject or message", f)
		}
		if f.Severity == "error" {
			errors++
			if f.Fix == "" {
				t.Errorf("error finding %s (%s) has no fix", f.Check, f.Subject)
			}
		}
	}
	if errors != report.Summary.Errors {
		t.Errorf("summary.errors = %d, want %d, the error findings", report.Summary.Errors, errors)
	}
	for _, want := range distroProblems {
		found := false
		for _, f := range report.Findings {
			if f.Severity == "error" && strings.Contains(f.Subject, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("no error finding has a subject naming %s", want)
		}
	}
	for _, f := range report.Findings {
		if f.Check == "config.user" && f.Severity != "info" {
			t.Errorf("config.user severity = %s, want info", f.Severity)
		}
	}
}
