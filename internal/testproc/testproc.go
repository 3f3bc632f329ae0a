// Package testproc holds small helpers that nginit's tests and test harnesses
// share for watching processes: a goroutine-safe output buffer and a scan of
// /proc for zombies. It is not part of nginit itself.
package testproc

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Buffer is a bytes.Buffer that a process's output copier and a test may use
// at the same time.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Zombies returns the pids of zombies whose parent is ppid, as /proc of the
// caller's pid namespace numbers them. It returns an error only when /proc
// cannot be listed; processes that exit during the scan are skipped.
func Zombies(ppid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var zombies []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name in field 2 may contain spaces and parentheses,
		// so the fields are read after its last ')'.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 && fields[0] == "Z" && fields[1] == strconv.Itoa(ppid) {
			zombies = append(zombies, pid)
		}
	}
	return zombies, nil
}
