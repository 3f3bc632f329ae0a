package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/nginit/nginit/internal/safefile"
)

// commandRecordName is the file in the runtime directory where the running
// nginit records nginx's command line for `nginit reload` and `nginit health`.
const commandRecordName = "command"

// maxCommandRecord bounds the record that reload reads.
const maxCommandRecord = 1 << 20

// commandRecord is the contents of the command record.
type commandRecord struct {
	// PID is the running nginit's pid, which forwards SIGHUP to nginx.
	PID int
	// StartTime is field 22 of /proc/<pid>/stat, the process's start time in
	// clock ticks after boot. With the pid it identifies the process, so a
	// stale record never gets a recycled pid signalled.
	StartTime uint64
	// PIDNamespace is the inode of the writer's pid namespace. PID is only
	// meaningful inside that namespace: a sidecar that shares the runtime
	// volume but not the pid namespace has another process at that pid.
	PIDNamespace uint64
	// Argv is nginx's composed command line, argv[0] included.
	Argv []string
	// HealthURL is the URL `nginit health` probes by default: nginx's first
	// listen address. Empty when nginit did not read nginx's configuration.
	HealthURL string
}

// writeCommandRecord writes the command record into dir for the nginit
// process pid that runs argv, atomically and without following symlinks.
func writeCommandRecord(dir string, pid int, argv []string, healthURL string) error {
	start, err := processStartTime(pid)
	if err != nil {
		return fmt.Errorf("write command record: %w", err)
	}
	ns, err := pidNamespace()
	if err != nil {
		return fmt.Errorf("write command record: %w", err)
	}
	data := commandRecord{PID: pid, StartTime: start, PIDNamespace: ns, Argv: argv, HealthURL: healthURL}.marshal()

	d, err := safefile.OpenDir(dir)
	if err != nil {
		return fmt.Errorf("write command record: %w", err)
	}
	defer d.Close()
	return safefile.WriteFileAt(d, commandRecordName, data, 0o644)
}

// readCommandRecord reads the command record in dir. The file must be a
// regular file, not a symlink, and owned by the current effective uid, which
// is the uid of the nginit that wrote it.
func readCommandRecord(dir string) (commandRecord, error) {
	path := filepath.Join(dir, commandRecordName)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return commandRecord{}, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()

	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return commandRecord{}, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return commandRecord{}, fmt.Errorf("read %s: not a regular file", path)
	}
	if euid := os.Geteuid(); int(st.Uid) != euid {
		return commandRecord{}, fmt.Errorf("read %s: owned by uid %d, not by uid %d that runs nginit", path, st.Uid, euid)
	}

	data, err := io.ReadAll(io.LimitReader(f, maxCommandRecord+1))
	if err != nil {
		return commandRecord{}, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxCommandRecord {
		return commandRecord{}, fmt.Errorf("read %s: larger than %d bytes", path, maxCommandRecord)
	}
	rec, err := parseCommandRecord(data)
	if err != nil {
		return commandRecord{}, fmt.Errorf("read %s: %w", path, err)
	}
	return rec, nil
}

// processStartTime returns field 22 of /proc/<pid>/stat. The fields are
// counted after the command name, which ends at the last ')' and may itself
// contain spaces and parentheses.
func processStartTime(pid int) (uint64, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return parseStartTime(data)
}

func parseStartTime(stat []byte) (uint64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("parse /proc/<pid>/stat: no command name")
	}
	// After the name: field 3 (state) is the first, so start time, field
	// 22, is the 20th.
	fields := bytes.Fields(stat[i+1:])
	if len(fields) < 20 {
		return 0, errors.New("parse /proc/<pid>/stat: too few fields")
	}
	start, err := strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse /proc/<pid>/stat: invalid start time %q", fields[19])
	}
	return start, nil
}

// pidNamespace returns the inode of the calling process's pid namespace.
func pidNamespace() (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/pid", &st); err != nil {
		return 0, &os.PathError{Op: "stat", Path: "/proc/self/ns/pid", Err: err}
	}
	return st.Ino, nil
}

// liveNginit returns the pid of the nginit that wrote the command record in
// dir when that process is still running in this pid namespace.
func liveNginit(dir string) (int, bool) {
	rec, err := readCommandRecord(dir)
	if err != nil {
		return 0, false
	}
	if ns, err := pidNamespace(); err != nil || ns != rec.PIDNamespace {
		return 0, false
	}
	if start, err := processStartTime(rec.PID); err != nil || start != rec.StartTime {
		return 0, false
	}
	return rec.PID, true
}
