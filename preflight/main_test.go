package preflight

import (
	"encoding/json"
	"fmt"
	"github.com/nginit/nginit/internal/testuser"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// The tests run as root, which passes every permission check, so a test
// about permissions re-executes this test binary as runtimeUID with
// childEnv naming a function of childFuncs. The child prints its JSON
// result on a line that starts with childResultPrefix.
const (
	runtimeUID        = 101
	runtimeGID        = 101
	childEnv          = "PREFLIGHT_CHILD"
	childArgEnv       = "PREFLIGHT_CHILD_ARGS"
	childResultPrefix = "PREFLIGHT_RESULT "
)

// childBinary is a copy of the test binary that runtimeUID can execute,
// because go test builds it in a 0700 directory.
var childBinary string

var childFuncs = map[string]func(args []string) (any, error){}

func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		os.Exit(runChild(name))
	}
	cleanup := func() {}
	if os.Geteuid() == 0 {
		var err error
		childBinary, cleanup, err = testuser.CopyTestBinary("preflight")
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
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	line, err := json.Marshal(value)
	if err != nil {
		fmt.Fprintln(os.Stderr, "encode child result:", err)
		return 2
	}
	fmt.Println(childResultPrefix + string(line))
	return 0
}

// runAsRuntimeUser runs childFuncs[name](args) as uid 101 gid 101 and
// decodes its result into value.
func runAsRuntimeUser(t *testing.T, name string, value any, args ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the check as uid 101")
	}
	encoded, _ := json.Marshal(args)
	cmd := exec.Command(childBinary, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+name, childArgEnv+"="+string(encoded))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: runtimeUID, Gid: runtimeGID}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child %s as uid %d: %v\n%s", name, runtimeUID, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, childResultPrefix); ok {
			if err := json.Unmarshal([]byte(rest), value); err != nil {
				t.Fatalf("decode child result %q: %v", rest, err)
			}
			return
		}
	}
	t.Fatalf("child %s printed no result:\n%s", name, out)
}

// fixtureDir returns a root-owned 0755 directory that uid 101 can search
// but not write, because t.TempDir is 0700. It is removed when the test
// ends.
func fixtureDir(t *testing.T) string {
	t.Helper()
	return testuser.FixtureDir(t, "preflight")
}
