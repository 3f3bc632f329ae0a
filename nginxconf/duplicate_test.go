package nginxconf

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// parseConfText writes text as nginx.conf in a temporary directory, with
// extra files beside it, and parses it.
func parseConfText(t *testing.T, text string, extra map[string]string) *Config {
	t.Helper()
	dir := t.TempDir()
	for name, body := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	name := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseFile(name, "")
	if err != nil {
		t.Fatalf("ParseFile(%s) = %v", name, err)
	}
	return cfg
}

func TestDuplicateParams(t *testing.T) {
	tests := []struct {
		name   string
		conf   string
		extra  map[string]string
		params string
		want   []string // "name -g text = file:line"
	}{
		{
			name:   "daemon in both",
			conf:   "daemon off;\nevents {}\n",
			params: "daemon off;",
			want:   []string{"daemon daemon off = nginx.conf:1"},
		},
		{
			name:   "pid and worker_processes in both",
			conf:   "worker_processes 2;\npid /tmp/n.pid;\nevents {}\n",
			params: "pid /run/x.pid; worker_processes auto;",
			want: []string{
				"worker_processes worker_processes auto = nginx.conf:1",
				"pid pid /run/x.pid = nginx.conf:2",
			},
		},
		{
			name:   "duplicate in an included file",
			conf:   "include main.d.conf;\nevents {}\n",
			extra:  map[string]string{"main.d.conf": "\nmaster_process on;\n"},
			params: "master_process on;",
			want:   []string{"master_process master_process on = main.d.conf:2"},
		},
		{
			name:   "only in -g",
			conf:   "events {}\n",
			params: "daemon off;",
		},
		{
			name:   "only in the configuration",
			conf:   "daemon off;\nevents {}\n",
			params: "",
		},
		{
			name:   "repeatable directives",
			conf:   "env A;\nerror_log stderr;\nload_module m.so;\nthread_pool b threads=1;\nevents {}\n",
			params: "env A; error_log stderr; load_module m.so; thread_pool a threads=1;",
		},
		{
			name:   "thread_pool with the same name",
			conf:   "thread_pool a threads=2;\nevents {}\n",
			params: "thread_pool a threads=1;",
			want:   []string{"thread_pool thread_pool a threads=1 = nginx.conf:1"},
		},
		{
			name:   "worker_priority zero in -g",
			conf:   "worker_priority -1;\nevents {}\n",
			params: "worker_priority 0;",
		},
		{
			name:   "worker_priority zero in the configuration",
			conf:   "worker_priority 0;\nevents {}\n",
			params: "worker_priority -1;",
			want:   []string{"worker_priority worker_priority -1 = nginx.conf:1"},
		},
		{
			name:   "same name inside a block",
			conf:   "events {}\nhttp { daemon off; }\n",
			params: "daemon off;",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parseConfText(t, tt.conf, tt.extra)
			argv := []string{"nginx"}
			if tt.params != "" {
				argv = append(argv, "-g", tt.params)
			}
			cmd, err := ParseCommandLine(argv)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range DuplicateParams(cfg, cmd) {
				param := strings.Join(append([]string{d.Param.Name}, d.Param.Args...), " ")
				got = append(got, d.Name+" "+param+" = "+filepath.Base(d.Config.File)+":"+strconv.Itoa(d.Config.Line))
			}
			assertLines(t, "DuplicateParams", got, tt.want)

			plan := Analyze(cfg, cmd, BuildInfo{})
			if len(plan.Duplicates) != len(tt.want) {
				t.Errorf("Analyze: %d duplicates, want %d", len(plan.Duplicates), len(tt.want))
			}
		})
	}
}

// TestComposeCommandRespectsBothSides checks that nginit adds pid, daemon
// and worker_processes only when neither the configuration nor -g sets
// them, and that Facts, which the worker sizing reads, includes -g too.
func TestComposeCommandRespectsBothSides(t *testing.T) {
	tests := []struct {
		name        string
		conf        string
		params      string
		wantAdded   []string
		wantWorkers string // Facts.WorkerProcesses source file, "" when nil
	}{
		{
			name:      "neither sets them",
			conf:      "events {}\n",
			wantAdded: []string{"-g pid /tmp/nginit/nginx.pid;", "-g daemon off;"},
		},
		{
			name:        "configuration sets them",
			conf:        "pid /tmp/n.pid;\ndaemon off;\nworker_processes 2;\nevents {}\n",
			wantWorkers: "nginx.conf",
		},
		{
			name:        "-g sets them",
			conf:        "events {}\n",
			params:      "pid /tmp/n.pid; daemon off; worker_processes 2;",
			wantWorkers: commandLineSource,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parseConfText(t, tt.conf, nil)
			argv := []string{"nginx"}
			if tt.params != "" {
				argv = append(argv, "-g", tt.params)
			}
			cmd, err := ParseCommandLine(argv)
			if err != nil {
				t.Fatal(err)
			}
			plan := Analyze(cfg, cmd, BuildInfo{ErrorLogPath: Stderr})

			gotWorkers := ""
			if d := plan.Facts.WorkerProcesses; d != nil {
				gotWorkers = filepath.Base(d.File)
			}
			if gotWorkers != tt.wantWorkers {
				t.Errorf("Facts.WorkerProcesses from %q, want %q", gotWorkers, tt.wantWorkers)
			}

			_, added, err := ComposeCommand(argv, plan, "/tmp/nginit", BuildInfo{Version: "1.22.1", ErrorLogPath: Stderr}, true)
			if err != nil {
				t.Fatal(err)
			}
			assertLines(t, "ComposeCommand added", added, tt.wantAdded)
		})
	}
}
