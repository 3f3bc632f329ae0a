package e2e

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/nginit/nginit/internal/containertest"
)

// TestRuncTmpfsMode pins the runc 1.1 behaviour that the image's directory
// modes rely on. A tmpfs without a mode option takes the mode, but not the
// owner, of the directory it is mounted over. A new mount point gets
// tmpfs's default 1777.
func TestRuncTmpfsMode(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	opts := nginxDirectOptions(t)
	opts.Files = append(opts.Files, containertest.File{Path: "/var/cache/app", Dir: true, Mode: 0o750, UID: 5, GID: 6})
	opts.Tmpfs = append(opts.Tmpfs,
		containertest.Tmpfs{Path: "/run"},
		containertest.Tmpfs{Path: "/var/cache/app"},
		containertest.Tmpfs{Path: "/var/cache/new"},
	)
	c := containertest.Run(t, opts)
	if err := c.WaitHTTP(startTimeout); err != nil {
		t.Fatal(err)
	}
	state, err := c.State()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		path      string
		wantMode  uint32
		wantOwner uint32
	}{
		{"/tmp", syscall.S_ISVTX | 0o777, 0},
		{"/run", 0o755, 0},
		{"/var/cache/app", 0o750, 0},
		{"/var/cache/new", syscall.S_ISVTX | 0o777, 0},
		{"/tmp/nginx", 0o700, 101},
	}
	for _, tt := range tests {
		// The host reaches the container's mount namespace through
		// /proc/<pid>/root.
		path := fmt.Sprintf("/proc/%d/root%s", state.Pid, tt.path)
		var st syscall.Stat_t
		if err := syscall.Stat(path, &st); err != nil {
			t.Errorf("stat %s: %v", path, err)
			continue
		}
		if mode := st.Mode &^ syscall.S_IFMT; mode != tt.wantMode {
			t.Errorf("mode of tmpfs %s = %#o, want %#o", tt.path, mode, tt.wantMode)
		}
		if st.Uid != tt.wantOwner {
			t.Errorf("owner of tmpfs %s = %d, want %d", tt.path, st.Uid, tt.wantOwner)
		}
	}
}

func TestExecRunsAsContainerUser(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	c := containertest.Run(t, nginxDirectOptions(t))
	if err := c.WaitHTTP(startTimeout); err != nil {
		t.Fatal(err)
	}

	out, err := c.Exec("/usr/sbin/nginx", "-v")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.Contains(out, "nginx version: nginx/") {
		t.Errorf("nginx -v output = %q, want the version", out)
	}

	// The image has no shell, so nothing can run a script in it.
	for _, shell := range []string{"/bin/sh", "/bin/bash", "/usr/bin/sh"} {
		if out, err := c.Exec(shell, "-c", "true"); err == nil {
			t.Errorf("exec %s succeeded with output %q, want no shell in the image", shell, out)
		}
	}
}

func TestRootFilesystemIsReadOnly(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	c := containertest.Run(t, nginxDirectOptions(t))
	if err := c.WaitHTTP(startTimeout); err != nil {
		t.Fatal(err)
	}
	state, err := c.State()
	if err != nil {
		t.Fatal(err)
	}

	var fs syscall.Statfs_t
	root := fmt.Sprintf("/proc/%d/root/", state.Pid)
	if err := syscall.Statfs(root, &fs); err != nil {
		t.Fatalf("statfs %s: %v", root, err)
	}
	if fs.Flags&unixStRdonly == 0 {
		t.Errorf("root filesystem mount flags = %#x, want ST_RDONLY", fs.Flags)
	}
	status := procStatusField(t, state.Pid, "CapEff")
	if len(status) != 1 || status[0] != "0000000000000000" {
		t.Errorf("CapEff of the container's init = %v, want no capabilities", status)
	}
	nnp := procStatusField(t, state.Pid, "NoNewPrivs")
	if len(nnp) != 1 || nnp[0] != "1" {
		t.Errorf("NoNewPrivs of the container's init = %v, want 1", nnp)
	}
}

// unixStRdonly is ST_RDONLY from statvfs(3), which statfs(2) reports in
// f_flags since Linux 2.6.36.
const unixStRdonly = 0x1
