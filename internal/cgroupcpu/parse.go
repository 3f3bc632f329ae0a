package cgroupcpu

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// noQuota is the quota of a cgroup without a CPU limit.
const noQuota = -1

// maxCPUs bounds a CPU number in a cpuset list. Linux's NR_CPUS is at most
// 8192 on the common architectures.
const maxCPUs = 1 << 13

// ParseCPUMax parses cgroup v2's cpu.max: "max 100000" or "150000 100000".
// The quota is -1 for "max". The period may be left out, which the kernel
// reads as 100000 µs.
func ParseCPUMax(r io.Reader) (quota, period int64, err error) {
	b, err := io.ReadAll(io.LimitReader(r, 256))
	if err != nil {
		return 0, 0, err
	}
	fields := strings.Fields(string(b))
	if len(fields) < 1 || len(fields) > 2 {
		return 0, 0, fmt.Errorf("parse cpu.max %q: want \"QUOTA PERIOD\" or \"max PERIOD\"", b)
	}

	period = 100000
	if len(fields) == 2 {
		if period, err = strconv.ParseInt(fields[1], 10, 64); err != nil || period <= 0 {
			return 0, 0, fmt.Errorf("parse cpu.max %q: invalid period", b)
		}
	}
	if fields[0] == "max" {
		return noQuota, period, nil
	}
	if quota, err = strconv.ParseInt(fields[0], 10, 64); err != nil || quota <= 0 {
		return 0, 0, fmt.Errorf("parse cpu.max %q: invalid quota", b)
	}
	return quota, period, nil
}

// ParseInt parses a file of cgroup v1 that holds one integer, such as
// cpu.cfs_quota_us (-1 without a limit) or cpu.cfs_period_us.
func ParseInt(r io.Reader) (int64, error) {
	b, err := io.ReadAll(io.LimitReader(r, 64))
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse %q: want an integer", b)
	}
	return n, nil
}

// ParseCPUList counts the CPUs in a cpuset list such as "0-3,8,10-11". An
// empty list counts 0, which a cgroup shows when it has no cpuset of its own.
func ParseCPUList(r io.Reader) (int, error) {
	b, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return 0, err
	}
	list := strings.TrimSpace(string(b))
	if list == "" {
		return 0, nil
	}

	seen := make(map[int]bool)
	for _, part := range strings.Split(list, ",") {
		first, last, isRange := strings.Cut(part, "-")
		lo, err1 := strconv.Atoi(first)
		hi, err2 := lo, error(nil)
		if isRange {
			hi, err2 = strconv.Atoi(last)
		}
		if err1 != nil || err2 != nil || lo < 0 || hi < lo || hi >= maxCPUs {
			return 0, fmt.Errorf("parse cpu list %q: invalid element %q", list, part)
		}
		for cpu := lo; cpu <= hi; cpu++ {
			seen[cpu] = true
		}
	}
	return len(seen), nil
}

// Membership is one line of /proc/self/cgroup: the hierarchy ID, its
// controllers (empty for cgroup v2, whose ID is 0) and the cgroup's path
// relative to the hierarchy's root.
type Membership struct {
	ID          int
	Controllers []string
	Path        string
}

// ParseProcCgroup parses /proc/<pid>/cgroup.
func ParseProcCgroup(r io.Reader) ([]Membership, error) {
	var out []Membership
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("parse cgroup line %q: want ID:CONTROLLERS:PATH", line)
		}
		id, err := strconv.Atoi(parts[0])
		if err != nil {
			return nil, fmt.Errorf("parse cgroup line %q: invalid hierarchy ID", line)
		}
		m := Membership{ID: id, Path: parts[2]}
		if parts[1] != "" {
			m.Controllers = strings.Split(parts[1], ",")
		}
		out = append(out, m)
	}
	return out, sc.Err()
}

// Mount is a cgroup filesystem from /proc/self/mountinfo.
type Mount struct {
	// Root is the directory of the hierarchy that is mounted, "/" unless
	// only a subtree is, as in a container without a cgroup namespace.
	Root       string
	MountPoint string
	// FSType is "cgroup" or "cgroup2".
	FSType string
	// Options are the super options, which name a v1 hierarchy's controllers.
	Options []string
}

// ParseMountinfo returns the cgroup and cgroup2 mounts of a mountinfo file.
func ParseMountinfo(r io.Reader) ([]Mount, error) {
	var out []Mount
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		// ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
		before, after, ok := strings.Cut(line, " - ")
		fields := strings.Fields(before)
		tail := strings.Fields(after)
		if !ok || len(fields) < 6 || len(tail) < 3 {
			return nil, fmt.Errorf("parse mountinfo line %q: too few fields", line)
		}
		if tail[0] != "cgroup" && tail[0] != "cgroup2" {
			continue
		}
		out = append(out, Mount{
			Root:       unescapeOctal(fields[3]),
			MountPoint: unescapeOctal(fields[4]),
			FSType:     tail[0],
			Options:    strings.Split(tail[2], ","),
		})
	}
	return out, sc.Err()
}

// unescapeOctal undoes the kernel's \040-style escapes of space, tab, newline
// and backslash in mountinfo paths.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }
