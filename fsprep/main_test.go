package fsprep

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/nginit/nginit/internal/testuser"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The tests run as root, and root bypasses permission checks, so every test
// about permissions re-executes this test binary as runtimeUID with
// FSPREP_CHILD naming a function of childFuncs. The child prints its result
// as JSON on a line that starts with childResultPrefix.
const (
	runtimeUID  = 101
	runtimeGID  = 101
	otherUID    = 102 // a third user, who plants links and owns files
	extraGroup  = 102 // a supplementary group of the child
	childEnv    = "FSPREP_CHILD"
	childArgEnv = "FSPREP_CHILD_ARGS"

	childResultPrefix = "FSPREP_RESULT "
)

// childBinary is a copy of the test binary that runtimeUID can execute,
// because go test builds it in a 0700 directory.
var childBinary string

// childResult is what a child function returns to the parent test.
type childResult struct {
	Err   string          // err.Error(), or "" for nil
	Is    []string        // names of the sentinels and errnos that errors.Is matches
	Mount string          // Error.Mount.FSType when set
	Value json.RawMessage // the function's result
}

var childFuncs = map[string]func(args []string) (any, error){}

func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		os.Exit(runChild(name))
	}
	cleanup := func() {}
	if os.Geteuid() == 0 {
		var err error
		childBinary, cleanup, err = testuser.CopyTestBinary("fsprep")
		if err != nil {
			cleanup()
			fmt.Fprintln(os.Stderr, "copy test binary for the non-root child:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func runChild(name string) int {
	fn, ok := childFuncs[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown child function %q\n", name)
		return 2
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(childArgEnv)), &args); err != nil {
		fmt.Fprintln(os.Stderr, "child arguments:", err)
		return 2
	}
	value, err := fn(args)
	res := childResult{}
	if err != nil {
		res.Err = err.Error()
		for _, s := range namedErrors {
			if errors.Is(err, s.err) {
				res.Is = append(res.Is, s.name)
			}
		}
		var e *Error
		if errors.As(err, &e) && e.Mount != nil {
			res.Mount = e.Mount.FSType
		}
	}
	if res.Value, err = json.Marshal(value); err != nil {
		fmt.Fprintln(os.Stderr, "encode child result:", err)
		return 2
	}
	line, _ := json.Marshal(res)
	fmt.Println(childResultPrefix + string(line))
	return 0
}

var namedErrors = []struct {
	name string
	err  error
}{
	{"ErrSymlink", ErrSymlink},
	{"ErrForeignOwner", ErrForeignOwner},
	{"ErrWorldWritable", ErrWorldWritable},
	{"ErrNotDirectory", ErrNotDirectory},
	{"ErrModeNotApplied", ErrModeNotApplied},
	{"ErrInvalidDir", ErrInvalidDir},
	{"EROFS", unix.EROFS},
	{"EACCES", unix.EACCES},
	{"EPERM", unix.EPERM},
}

// runAsRuntimeUser runs childFuncs[name](args) as uid 101 gid 101 with the
// supplementary group 102, and decodes its result into value when not nil.
func runAsRuntimeUser(t *testing.T, name string, value any, args ...string) childResult {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the check as uid 101")
	}
	encoded, _ := json.Marshal(args)
	cmd := exec.Command(childBinary, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+name, childArgEnv+"="+string(encoded))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
		Uid: runtimeUID, Gid: runtimeGID, Groups: []uint32{extraGroup},
	}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child %s as uid %d: %v\n%s", name, runtimeUID, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, childResultPrefix); ok {
			var res childResult
			if err := json.Unmarshal([]byte(rest), &res); err != nil {
				t.Fatalf("decode child result %q: %v", rest, err)
			}
			if value != nil {
				if err := json.Unmarshal(res.Value, value); err != nil {
					t.Fatalf("decode child value %s: %v", res.Value, err)
				}
			}
			return res
		}
	}
	t.Fatalf("child %s printed no result:\n%s", name, out)
	return childResult{}
}

func (r childResult) is(name string) bool {
	for _, n := range r.Is {
		if n == name {
			return true
		}
	}
	return false
}

// fixtureDir returns a 0755 directory that uid 101 can reach, because
// t.TempDir is 0700 and owned by root. It is removed when the test ends.
func fixtureDir(t *testing.T) string {
	t.Helper()
	return testuser.FixtureDir(t, "fsprep")
}

// entry is one line of a fixture tree spec.
type entry struct {
	path       string // relative to the fixture; a trailing "/" makes a directory
	mode       os.FileMode
	uid, gid   int
	linkTarget string // makes a symbolic link
	fifo       bool
	charDevice bool // /dev/null's major and minor
	socket     bool
}

// buildTree creates entries in order below dir with the given owners and
// modes, applied with chmod after creation so the umask does not matter.
func buildTree(t *testing.T, dir string, entries []entry) {
	t.Helper()
	for _, e := range entries {
		p := filepath.Join(dir, e.path)
		var err error
		switch {
		case e.linkTarget != "":
			err = os.Symlink(e.linkTarget, p)
		case e.fifo:
			err = unix.Mkfifo(p, uint32(e.mode.Perm()))
		case e.charDevice:
			err = unix.Mknod(p, unix.S_IFCHR|uint32(e.mode.Perm()), int(unix.Mkdev(1, 3)))
		case e.socket:
			err = unix.Mknod(p, unix.S_IFSOCK|uint32(e.mode.Perm()), 0)
		case strings.HasSuffix(e.path, "/"):
			err = os.Mkdir(p, 0o700)
		default:
			err = os.WriteFile(p, []byte("content of "+e.path), 0o600)
		}
		if err != nil {
			t.Fatalf("fixture %s: %v", e.path, err)
		}
		if err := os.Lchown(p, e.uid, e.gid); err != nil {
			t.Fatalf("fixture %s: %v", e.path, err)
		}
		if e.linkTarget == "" {
			if err := unix.Chmod(p, unixPerm(e.mode)); err != nil {
				t.Fatalf("fixture %s: %v", e.path, err)
			}
		}
	}
}

// mountTmpfs mounts a tmpfs with mount flags (unix.MS_RDONLY) and options
// on dir and unmounts it when the test ends.
func mountTmpfs(t *testing.T, dir string, flags uintptr, options string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", flags, options); err != nil {
		t.Skipf("mount tmpfs on %s: %v (needs CAP_SYS_ADMIN)", dir, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
}
