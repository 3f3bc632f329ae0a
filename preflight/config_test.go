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
