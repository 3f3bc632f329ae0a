package e2e

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/nginit/nginit/internal/containertest"
)

// TestRuncTmpfsMode records the runc behaviour that the root filesystem's
// directory modes rely on: a tmpfs without a mode option takes the mode,
// but not the owner, of the directory it is mounted over, and a new mount
// point gets tmpfs's default 1777.
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
