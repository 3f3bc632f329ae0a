package preflight

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nginit/nginit/nginxconf"
)

func TestReportJSONShape(t *testing.T) {
	tests := []struct {
		name     string
		findings []Finding
		strict   bool
		want     string
	}{
		{
			name: "empty",
			want: `{"findings":[],"summary":{"errors":0,"warnings":0,"info":0,"strict":false,"failed":false}}`,
		},
		{
			name: "fix omitted when empty",
			findings: []Finding{
				{Check: "static.summary", Severity: Info, Subject: "root", Message: "3 files"},
				{Check: "listen.privileged-port", Severity: Error, Subject: "port 80", Message: "denied", Fix: "listen 8080;"},
			},
			want: `{"findings":[` +
				`{"check":"listen.privileged-port","severity":"error","subject":"port 80","message":"denied","fix":"listen 8080;"},` +
				`{"check":"static.summary","severity":"info","subject":"root","message":"3 files"}],` +
				`"summary":{"errors":1,"warnings":0,"info":1,"strict":false,"failed":true}}`,
		},
		{
			name:     "strict warning fails",
			findings: []Finding{{Check: "write.not-tmpfs", Severity: Warning, Subject: "/tmp", Message: "ext4", Fix: "--tmpfs /tmp"}},
			strict:   true,
			want: `{"findings":[{"check":"write.not-tmpfs","severity":"warning","subject":"/tmp","message":"ext4","fix":"--tmpfs /tmp"}],` +
				`"summary":{"errors":0,"warnings":1,"info":0,"strict":true,"failed":true}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report{Findings: tt.findings}
			r.finish(tt.strict)
			var b bytes.Buffer
			if err := r.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal(b.Bytes(), &got); err != nil {
				t.Fatalf("WriteJSON wrote invalid JSON %q: %v", b.String(), err)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("WriteJSON = %s, want %s", b.String(), tt.want)
			}
		})
	}
}

func TestReportTextOrder(t *testing.T) {
	r := Report{Findings: []Finding{
		{Check: "a.info", Severity: Info, Subject: "first info", Message: "m"},
		{Check: "b.warning", Severity: Warning, Subject: "a warning", Message: "m", Fix: "one\nor two"},
		{Check: "c.error", Severity: Error, Subject: "first error", Message: "m", Fix: "fix it"},
		{Check: "d.error", Severity: Error, Subject: "second error", Message: "m"},
	}}
	r.finish(false)
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `error: first error: m
    fix: fix it
    check: c.error
error: second error: m
    check: d.error
warning: a warning: m
    fix: one
    fix: or two
    check: b.warning
info: first info: m
    check: a.info
2 errors, 1 warning, 1 info: nginx will not start
`
	if b.String() != want {
		t.Errorf("WriteText =\n%s\nwant errors first, in check order, then the summary line:\n%s", b.String(), want)
	}
}

func TestCheckConfigDirectives(t *testing.T) {
	tests := []struct {
		name         string
		conf         string
		wantCheck    string
		wantSeverity Severity
	}{
		{name: "daemon on", conf: "daemon on;\nevents {}\n", wantCheck: "config.daemon", wantSeverity: Error},
		{name: "daemon ON", conf: "daemon ON;\nevents {}\n", wantCheck: "config.daemon", wantSeverity: Error},
		{name: "daemon off", conf: "daemon off;\nevents {}\n"},
		{name: "user", conf: "user www-data;\nevents {}\n", wantCheck: "config.user", wantSeverity: Info},
		{name: "body in file only", conf: "events {}\nhttp { client_body_in_file_only on; }\n", wantCheck: "config.umask-body-files", wantSeverity: Info},
		{name: "nothing", conf: "events {}\nhttp {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := analyze(t, tt.conf, debianBuild)
			var r Report
			checkConfig(&r, Input{Plan: plan})
			if tt.wantCheck == "" {
				if len(r.Findings) != 0 {
					t.Errorf("checkConfig(%q) = %+v, want no findings", tt.conf, r.Findings)
				}
				return
			}
			if len(r.Findings) != 1 {
				t.Fatalf("checkConfig(%q) = %+v, want one %s finding", tt.conf, r.Findings, tt.wantCheck)
			}
			f := r.Findings[0]
			if f.Check != tt.wantCheck || f.Severity != tt.wantSeverity {
				t.Errorf("checkConfig(%q) = %s %v, want %s %v", tt.conf, f.Check, f.Severity, tt.wantCheck, tt.wantSeverity)
			}
			if !strings.Contains(f.Subject, "nginx.conf:") {
				t.Errorf("subject = %q, want the directive's file:line", f.Subject)
			}
		})
	}
}

// debianBuild is the `nginx -V` output of Debian's nginx 1.22.1.
const debianBuild = `nginx version: nginx/1.22.1
built with OpenSSL 3.0.11 19 Sep 2023
TLS SNI support enabled
configure arguments: --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --http-log-path=/var/log/nginx/access.log --error-log-path=stderr --lock-path=/var/lock/nginx.lock --pid-path=/run/nginx.pid --modules-path=/usr/lib/nginx/modules --http-client-body-temp-path=/var/lib/nginx/body --http-fastcgi-temp-path=/var/lib/nginx/fastcgi --http-proxy-temp-path=/var/lib/nginx/proxy --http-scgi-temp-path=/var/lib/nginx/scgi --http-uwsgi-temp-path=/var/lib/nginx/uwsgi
`

// analyze writes conf to nginx.conf in a new directory and returns its
// plan for the build info text build.
func analyze(t *testing.T, conf, build string) *nginxconf.Plan {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return analyzeFile(t, path, build)
}

func analyzeFile(t *testing.T, path, build string) *nginxconf.Plan {
	t.Helper()
	bi, err := nginxconf.ParseBuildInfo(strings.NewReader(build))
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := nginxconf.ParseCommandLine([]string{"nginx", "-c", path})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := nginxconf.ParseFile(path, filepath.Dir(path))
	if cfg == nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return nginxconf.Analyze(cfg, cmd, bi)
}
