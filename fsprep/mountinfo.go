package fsprep

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// MountEntry is one line of /proc/self/mountinfo (see proc_pid_mountinfo(5)).
type MountEntry struct {
	ID, ParentID int
	Major, Minor uint32 // st_dev of files on the mount, except on btrfs subvolumes
	Root         string // the directory of the filesystem mounted here; "/" unless a bind mount
	MountPoint   string
	Options      string   // per-mount options: rw, ro, nosuid, nodev, noexec, relatime
	Optional     []string // shared:N, master:N, propagate_from:N, unbindable
	FSType       string   // "tmpfs", "overlay", "ext4"
	Source       string
	SuperOptions string // per-superblock options: "size=65536k,mode=755,uid=101"
}

// Option returns the value of a per-mount or per-superblock option, such as
// "mode" or "uid" of a tmpfs, and whether the option is present. A flag
// option such as "ro" has the value "".
func (e MountEntry) Option(name string) (string, bool) {
	for _, list := range []string{e.SuperOptions, e.Options} {
		for _, opt := range strings.Split(list, ",") {
			key, value, _ := strings.Cut(opt, "=")
			if key == name {
				return value, true
			}
		}
	}
	return "", false
}

// ReadMountinfo parses /proc/self/mountinfo, which exists when /proc is
// mounted. For the filesystem type and the ro, nosuid, nodev and noexec flags
// of one path, MountOf's statfs is cheaper and does not depend on /proc.
func ReadMountinfo() ([]MountEntry, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := ParseMountinfo(f)
	if err != nil {
		return nil, fmt.Errorf("parse /proc/self/mountinfo: %w", err)
	}
	return entries, nil
}

// ParseMountinfo parses text in the format of /proc/PID/mountinfo. Paths are
// unescaped from the kernel's octal escapes (\040 for a space). An empty
// reader yields no entries and no error; a malformed line is an error that
// names its line number.
func ParseMountinfo(r io.Reader) ([]MountEntry, error) {
	var entries []MountEntry
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for scanner.Scan() {
		line++
		text := scanner.Text()
		if strings.TrimSpace(text) == "" {
			continue
		}
		e, err := parseMountinfoLine(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		entries = append(entries, e)
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	return entries, nil
}

func parseMountinfoLine(line string) (MountEntry, error) {
	var e MountEntry
	fields := strings.Fields(line)
	sep := -1
	for i := 6; i < len(fields); i++ {
		if fields[i] == "-" {
			sep = i
			break
		}
	}
	if len(fields) < 7 || sep < 0 || len(fields) < sep+3 {
		return e, fmt.Errorf("invalid mountinfo line %q: want at least 10 fields with a \"-\" separator", line)
	}

	var err error
	if e.ID, err = strconv.Atoi(fields[0]); err != nil {
		return e, fmt.Errorf("invalid mount id %q", fields[0])
	}
	if e.ParentID, err = strconv.Atoi(fields[1]); err != nil {
		return e, fmt.Errorf("invalid parent id %q", fields[1])
	}
	major, minor, ok := strings.Cut(fields[2], ":")
	ma, err1 := strconv.ParseUint(major, 10, 32)
	mi, err2 := strconv.ParseUint(minor, 10, 32)
	if !ok || err1 != nil || err2 != nil {
		return e, fmt.Errorf("invalid major:minor %q", fields[2])
	}
	e.Major, e.Minor = uint32(ma), uint32(mi)

	e.Root = unescapeMountPath(fields[3])
	e.MountPoint = unescapeMountPath(fields[4])
	e.Options = fields[5]
	e.Optional = append([]string(nil), fields[6:sep]...)
	e.FSType = fields[sep+1]
	e.Source = unescapeMountPath(fields[sep+2])
	if len(fields) > sep+3 {
		e.SuperOptions = fields[sep+3]
	}
	return e, nil
}

// unescapeMountPath undoes the kernel's escaping of space, tab, newline and
// backslash as a backslash and three octal digits. Other backslashes stay.
func unescapeMountPath(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] <= '3' && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			v := (s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0')
			b.WriteByte(v)
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }
