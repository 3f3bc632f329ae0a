package preflight

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginit/nginit/nginxconf"
)

func TestStaticFindingsHaveFix(t *testing.T) {
	dir := fixtureDir(t)
	mkdirs(t, dir, map[string]os.FileMode{"site": 0o755, "site/private": 0o700})
	for name, mode := range map[string]os.FileMode{"site/index.html": 0o644, "site/secret.html": 0o600} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), mode); err != nil {
			t.Fatal(err)
		}
	}
	findings := reportAsRuntimeUser(t, dir, `events {}
http {
    access_log off;
    server { listen 8080; root FIXTURE/site; }
}
`)

	seen := map[string]bool{}
	for _, f := range findings {
		if !strings.HasPrefix(f.Check, "static.") || f.Check == "static.summary" {
			continue
		}
		seen[f.Check] = true
		if f.Fix == "" {
			t.Errorf("%s %s has no fix", f.Check, f.Subject)
		}
		if strings.Contains(f.Message, "chmod") {
			t.Errorf("%s message %q contains the fix", f.Check, f.Message)
		}
	}
	for _, check := range []string{"static.unreadable-file", "static.unsearchable-dir"} {
		if !seen[check] {
			t.Errorf("no %s finding; findings: %+v", check, findings)
		}
	}
}

func TestWalkLimitCountsEntries(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a", "b", "c"} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var r Report
	checkStaticRoot(&r, Input{WalkLimit: 2}, nginxconf.Read{Kind: nginxconf.ReadStaticRoot, Path: dir, Directive: "root", Source: "nginx.conf:1"})
	found := false
	for _, f := range r.Findings {
		if f.Check != "static.walk-limit" {
			continue
		}
		found = true
		// Three directories and no file reach the limit, so it is not a
		// number of files.
		if strings.Contains(f.Message, "files") || strings.Contains(f.Fix, "files past") || !strings.Contains(f.Fix, "entries") {
			t.Errorf("static.walk-limit = %q, fix %q, want the limit in directory entries", f.Message, f.Fix)
		}
	}
	if !found {
		t.Fatalf("no static.walk-limit finding for 3 directories with a limit of 2: %+v", r.Findings)
	}

	doc, err := os.ReadFile("../docs/checks.md")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(doc)) {
		if strings.Contains(line, "`static.walk-limit`") && (!strings.Contains(line, "entries") || strings.Contains(line, "more files")) {
			t.Errorf("docs/checks.md row %q does not describe the limit in directory entries", strings.TrimSpace(line))
		}
	}
}

func TestStaticSeverityBelowRoot(t *testing.T) {
	dir := fixtureDir(t)
	mkdirs(t, dir, map[string]os.FileMode{"site": 0o755, "site/.git": 0o700})
	for name, mode := range map[string]os.FileMode{"site/index.html": 0o600, "site/.htpasswd": 0o600} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), mode); err != nil {
			t.Fatal(err)
		}
	}
	findings := reportAsRuntimeUser(t, dir, `events {}
http {
    access_log off;
    server { listen 8080; root FIXTURE/site; location ~ /\. { deny all; } }
}
`)

	want := map[string]string{
		filepath.Join(dir, "site/index.html"): "error", // nginx responds 403 to "/"
		filepath.Join(dir, "site/.htpasswd"):  "warning",
		filepath.Join(dir, "site/.git"):       "warning",
	}
	for _, f := range findings {
		for path, sev := range want {
			if strings.HasPrefix(f.Subject, path+" ") {
				if f.Severity != sev {
					t.Errorf("%s %s severity = %s, want %s", f.Check, f.Subject, f.Severity, sev)
				}
				delete(want, path)
			}
		}
	}
	for path := range want {
		t.Errorf("no finding for %s; findings: %+v", path, findings)
	}
}

func TestStaticRootMissingIsWarning(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "html")
	tests := []struct {
		name     string
		read     nginxconf.Read
		findings int
		message  string
	}{
		{"configured root", nginxconf.Read{Path: missing, Directive: "root"}, 1, "does not exist"},
		{"default root", nginxconf.Read{Path: missing, Directive: "root", Implicit: true}, 1, "nginx's default root because the server has no root directive"},
		{"root of a backend location", nginxconf.Read{Path: missing, Directive: "root", BackendOnly: true}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Report
			tt.read.Kind = nginxconf.ReadStaticRoot
			tt.read.Source = "nginx.conf:1"
			checkReads(&r, Input{Plan: &nginxconf.Plan{Reads: []nginxconf.Read{tt.read}}})
			if len(r.Findings) != tt.findings {
				t.Fatalf("checkReads findings = %+v, want %d", r.Findings, tt.findings)
			}
			for _, f := range r.Findings {
				if f.Severity != Warning || !strings.Contains(f.Message, tt.message) {
					t.Errorf("checkReads finding = %v %q, want a warning containing %q", f.Severity, f.Message, tt.message)
				}
			}
		})
	}
}

func TestStaticRootWalkedOnce(t *testing.T) {
	dir := t.TempDir()
	var r Report
	checkReads(&r, Input{Plan: &nginxconf.Plan{Reads: []nginxconf.Read{
		{Kind: nginxconf.ReadStaticRoot, Path: dir, Directive: "root", Source: "nginx.conf:1"},
		{Kind: nginxconf.ReadStaticRoot, Path: dir + "/", Directive: "alias", Location: "/a/", Source: "nginx.conf:2"},
	}}})
	summaries := 0
	for _, f := range r.Findings {
		if f.Check == "static.summary" {
			summaries++
		}
	}
	if summaries != 1 {
		t.Errorf("checkReads walked %s and %s/ %d times, want once: %+v", dir, dir, summaries, r.Findings)
	}
}

func TestAliasOfOneFile(t *testing.T) {
	// location = /favicon.ico { alias /srv/static/favicon.ico; } is served
	// like any file, so it is checked for reading, not walked.
	file := filepath.Join(t.TempDir(), "favicon.ico")
	if err := os.WriteFile(file, []byte("icon"), 0o644); err != nil {
		t.Fatal(err)
	}
	var r Report
	checkReads(&r, Input{Process: Process{UID: 0}, Plan: &nginxconf.Plan{Reads: []nginxconf.Read{
		{Kind: nginxconf.ReadStaticRoot, Path: file, Directive: "alias", Location: "= /favicon.ico", Source: "nginx.conf:1"},
	}}})
	for _, f := range r.Findings {
		if f.Severity == Error {
			t.Errorf("alias of a readable file gave error %s: %s", f.Check, f.Message)
		}
	}
}
