package fsprep

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestMountOfTmpfs(t *testing.T) {
	base := fixtureDir(t)
	buildTree(t, base, []entry{{path: "run/", mode: 0o755}, {path: "ro/", mode: 0o755}})
	run := filepath.Join(base, "run")
	mountTmpfs(t, run, unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=0750,uid=101,gid=101,size=1m")
	ro := filepath.Join(base, "ro")
	mountTmpfs(t, ro, unix.MS_RDONLY, "mode=0755")

	tests := []struct {
		path       string
		mountPoint string
		readOnly   bool
		noExec     bool
		rootMode   uint32
		rootOwner  uint32
		options    map[string]string
	}{
		{path: run, mountPoint: run, noExec: true, rootMode: 0o750, rootOwner: 101, options: map[string]string{"mode": "750", "uid": "101"}},
		// A path that does not exist is described by its nearest ancestor.
		{path: filepath.Join(run, "missing", "dir"), mountPoint: run, noExec: true, rootMode: 0o750, rootOwner: 101},
		{path: ro, mountPoint: ro, readOnly: true, rootMode: 0o755},
	}
	for _, tt := range tests {
		m, err := MountOf(tt.path)
		if err != nil {
			t.Fatalf("MountOf(%s): %v", tt.path, err)
		}
		if m.FSType != "tmpfs" || m.Magic != unix.TMPFS_MAGIC {
			t.Errorf("MountOf(%s) type = %q magic %#x, want tmpfs", tt.path, m.FSType, m.Magic)
		}
		if !m.HasEntry || m.Entry.MountPoint != tt.mountPoint {
			t.Errorf("MountOf(%s) mount point = %q (found %v), want %s", tt.path, m.Entry.MountPoint, m.HasEntry, tt.mountPoint)
		}
		if m.ReadOnly != tt.readOnly || m.NoExec != tt.noExec {
			t.Errorf("MountOf(%s) ReadOnly, NoExec = %v, %v, want %v, %v", tt.path, m.ReadOnly, m.NoExec, tt.readOnly, tt.noExec)
		}
		if unixPerm(m.RootMode) != tt.rootMode || m.RootOwner != tt.rootOwner {
			t.Errorf("MountOf(%s) root = uid %d mode %s, want uid %d mode %04o", tt.path, m.RootOwner, FormatMode(m.RootMode), tt.rootOwner, tt.rootMode)
		}
		for name, want := range tt.options {
			if got, ok := m.Entry.Option(name); !ok || got != want {
				t.Errorf("MountOf(%s) Option(%q) = %q, %v, want %q", tt.path, name, got, ok, want)
			}
		}
		readOnly, err := IsReadOnly(tt.mountPoint)
		if err != nil || readOnly != tt.readOnly {
			t.Errorf("IsReadOnly(%s) = %v, %v, want %v", tt.mountPoint, readOnly, err, tt.readOnly)
		}
	}
}

func TestMountOfRoot(t *testing.T) {
	m, err := MountOf("/")
	if err != nil {
		t.Fatal(err)
	}
	if !m.HasEntry || m.Entry.MountPoint != "/" {
		t.Errorf("MountOf(/) mount point = %q, want /", m.Entry.MountPoint)
	}
	if _, err := os.Stat("/proc/self/mountinfo"); err == nil && m.FSType == "" {
		t.Errorf("MountOf(/) has no type")
	}
	t.Logf("MountOf(/) = %s", m)
}

func TestFindMountBindOverSameDevice(t *testing.T) {
	entries := []MountEntry{
		{MountPoint: "/", Major: 254, Minor: 0},
		{MountPoint: "/srv", Major: 0, Minor: 47},
		{MountPoint: "/srv/www", Major: 254, Minor: 0}, // bind mount from the root filesystem
		{MountPoint: "/srv/www", Major: 0, Minor: 50},  // mounted on top of it
	}
	tests := []struct {
		major, minor uint32
		path         string
		want         int
	}{
		{254, 0, "/etc/passwd", 0},
		{0, 47, "/srv/file", 1},
		{0, 50, "/srv/www/index.html", 3},
		{254, 0, "/srv/www/index.html", 2},
		{9, 9, "/srv/www/x", 3}, // no device matches: the longest, last mount point
	}
	for _, tt := range tests {
		got, ok := findMount(entries, tt.major, tt.minor, tt.path)
		if !ok || !mountEntryEqual(got, entries[tt.want]) {
			t.Errorf("findMount(%d:%d, %s) = %+v, want %+v", tt.major, tt.minor, tt.path, got, entries[tt.want])
		}
	}
}
