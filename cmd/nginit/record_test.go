package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCommandRecordRoundTrip(t *testing.T) {
	dir := t.TempDir()
	argv := []string{"/usr/sbin/nginx", "-g", "daemon off; pid /tmp/nginit/nginx.pid;"}
	if err := writeCommandRecord(dir, os.Getpid(), argv, ""); err != nil {
		t.Fatal(err)
	}

	rec, err := readCommandRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rec.PID != os.Getpid() || !reflect.DeepEqual(rec.Argv, argv) {
		t.Errorf("readCommandRecord = %+v, want pid %d and argv %q", rec, os.Getpid(), argv)
	}
	start, err := processStartTime(os.Getpid())
	if err != nil || rec.StartTime != start {
		t.Errorf("StartTime = %d, want %d (%v)", rec.StartTime, start, err)
	}
}

func TestReadCommandRecordRejectsSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), commandRecordName)
	record := commandRecord{PID: 1, Argv: []string{"nginx"}}.marshal()
	if err := os.WriteFile(target, record, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, commandRecordName)); err != nil {
		t.Fatal(err)
	}
	if _, err := readCommandRecord(dir); err == nil {
		t.Error("readCommandRecord(symlink) succeeded, want an error")
	}
}

func TestReadCommandRecordRejectsZeroPID(t *testing.T) {
	dir := t.TempDir()
	record := "nginit command record 2\npid 0\nstart_time 1\npid_ns 3\nargv \"nginx\"\n"
	if err := os.WriteFile(filepath.Join(dir, commandRecordName), []byte(record), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readCommandRecord(dir); err == nil || !strings.Contains(err.Error(), "line 2: want pid") {
		t.Errorf("readCommandRecord(pid 0) = %v, want an error about line 2", err)
	}
}

func TestReadCommandRecordRejectsOversize(t *testing.T) {
	dir := t.TempDir()
	record := commandRecord{PID: 1, Argv: []string{strings.Repeat("x", maxCommandRecord)}}.marshal()
	if err := os.WriteFile(filepath.Join(dir, commandRecordName), record, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readCommandRecord(dir); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("readCommandRecord(oversize) = %v, want a size error", err)
	}
}

func TestParseStartTime(t *testing.T) {
	// A command name with spaces and a parenthesis, as a process may set.
	stat := "42 (a) b (c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10\n"
	got, err := parseStartTime([]byte(stat))
	if err != nil || got != 987654 {
		t.Errorf("parseStartTime = %d, %v, want 987654", got, err)
	}
	if _, err := parseStartTime([]byte("42 (x) S 1")); err == nil {
		t.Error("parseStartTime(short line) succeeded, want an error")
	}
}
