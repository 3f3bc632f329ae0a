package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// procStatusField returns the whitespace-separated values of one line of
// /proc/<pid>/status, such as "Uid" or "NSpid".
func procStatusField(t *testing.T, pid int, name string) []string {
	t.Helper()
	path := fmt.Sprintf("/proc/%d/status", pid)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if ok && key == name {
			return strings.Fields(value)
		}
	}
	t.Fatalf("read %s: no %s line", path, name)
	return nil
}

// namespacePid returns pid's pid in its innermost pid namespace: the last
// field of NSpid.
func namespacePid(t *testing.T, pid int) string {
	t.Helper()
	nspid := procStatusField(t, pid, "NSpid")
	if len(nspid) == 0 {
		t.Fatalf("/proc/%d/status: empty NSpid line", pid)
	}
	return nspid[len(nspid)-1]
}
