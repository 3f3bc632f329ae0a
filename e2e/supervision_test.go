package e2e

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"github.com/nginit/nginit/internal/testproc"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nginit/nginit/internal/containertest"
)

// downloadSize is the file the drain tests fetch: 2 MB at 1 MB/s keeps a
// request in flight for about two seconds after the stop request.
const downloadSize = 2 << 20

// slowDownloadOptions serves a 2 MB file at /slow/file.bin rate-limited to
// 1 MB/s, next to the example site.
func slowDownloadOptions(t *testing.T) containertest.Options {
	t.Helper()
	conf, site := examples(t)
	text, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	limited := strings.Replace(string(text), "index index.html;",
		"index index.html;\n        location /slow/ { limit_rate 1m; }", 1)
	if limited == string(text) {
		t.Fatal("examples/nginx.conf has no `index index.html;` line to add the slow location after")
	}
	dir := t.TempDir()
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(limited), 0o644); err != nil {
		t.Fatal(err)
	}

	data := make([]byte, downloadSize)
	rand.Read(data)
	opts := nginitOptions(t)
	opts.NginxConf = confPath
	opts.Site = site
	opts.Files = append(opts.Files,
		containertest.File{Path: "/usr/share/nginx/html/slow", Dir: true, Mode: 0o755},
		containertest.File{Path: "/usr/share/nginx/html/slow/file.bin", Data: data, Mode: 0o644})
	return opts
}

func TestStopDrainsSlowDownload(t *testing.T) {
	requirePrerequisites(t)
	for _, sig := range []string{"TERM", "QUIT"} {
		t.Run(sig, func(t *testing.T) {
			t.Parallel()
			c, _ := startNginit(t, slowDownloadOptions(t))

			resp, err := http.Get(c.URL("/slow/file.bin"))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			first := make([]byte, 64<<10)
			if _, err := io.ReadFull(resp.Body, first); err != nil {
				t.Fatalf("read the first 64 KiB: %v", err)
			}

			if err := c.Kill(sig); err != nil {
				t.Fatal(err)
			}
			rest, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Errorf("download cut after SIG%s: %v after %d bytes", sig, err, len(first)+len(rest))
			}
			if got := len(first) + len(rest); got != downloadSize {
				t.Errorf("downloaded %d bytes across SIG%s, want %d", got, sig, downloadSize)
			}

			status, err := c.Wait(stopTimeout)
			if err != nil {
				t.Fatal(err)
			}
			if status != 0 {
				t.Errorf("nginit exit status after SIG%s = %d, want 0", sig, status)
			}
			if !strings.Contains(c.Output(), "stop: SIGQUIT sent") {
				t.Errorf("nginit did not log sending SIGQUIT to nginx; output:\n%s", c.Output())
			}
		})
	}
}

// buildTestChild builds internal/testchild, a helper that leaves orphans.
func buildTestChild(t *testing.T) []byte {
	t.Helper()
	root, err := containertest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "testchild")
	cmd := exec.Command("go", "build", "-o", out, "./internal/testchild")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build testchild: %v\n%s", err, output)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// zombieChildren lists the zombies whose parent is the host pid ppid.
func zombieChildren(t *testing.T, ppid int) []int {
	t.Helper()
	zombies, err := testproc.Zombies(ppid)
	if err != nil {
		t.Fatal(err)
	}
	return zombies
}

func TestExecOrphansReaped(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	opts := nginitOptions(t)
	opts.Files = append(opts.Files, containertest.File{Path: "/testchild", Data: buildTestChild(t), Mode: 0o755})
	c, state := startNginit(t, opts)

	// Each exec'd process starts 100 children and exits without waiting for
	// them, so they reparent to the container's PID 1: nginit.
	for range 3 {
		if out, err := c.Exec("/testchild", "spawn-orphans", "100"); err != nil {
			t.Fatalf("runc exec testchild: %v\n%s", err, out)
		}
	}

	deadline := time.Now().Add(5 * time.Second)
	zombies := zombieChildren(t, state.Pid)
	for len(zombies) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		zombies = zombieChildren(t, state.Pid)
	}
	if len(zombies) > 0 {
		t.Errorf("%d zombies of nginit (host pid %d) remain after 5s: %v", len(zombies), state.Pid, zombies)
	}

	status, _, err := c.Get("/")
	if err != nil || status != 200 {
		t.Errorf("GET / after reaping = %d, %v; want 200", status, err)
	}
}

// workerCount counts nginx worker processes in the container.
func workerCount(t *testing.T, c *containertest.Container) int {
	t.Helper()
	pids, err := c.Processes()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pid := range pids {
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err == nil && bytes.HasPrefix(cmdline, []byte("nginx: worker process")) {
			n++
		}
	}
	return n
}

func TestWorkersFollowCPUQuota(t *testing.T) {
	requirePrerequisites(t)
	tests := []struct {
		name        string
		quota       int64
		wantWorkers int
	}{
		{name: "one CPU quota", quota: 100000, wantWorkers: 1},
		{name: "no quota", quota: 0, wantWorkers: runtime.NumCPU()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := nginitOptions(t)
			opts.CPUQuota = tt.quota
			c, _ := startNginit(t, opts)

			got := workerCount(t, c)
			for deadline := time.Now().Add(3 * time.Second); got != tt.wantWorkers && time.Now().Before(deadline); {
				time.Sleep(50 * time.Millisecond)
				got = workerCount(t, c)
			}
			if got != tt.wantWorkers {
				t.Errorf("nginx workers with CPU quota %d = %d, want %d; nginit output:\n%s", tt.quota, got, tt.wantWorkers, c.Output())
			}
		})
	}
}
