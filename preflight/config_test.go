package preflight

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginit/nginit/nginxconf"
)

func TestCheckConfigDuplicate(t *testing.T) {
	tests := []struct {
		name   string
		conf   string
		params string
		want   []string // subjects of config.duplicate findings
	}{
		{name: "daemon in both", conf: "daemon off;\nevents {}\n", params: "daemon off;", want: []string{"daemon (nginx.conf:1 and command line -g)"}},
		{name: "pid in both", conf: "events {}\npid /tmp/x.pid;\n", params: "pid /tmp/y.pid;", want: []string{"pid (nginx.conf:2 and command line -g)"}},
		{name: "daemon only in -g", conf: "events {}\n", params: "daemon off;"},
		{name: "error_log in both", conf: "error_log stderr;\nevents {}\n", params: "error_log stderr;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "nginx.conf")
			if err := os.WriteFile(path, []byte(tt.conf), 0o644); err != nil {
				t.Fatal(err)
			}
			bi, err := nginxconf.ParseBuildInfo(strings.NewReader(debianBuild))
			if err != nil {
				t.Fatal(err)
			}
			cmd, err := nginxconf.ParseCommandLine([]string{"nginx", "-c", path, "-g", tt.params})
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := nginxconf.ParseFile(path, dir)
			if err != nil {
				t.Fatal(err)
			}

			var r Report
			checkConfig(&r, Input{Plan: nginxconf.Analyze(cfg, cmd, bi)})
			var got []string
			for _, f := range r.Findings {
				if f.Check != "config.duplicate" {
					continue
				}
				got = append(got, strings.ReplaceAll(f.Subject, dir+"/", ""))
				if f.Severity != Error {
					t.Errorf("severity = %v, want error", f.Severity)
				}
				if !strings.Contains(f.Fix, "-g") || !strings.Contains(f.Fix, "configuration") {
					t.Errorf("fix = %q, want both ways out: the configuration and the -g text", f.Fix)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("config.duplicate subjects = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckConfigIncludeProblems(t *testing.T) {
	dir := fixtureDir(t)
	for name, body := range map[string]string{
		"secret.conf": "",
		"loop.conf":   "include FIXTURE/loop.conf;\n",
		"a.conf":      "include FIXTURE/b.conf;\n",
		"b.conf":      "include FIXTURE/a.conf;\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.ReplaceAll(body, "FIXTURE", dir)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "secret.conf"), 0o600); err != nil {
		t.Fatal(err)
	}
	findings := reportAsRuntimeUser(t, dir, `include FIXTURE/missing.conf;
include FIXTURE/secret.conf;
include FIXTURE/loop.conf;
include FIXTURE/a.conf;
events {}
`)

	tests := []struct {
		file      string
		wantCheck string
		wantText  string
	}{
		{file: "missing.conf", wantCheck: "config.missing-include", wantText: "no such file"},
		{file: "secret.conf", wantCheck: "read.unreadable", wantText: "owner uid 0 gid 0, mode 0600"},
		{file: "loop.conf", wantCheck: "config.include-loop", wantText: "loop.conf includes " + dir + "/loop.conf"},
		{file: "a.conf", wantCheck: "config.include-loop", wantText: "a.conf includes " + dir + "/b.conf includes " + dir + "/a.conf"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.file)
		var got []reportedFinding
		for _, f := range findings {
			if strings.Contains(f.Subject, path+" ") {
				got = append(got, f)
			}
		}
		if len(got) != 1 {
			t.Errorf("findings about %s = %+v, want one %s", tt.file, got, tt.wantCheck)
			continue
		}
		f := got[0]
		if f.Check != tt.wantCheck {
			t.Errorf("finding about %s = %s, want %s", tt.file, f.Check, tt.wantCheck)
		}
		if !strings.Contains(f.Message, tt.wantText) {
			t.Errorf("%s message = %q, want it to contain %q", tt.file, f.Message, tt.wantText)
		}
		if tt.wantCheck != "config.missing-include" && strings.Contains(f.Fix, "add the file to the image") {
			t.Errorf("%s fix = %q, the fix for a missing file", tt.file, f.Fix)
		}
	}
}

func TestSyntaxErrorIsWarning(t *testing.T) {
	dir := fixtureDir(t)
	// The missing root would be reported if the checks after the parse ran.
	findings := reportAsRuntimeUser(t, dir, `events {}
http {
    server { listen 80; root FIXTURE/missing; daemon on; }
}
}
`)
	var syntax []reportedFinding
	for _, f := range findings {
		if f.Check == "config.syntax" {
			syntax = append(syntax, f)
			continue
		}
		if f.Severity == "error" || strings.HasPrefix(f.Check, "static.") || strings.HasPrefix(f.Check, "listen.") || strings.HasPrefix(f.Check, "write.") {
			t.Errorf("finding %s %s %q after a syntax error, want the checks of the configuration skipped", f.Severity, f.Check, f.Subject)
		}
	}
	if len(syntax) != 1 {
		t.Fatalf("config.syntax findings = %+v, want one", syntax)
	}
	if syntax[0].Severity != "warning" {
		t.Errorf("config.syntax severity = %s, want warning", syntax[0].Severity)
	}
	for _, want := range []string{"nginit could not parse " + dir + "/nginx.conf:5", "nginx -t decides"} {
		if !strings.Contains(syntax[0].Message, want) {
			t.Errorf("config.syntax message = %q, want it to contain %q", syntax[0].Message, want)
		}
	}
}
