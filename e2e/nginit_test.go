package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nginit/nginit/internal/containertest"
)

// Exit statuses of nginit that the tests check.
const (
	exitRoot         = 77
	exitSignalOffset = 128
)

// nginitOptions runs the example site with nginit as PID 1 and its default
// command, `nginx -g "daemon off;"`. Unlike nginx alone, it needs no mount
// at /tmp/nginx: nginit creates the temp paths on the /tmp tmpfs.
func nginitOptions(t *testing.T) containertest.Options {
	opts := nginxDirectOptions(t)
	opts.Tmpfs = nil
	opts.Nginit = builtNginit(t)
	return opts
}

// startNginit runs a container with opts and waits until nginx listens.
func startNginit(t *testing.T, opts containertest.Options) (*containertest.Container, containertest.State) {
	t.Helper()
	c := containertest.Run(t, opts)
	if err := c.WaitHTTP(startTimeout); err != nil {
		t.Fatal(err)
	}
	state, err := c.State()
	if err != nil {
		t.Fatal(err)
	}
	return c, state
}

func TestNginitServesSite(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	c, _ := startNginit(t, nginitOptions(t))

	_, site := examples(t)
	assertServes(t, c, "/", filepath.Join(site, "index.html"))
	assertServes(t, c, "/style.css", filepath.Join(site, "style.css"))
	assertServes(t, c, "/assets/about.html", filepath.Join(site, "assets", "about.html"))

	status, body, err := c.Get("/")
	if err != nil {
		t.Fatal(err)
	}
	if status == 200 && !strings.Contains(string(body), "<title>nginit example site</title>") {
		t.Errorf("GET / body = %q, want the example site's title", body)
	}
}

func TestNginitIsPID1(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	opts := nginitOptions(t)
	c, state := startNginit(t, opts)

	if got := namespacePid(t, state.Pid); got != "1" {
		t.Errorf("pid of the container's init in its pid namespace = %s, want 1", got)
	}

	// /proc/<pid>/exe names the path inside the container, so compare the
	// file itself with the one the harness copied to /nginit.
	exe, err := os.Stat(fmt.Sprintf("/proc/%d/exe", state.Pid))
	if err != nil {
		t.Fatal(err)
	}
	image, err := os.Stat(filepath.Join(c.Bundle, "rootfs", "nginit"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(exe, image) {
		link, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", state.Pid))
		t.Errorf("executable of the container's PID 1 = %s, want /nginit", link)
	}
}

func TestNginitProcessesRunAsUID101(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	c, _ := startNginit(t, nginitOptions(t))

	pids, err := c.Processes()
	if err != nil {
		t.Fatal(err)
	}
	// nginit, the nginx master and at least one worker.
	if len(pids) < 3 {
		t.Errorf("container processes = %v, want nginit, the nginx master and its workers", pids)
	}
	for _, pid := range pids {
		uids := procStatusField(t, pid, "Uid")
		for _, uid := range uids {
			if uid != "101" {
				t.Errorf("pid %d (container pid %s): Uid = %v, want 101 for real, effective, saved and filesystem uid",
					pid, namespacePid(t, pid), uids)
				break
			}
		}
		gids := procStatusField(t, pid, "Gid")
		for _, gid := range gids {
			if gid != "101" {
				t.Errorf("pid %d (container pid %s): Gid = %v, want 101 for every gid", pid, namespacePid(t, pid), gids)
				break
			}
		}
	}
}

func TestNginitRuntimeDirAndPidFile(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	c, state := startNginit(t, nginitOptions(t))

	runtimeDir := fmt.Sprintf("/proc/%d/root/tmp/nginit", state.Pid)
	var st syscall.Stat_t
	if err := syscall.Lstat(runtimeDir, &st); err != nil {
		t.Fatalf("lstat %s: %v", runtimeDir, err)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		t.Errorf("/tmp/nginit file type = %#o, want a directory", st.Mode&syscall.S_IFMT)
	}
	if mode := st.Mode & 0o7777; mode != 0o700 {
		t.Errorf("/tmp/nginit mode = %#o, want 0700", mode)
	}
	if st.Uid != 101 {
		t.Errorf("/tmp/nginit owner = %d, want 101", st.Uid)
	}

	// The pid file holds the nginx master's pid in the container's pid
	// namespace, and that process is nginx.
	data, err := os.ReadFile(filepath.Join(runtimeDir, "nginx.pid"))
	if err != nil {
		t.Fatalf("read nginx's pid file, which nginit puts in its runtime directory: %v", err)
	}
	masterPid := strings.TrimSpace(string(data))
	pids, err := c.Processes()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, pid := range pids {
		if namespacePid(t, pid) != masterPid {
			continue
		}
		found = true
		name := procStatusField(t, pid, "Name")
		if len(name) != 1 || name[0] != "nginx" {
			t.Errorf("process named by /tmp/nginit/nginx.pid = %v, want nginx", name)
		}
	}
	if !found {
		t.Errorf("/tmp/nginit/nginx.pid = %q, want the container pid of a running process", masterPid)
	}
}

func TestNginitStopSignalsDrainNginx(t *testing.T) {
	requirePrerequisites(t)

	for _, sig := range []string{"TERM", "QUIT"} {
		t.Run(sig, func(t *testing.T) {
			t.Parallel()
			c, _ := startNginit(t, nginitOptions(t))
			assertServes(t, c, "/", filepath.Join(exampleSite(t), "index.html"))

			if err := c.Kill(sig); err != nil {
				t.Fatal(err)
			}
			status, err := c.Wait(stopTimeout)
			if err != nil {
				t.Fatal(err)
			}
			if status != 0 {
				t.Errorf("nginit exit status after SIG%s = %d, want 0", sig, status)
			}
			// nginx logs each signal it receives at notice level. SIGQUIT is
			// its graceful shutdown and SIGTERM its fast one.
			if !strings.Contains(c.Output(), "signal 3 (SIGQUIT) received") {
				t.Errorf("nginx did not log SIGQUIT after SIG%s to nginit, want the graceful shutdown", sig)
			}
		})
	}
}

func TestNginitExitStatusOfKilledNginx(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	c, state := startNginit(t, nginitOptions(t))

	pids, err := c.Processes()
	if err != nil {
		t.Fatal(err)
	}
	master := 0
	for _, pid := range pids {
		ppid := procStatusField(t, pid, "PPid")
		if len(ppid) == 1 && ppid[0] == strconv.Itoa(state.Pid) {
			master = pid
		}
	}
	if master == 0 {
		t.Fatalf("no child of nginit (host pid %d) among the container's processes %v", state.Pid, pids)
	}
	if err := syscall.Kill(master, syscall.SIGKILL); err != nil {
		t.Fatalf("kill nginx master %d: %v", master, err)
	}

	status, err := c.Wait(stopTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if want := exitSignalOffset + int(syscall.SIGKILL); status != want {
		t.Errorf("nginit exit status after SIGKILL to nginx = %d, want %d", status, want)
	}
}

func TestNginitExitCodeOfFailedNginx(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// An unknown directive makes nginx exit with status 1 before serving.
	opts := nginitOptions(t)
	opts.Args = []string{"/nginit", "nginx", "-g", "daemon off; no_such_directive on;"}
	c := containertest.Run(t, opts)

	status, err := c.Wait(stopTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if status != 1 {
		t.Errorf("nginit exit status when nginx rejects its configuration = %d, want 1", status)
	}
}

func TestNginitRejectsRoot(t *testing.T) {
	requirePrerequisites(t)

	tests := []struct {
		name     string
		uid, gid uint32
	}{
		{"uid 0", 0, 0},
		{"uid 0 gid 101", 0, 101},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := nginitOptions(t)
			opts.UID = containertest.Uint32(tt.uid)
			opts.GID = containertest.Uint32(tt.gid)
			c := containertest.Run(t, opts)

			status, err := c.Wait(stopTimeout)
			if err != nil {
				t.Fatal(err)
			}
			if status != exitRoot {
				t.Errorf("nginit exit status as uid %d = %d, want %d", tt.uid, status, exitRoot)
			}
			if !strings.Contains(c.Output(), "USER 101:101") {
				t.Errorf("nginit output as uid %d = %q, want the fix `USER 101:101`", tt.uid, c.Output())
			}
			if strings.Contains(c.Output(), "nginx/1.") {
				t.Errorf("nginx started although nginit runs as uid %d", tt.uid)
			}
		})
	}
}
