package fsprep

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func init() {
	// args: path, mode in octal with 02000 for setgid, "shared" or "".
	childFuncs["prepare"] = func(args []string) (any, error) {
		mode, err := strconv.ParseUint(args[1], 8, 32)
		if err != nil {
			return nil, err
		}
		return Prepare(Dir{Path: args[0], Mode: fileMode(uint32(mode)) &^ os.ModeType, Shared: args[2] == "shared"})
	}
}

func TestDirString(t *testing.T) {
	tests := []struct {
		dir  Dir
		want string
	}{
		{Dir{Path: "/tmp/nginit", Mode: 0o700, Purpose: "runtime directory"}, "dir /tmp/nginit mode 0700 drwx------ (runtime directory)"},
		{Dir{Path: "/tmp/nginit", Mode: os.ModeSetgid | 0o770}, "dir /tmp/nginit mode 02770 drwxrws---"},
		{Dir{Path: "/var/cache/nginx", Mode: os.ModeSetgid | 0o750, Shared: true, Purpose: "cache"}, "dir /var/cache/nginx mode 02750 drwxr-s--- shared (cache)"},
		{Dir{Path: "/tmp/x", Mode: os.ModeSticky | 0o777}, "dir /tmp/x mode 01777 drwxrwxrwt"},
		{Dir{Path: "/tmp/y", Mode: os.ModeSetgid | 0o700}, "dir /tmp/y mode 02700 drwx--S---"},
	}
	for _, tt := range tests {
		if got := tt.dir.String(); got != tt.want {
			t.Errorf("Dir.String() = %q, want %q", got, tt.want)
		}
	}
}

// stepMode formats a mode for the prepare child.
func stepMode(m uint32) string { return strconv.FormatUint(uint64(m), 8) }

func TestPrepareAsRuntimeUser(t *testing.T) {
	base := fixtureDir(t)
	// tmp is like /tmp: root-owned 1777; home is owned by the runtime user.
	buildTree(t, base, []entry{
		{path: "tmp/", mode: os.ModeSticky | 0o777},
		{path: "home/", mode: 0o755, uid: runtimeUID, gid: runtimeGID},
		{path: "rootonly/", mode: 0o755},
		{path: "target/", mode: 0o777 | os.ModeSticky},
		{path: "tmp/final-link", linkTarget: "../target"},
		{path: "tmp/planted", linkTarget: "../target", uid: otherUID, gid: otherUID},
		{path: "tmp/foreign/", mode: 0o755},
		{path: "tmp/foreign-shared/", mode: 0o770, gid: runtimeGID},
		{path: "tmp/foreign-shared-ro/", mode: 0o750, gid: runtimeGID},
		{path: "tmp/open/", mode: 0o777, uid: runtimeUID, gid: runtimeGID},
		{path: "tmp/open-root/", mode: 0o777},
		{path: "sgid-root/", mode: os.ModeSetgid | 0o777 | os.ModeSticky},
		{path: "trusted/", mode: 0o755},
		{path: "trusted/run", linkTarget: "../tmp"},
		{path: "tmp/rootlink", linkTarget: "../target"},
		{path: "groupwritable/", mode: 0o775},
		{path: "groupwritable/run", linkTarget: "../tmp"},
		{path: "file", mode: 0o644},
		{path: "openparent/", mode: 0o777},
		{path: "openparent/sub/", mode: 0o755},
		// Directories of another non-root uid, which may rename what is in
		// them whatever their mode.
		{path: "otheropen/", mode: os.ModeSticky | 0o777, uid: otherUID, gid: otherUID},
		{path: "otherclosed/", mode: 0o755, uid: otherUID, gid: otherUID},
		{path: "otherclosed/nginit/", mode: 0o700, uid: runtimeUID, gid: runtimeGID},
	})

	tests := []struct {
		name    string
		path    string
		mode    uint32
		shared  bool
		wantIs  string // sentinel or errno name; "" for success
		created []string
		want    uint32 // st_mode & 07777 after success
	}{
		{name: "new under sticky tmp", path: "tmp/nginit", mode: 0o700, created: []string{"tmp/nginit"}, want: 0o700},
		{name: "parents created", path: "tmp/a/b/c", mode: 0o750, created: []string{"tmp/a", "tmp/a/b", "tmp/a/b/c"}, want: 0o750},
		{name: "setgid applied", path: "home/sgid", mode: 0o2770, created: []string{"home/sgid"}, want: 0o2770},
		{name: "existing own dir fchmod", path: "home", mode: 0o700, want: 0o700},
		{name: "final symlink", path: "tmp/final-link", mode: 0o700, wantIs: "ErrSymlink"},
		{name: "middle symlink by other user", path: "tmp/planted/x", mode: 0o700, wantIs: "ErrSymlink"},
		{name: "root symlink in sticky dir", path: "tmp/rootlink/x", mode: 0o700, wantIs: "ErrSymlink"},
		{name: "root symlink in group-writable dir", path: "groupwritable/run/x", mode: 0o700, wantIs: "ErrSymlink"},
		{name: "trusted root symlink followed", path: "trusted/run/viaroot", mode: 0o700, created: []string{"tmp/viaroot"}, want: 0o700},
		{name: "foreign owner", path: "tmp/foreign", mode: 0o700, wantIs: "ErrForeignOwner"},
		{name: "foreign owner shared writable", path: "tmp/foreign-shared", mode: 0o700, shared: true, want: 0o770},
		{name: "foreign owner shared not writable", path: "tmp/foreign-shared-ro", mode: 0o700, shared: true, wantIs: "EACCES"},
		{name: "world-writable own dir", path: "tmp/open", mode: 0o700, wantIs: "ErrWorldWritable"},
		{name: "world-writable shared dir", path: "tmp/open-root", mode: 0o700, shared: true, wantIs: "ErrWorldWritable"},
		{name: "world-writable parent", path: "openparent/new", mode: 0o700, wantIs: "ErrWorldWritable"},
		{name: "world-writable grandparent", path: "openparent/sub/new", mode: 0o700, wantIs: "ErrWorldWritable"},
		{name: "parent of another uid", path: "otheropen/nginit", mode: 0o700, wantIs: "ErrForeignOwner"},
		{name: "existing dir in dir of another uid", path: "otherclosed/nginit", mode: 0o700, wantIs: "ErrForeignOwner"},
		{name: "shared dir in dir of another uid", path: "otheropen/shared", mode: 0o770, shared: true, created: []string{"otheropen/shared"}, want: 0o770},
		{name: "parent not writable", path: "rootonly/x", mode: 0o700, wantIs: "EACCES"},
		{name: "component is a file", path: "file/x", mode: 0o700, wantIs: "ErrNotDirectory"},
		{name: "setgid dropped by kernel", path: "sgid-root/x", mode: 0o2770, wantIs: "ErrModeNotApplied"},
		{name: "world-writable mode requested", path: "tmp/ww", mode: 0o777, wantIs: "ErrWorldWritable"},
		{name: "relative path", path: "", mode: 0o700, wantIs: "ErrInvalidDir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(base, tt.path)
			if tt.name == "relative path" {
				path = "relative/dir"
			}
			shared := ""
			if tt.shared {
				shared = "shared"
			}
			var res Result
			got := runAsRuntimeUser(t, "prepare", &res, path, stepMode(tt.mode), shared)
			if tt.wantIs != "" {
				if !got.is(tt.wantIs) {
					t.Fatalf("Prepare(%s) error = %q matching %v, want %s", path, got.Err, got.Is, tt.wantIs)
				}
				return
			}
			if got.Err != "" {
				t.Fatalf("Prepare(%s) error = %q, want nil", path, got.Err)
			}
			var wantCreated []string
			for _, c := range tt.created {
				wantCreated = append(wantCreated, filepath.Join(base, c))
			}
			if strings.Join(res.Created, ",") != strings.Join(wantCreated, ",") {
				t.Errorf("Prepare(%s).Created = %v, want %v", path, res.Created, wantCreated)
			}
			var st unix.Stat_t
			if err := unix.Stat(path, &st); err != nil {
				t.Fatal(err)
			}
			if st.Mode&0o7777 != tt.want {
				t.Errorf("mode of %s = %04o, want %04o", path, st.Mode&0o7777, tt.want)
			}
			if unixPerm(res.Mode) != tt.want {
				t.Errorf("Prepare(%s).Mode = %s, want %04o", path, FormatMode(res.Mode), tt.want)
			}
			for _, c := range wantCreated {
				var cst unix.Stat_t
				if err := unix.Lstat(c, &cst); err != nil {
					t.Fatal(err)
				}
				if cst.Uid != runtimeUID || cst.Mode&0o7777 != tt.want {
					t.Errorf("created %s: uid %d mode %04o, want uid %d mode %04o", c, cst.Uid, cst.Mode&0o7777, runtimeUID, tt.want)
				}
			}
			entries, _ := os.ReadDir(path)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), probePrefix) {
					t.Errorf("probe file %s left in %s", e.Name(), path)
				}
			}
		})
	}

	// Nothing may have been written through the links.
	if entries, _ := os.ReadDir(filepath.Join(base, "target")); len(entries) != 0 {
		t.Errorf("symlink target %s/target has %d entries, want none", base, len(entries))
	}
}

func TestPrepareNamesForeignParent(t *testing.T) {
	base := fixtureDir(t)
	buildTree(t, base, []entry{{path: "x/", mode: 0o755, uid: otherUID, gid: otherUID}, {path: "x/nginit/", mode: 0o700, uid: runtimeUID, gid: runtimeGID}})
	var res Result
	got := runAsRuntimeUser(t, "prepare", &res, filepath.Join(base, "x/nginit"), stepMode(0o700), "")
	want := fmt.Sprintf("parent %s (owner uid %d gid %d, mode 0755 drwxr-xr-x) is owned by neither root nor the runtime uid %d", filepath.Join(base, "x"), otherUID, otherUID, runtimeUID)
	if !strings.Contains(got.Err, want) {
		t.Errorf("Prepare error = %q, want it to contain %q", got.Err, want)
	}
}

func TestPrepareMessage(t *testing.T) {
	base := fixtureDir(t)
	buildTree(t, base, []entry{{path: "client_temp/", mode: 0o755}, {path: "cache/", mode: 0o755}})
	tests := []struct {
		path, shared, want string
	}{
		{"client_temp", "shared", "prepare dir BASE/client_temp: not writable by uid 101 gid 101 (owner uid 0 gid 0, mode 0755 drwxr-xr-x): permission denied"},
		{"cache/proxy", "", "prepare dir BASE/cache/proxy: parent BASE/cache not writable by uid 101 gid 101 (owner uid 0 gid 0, mode 0755 drwxr-xr-x): permission denied"},
	}
	for _, tt := range tests {
		got := runAsRuntimeUser(t, "prepare", nil, filepath.Join(base, tt.path), "700", tt.shared)
		if want := strings.ReplaceAll(tt.want, "BASE", base); got.Err != want {
			t.Errorf("Prepare error = %q\nwant %q", got.Err, want)
		}
	}
}

func TestPrepareReadOnlyMount(t *testing.T) {
	base := fixtureDir(t)
	buildTree(t, base, []entry{
		{path: "ro/", mode: 0o755},
		{path: "rw-root-owned/", mode: 0o755},
	})
	ro := filepath.Join(base, "ro")
	mountTmpfs(t, ro, unix.MS_RDONLY, "mode=1777")

	got := runAsRuntimeUser(t, "prepare", nil, filepath.Join(ro, "nginit"), "700", "")
	if !got.is("EROFS") || got.is("EACCES") {
		t.Errorf("Prepare on a read-only tmpfs: error %q matches %v, want EROFS and not EACCES", got.Err, got.Is)
	}
	if got.Mount != "tmpfs" {
		t.Errorf("Prepare on a read-only tmpfs: Error.Mount type %q, want tmpfs", got.Mount)
	}

	got = runAsRuntimeUser(t, "prepare", nil, filepath.Join(base, "rw-root-owned", "nginit"), "700", "")
	if !got.is("EACCES") || got.is("EROFS") {
		t.Errorf("Prepare in a root-owned 0755 dir: error %q matches %v, want EACCES and not EROFS", got.Err, got.Is)
	}
}

func TestFormatMode(t *testing.T) {
	tests := []struct {
		mode os.FileMode
		want string
	}{
		{os.ModeDir | 0o755, "0755 drwxr-xr-x"},
		{os.ModeDir | os.ModeSetgid | 0o770, "02770 drwxrws---"},
		{os.ModeDir | os.ModeSticky | 0o777, "01777 drwxrwxrwt"},
		{os.ModeSetuid | 0o644, "04644 -rwSr--r--"},
		{os.ModeSymlink | 0o777, "0777 lrwxrwxrwx"},
		{os.ModeNamedPipe | 0o600, "0600 prw-------"},
	}
	for _, tt := range tests {
		if got := FormatMode(tt.mode); got != tt.want {
			t.Errorf("FormatMode(%v) = %q, want %q", tt.mode, got, tt.want)
		}
	}
}
