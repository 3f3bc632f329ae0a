package nginxconf

import (
	"reflect"
	"strings"
	"testing"
)

func TestComposeCommand(t *testing.T) {
	debian := BuildInfo{Version: "1.22.1", ErrorLogPath: "stderr"}
	official := BuildInfo{Version: "1.27.3", ErrorLogPath: "/var/log/nginx/error.log"}
	old := BuildInfo{Version: "1.18.0", ErrorLogPath: "/var/log/nginx/error.log"}
	pidInConfig := &Plan{Facts: Facts{PID: &Directive{Name: "pid", Args: []string{"/run/n.pid"}}}, StartupErrorLog: "/var/log/nginx/error.log"}
	daemonInConfig := &Plan{Facts: Facts{Daemon: &Directive{Name: "daemon", Args: []string{"on"}}}, StartupErrorLog: "stderr"}

	tests := []struct {
		name     string
		argv     []string
		plan     *Plan
		bi       BuildInfo
		writable bool
		want     []string
		added    []string
	}{
		{
			name:  "bare nginx gets both directives",
			argv:  []string{"nginx"},
			bi:    debian,
			want:  []string{"nginx", "-g", "pid /tmp/nginit/nginx.pid; daemon off;"},
			added: []string{"-g pid /tmp/nginit/nginx.pid;", "-g daemon off;"},
		},
		{
			name:  "existing daemon off merged",
			argv:  []string{"/usr/sbin/nginx", "-g", "daemon off;"},
			bi:    debian,
			want:  []string{"/usr/sbin/nginx", "-g", "daemon off; pid /tmp/nginit/nginx.pid;"},
			added: []string{"-g pid /tmp/nginit/nginx.pid;"},
		},
		{
			name:  "existing text kept byte for byte",
			argv:  []string{"nginx", "-g", "worker_processes  2 ;\n"},
			bi:    debian,
			want:  []string{"nginx", "-g", "worker_processes  2 ;\npid /tmp/nginit/nginx.pid; daemon off;"},
			added: []string{"-g pid /tmp/nginit/nginx.pid;", "-g daemon off;"},
		},
		{
			name:  "trailing comment gets a newline",
			argv:  []string{"nginx", "-g", "daemon off; # keep"},
			bi:    debian,
			want:  []string{"nginx", "-g", "daemon off; # keep\npid /tmp/nginit/nginx.pid;"},
			added: []string{"-g pid /tmp/nginit/nginx.pid;"},
		},
		{
			name:  "glued -g stays glued",
			argv:  []string{"nginx", "-gdaemon off;"},
			bi:    debian,
			want:  []string{"nginx", "-gdaemon off; pid /tmp/nginit/nginx.pid;"},
			added: []string{"-g pid /tmp/nginit/nginx.pid;"},
		},
		{
			name:  "last -g is the one merged",
			argv:  []string{"nginx", "-g", "user x;", "-g", "worker_processes 1;"},
			bi:    debian,
			want:  []string{"nginx", "-g", "user x;", "-g", "worker_processes 1; pid /tmp/nginit/nginx.pid; daemon off;"},
			added: []string{"-g pid /tmp/nginit/nginx.pid;", "-g daemon off;"},
		},
		{
			name:  "pid and daemon in -g add nothing",
			argv:  []string{"nginx", "-g", "pid /x.pid; daemon off;"},
			bi:    debian,
			want:  []string{"nginx", "-g", "pid /x.pid; daemon off;"},
			added: nil,
		},
		{
			name:  "daemon set in config is left alone",
			argv:  []string{"nginx"},
			plan:  daemonInConfig,
			bi:    debian,
			want:  []string{"nginx", "-g", "pid /tmp/nginit/nginx.pid;"},
			added: []string{"-g pid /tmp/nginit/nginx.pid;"},
		},
		{
			name:  "unwritable error log adds -e stderr",
			argv:  []string{"nginx", "-g", "daemon off;"},
			plan:  pidInConfig,
			bi:    official,
			want:  []string{"nginx", "-e", "stderr", "-g", "daemon off;"},
			added: []string{"-e stderr"},
		},
		{
			name:     "writable error log adds nothing",
			argv:     []string{"nginx", "-g", "daemon off;"},
			plan:     pidInConfig,
			bi:       official,
			writable: true,
			want:     []string{"nginx", "-g", "daemon off;"},
		},
		{
			name: "old nginx has no -e",
			argv: []string{"nginx", "-g", "daemon off;"},
			plan: pidInConfig,
			bi:   old,
			want: []string{"nginx", "-g", "daemon off;"},
		},
		{
			name: "existing -e kept",
			argv: []string{"nginx", "-e", "/tmp/e.log", "-g", "daemon off;"},
			plan: pidInConfig,
			bi:   official,
			want: []string{"nginx", "-e", "/tmp/e.log", "-g", "daemon off;"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := append([]string(nil), tt.argv...)
			got, added, err := ComposeCommand(tt.argv, tt.plan, "/tmp/nginit", tt.bi, tt.writable)
			if err != nil {
				t.Fatalf("ComposeCommand(%q): %v", tt.argv, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ComposeCommand(%q) = %q, want %q", tt.argv, got, tt.want)
			}
			if !reflect.DeepEqual(added, tt.added) {
				t.Errorf("ComposeCommand(%q) added %q, want %q", tt.argv, added, tt.added)
			}
			if !reflect.DeepEqual(tt.argv, orig) {
				t.Errorf("ComposeCommand modified argv: %q, was %q", tt.argv, orig)
			}
			if _, err := ParseCommandLine(got); err != nil {
				t.Errorf("composed command does not parse: %v", err)
			}
		})
	}
}

func TestComposeCommandErrors(t *testing.T) {
	tests := []struct {
		name       string
		argv       []string
		runtimeDir string
		want       string
	}{
		{"relative runtime dir", []string{"nginx"}, "run", `compose nginx command: runtime dir "run" is not absolute`},
		{"bad option", []string{"nginx", "-x"}, "/run", `compose nginx command: parse nginx command line: invalid option: "x"`},
		{"bad -g text", []string{"nginx", "-g", "daemon off"}, "/run", "compose nginx command: parse command line -g:1: unexpected end of parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ComposeCommand(tt.argv, nil, tt.runtimeDir, BuildInfo{Version: "1.22.1"}, true)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("ComposeCommand error = %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestAppendParams(t *testing.T) {
	tests := []struct {
		existing string
		want     string
	}{
		{"", "x;"},
		{"  ", "  x;"},
		{"a;", "a; x;"},
		{"a;\t", "a;\tx;"},
		{"a", "a; x;"},
		{"a # c", "a # c\n; x;"},
		{"a; #c", "a; #c\nx;"},
	}
	for _, tt := range tests {
		if got := appendParams(tt.existing, []string{"x;"}); got != tt.want {
			t.Errorf("appendParams(%q) = %q, want %q", tt.existing, got, tt.want)
		}
	}
}
