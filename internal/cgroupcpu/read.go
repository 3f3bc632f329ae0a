package cgroupcpu

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Limit is the CPU limit that applies to the current process: the most
// restrictive CFS quota and the smallest cpuset found in its cgroup and the
// cgroup's ancestors, over cgroup v1 and v2.
type Limit struct {
	// Quota and Period are in µs. Quota is -1 when no cgroup sets one.
	Quota, Period int64
	// QuotaFile is the file that set Quota, for logs.
	QuotaFile string
	// CPUSet is the number of CPUs in the cpuset, 0 when no cgroup sets one.
	CPUSet int
	// CPUSetFile is the file that set CPUSet, for logs.
	CPUSetFile string
}

// QuotaCPUs returns the quota in whole CPUs, rounded up: a quota of 1.5 CPUs
// keeps 2 workers busy. It returns 0 without a quota.
func (l Limit) QuotaCPUs() int {
	if l.Quota <= 0 || l.Period <= 0 {
		return 0
	}
	return int((l.Quota + l.Period - 1) / l.Period)
}

// WorkerProcesses returns how many nginx workers the limit can keep busy: the
// quota in CPUs rounded up, bounded by the cpuset and by numCPU (pass
// runtime.NumCPU(), which counts the CPUs of the process's affinity mask),
// and at least 1.
func (l Limit) WorkerProcesses(numCPU int) int {
	n := numCPU
	if q := l.QuotaCPUs(); q > 0 && q < n {
		n = q
	}
	if l.CPUSet > 0 && l.CPUSet < n {
		n = l.CPUSet
	}
	return max(n, 1)
}

// Read reads the CPU limit of the current process. root stands for / and is
// "/" outside tests: Read opens root/proc/self/cgroup, root/proc/self/mountinfo
// and the cgroup files under root. Missing files mean no limit, so a process
// outside any cgroup gets a Limit without quota and cpuset; only unreadable
// or malformed files are errors.
func Read(root string) (Limit, error) {
	l := Limit{Quota: noQuota}

	memberships, err := readProc(root, "proc/self/cgroup", ParseProcCgroup)
	if err != nil {
		return l, err
	}
	mounts, err := readProc(root, "proc/self/mountinfo", ParseMountinfo)
	if err != nil {
		return l, err
	}

	for _, dir := range cgroupDirs(root, memberships, mounts, "cpu") {
		if err := l.readQuota(dir); err != nil {
			return l, err
		}
	}
	for _, dir := range cgroupDirs(root, memberships, mounts, "cpuset") {
		if err := l.readCPUSet(dir); err != nil {
			return l, err
		}
	}
	return l, nil
}

// cgroupDir is a cgroup directory and the mount point it sits under, which
// bounds the walk up through its ancestors.
type cgroupDir struct {
	path, mountPoint string
	v2               bool
}

// cgroupDirs finds the directories of the current cgroup that may hold
// controller's files: the v1 hierarchy that has the controller, and the v2
// hierarchy. Without mountinfo it falls back to the usual mount points under
// root/sys/fs/cgroup.
func cgroupDirs(root string, memberships []Membership, mounts []Mount, controller string) []cgroupDir {
	var dirs []cgroupDir
	for _, m := range memberships {
		v2 := m.ID == 0 && len(m.Controllers) == 0
		if !v2 && !slices.Contains(m.Controllers, controller) {
			continue
		}

		mount, found := findMount(mounts, v2, controller)
		if !found {
			mount = fallbackMount(root, v2, controller)
		}
		mountPoint := filepath.Join(root, mount.MountPoint)
		dirs = append(dirs, cgroupDir{path: resolve(mountPoint, mount.Root, m.Path), mountPoint: mountPoint, v2: v2})
	}
	return dirs
}

func findMount(mounts []Mount, v2 bool, controller string) (Mount, bool) {
	for _, m := range mounts {
		if v2 && m.FSType == "cgroup2" {
			return m, true
		}
		if !v2 && m.FSType == "cgroup" && slices.Contains(m.Options, controller) {
			return m, true
		}
	}
	return Mount{}, false
}

// fallbackMount returns the mount point that Docker, runc and systemd use.
func fallbackMount(root string, v2 bool, controller string) Mount {
	if v2 {
		// On a hybrid host, cgroup v2 sits at /sys/fs/cgroup/unified.
		if _, err := os.Stat(filepath.Join(root, "sys/fs/cgroup/unified/cgroup.controllers")); err == nil {
			return Mount{Root: "/", MountPoint: "/sys/fs/cgroup/unified"}
		}
		return Mount{Root: "/", MountPoint: "/sys/fs/cgroup"}
	}
	if controller == "cpu" {
		if _, err := os.Stat(filepath.Join(root, "sys/fs/cgroup/cpu,cpuacct")); err == nil {
			return Mount{Root: "/", MountPoint: "/sys/fs/cgroup/cpu,cpuacct"}
		}
	}
	return Mount{Root: "/", MountPoint: "/sys/fs/cgroup/" + controller}
}

// resolve maps the cgroup path from /proc/self/cgroup to a directory under
// mountPoint. A mount of the whole hierarchy (root "/") holds the path below
// it. A container without a cgroup namespace mounts only its own subtree, so
// the path starts with the mount's root and the rest lies under mountPoint.
// A path outside the mounted subtree leaves the mount point itself.
func resolve(mountPoint, mountRoot, cgroupPath string) string {
	if mountRoot == "/" {
		return filepath.Join(mountPoint, cgroupPath)
	}
	if rest, ok := strings.CutPrefix(cgroupPath, mountRoot); ok && (rest == "" || rest[0] == '/') {
		return filepath.Join(mountPoint, rest)
	}
	return mountPoint
}

// readQuota lowers l's quota to the most restrictive one in dir and its
// ancestors up to the mount point, since a parent's quota caps its children.
func (l *Limit) readQuota(dir cgroupDir) error {
	for _, d := range ancestors(dir) {
		var quota, period int64
		var file string
		if dir.v2 {
			file = filepath.Join(d, "cpu.max")
			cpuMax, err := readFile(file, func(r io.Reader) ([2]int64, error) {
				q, p, err := ParseCPUMax(r)
				return [2]int64{q, p}, err
			})
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			quota, period = cpuMax[0], cpuMax[1]
		} else {
			file = filepath.Join(d, "cpu.cfs_quota_us")
			q, err := readFile(file, ParseInt)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			p, err := readFile(filepath.Join(d, "cpu.cfs_period_us"), ParseInt)
			if err != nil {
				return err
			}
			quota, period = q, p
		}

		if quota <= 0 || period <= 0 {
			continue
		}
		// Compare quota/period with l.Quota/l.Period without dividing.
		if l.Quota <= 0 || quota*l.Period < l.Quota*period {
			l.Quota, l.Period, l.QuotaFile = quota, period, file
		}
	}
	return nil
}

// readCPUSet lowers l's cpuset count to the smallest in dir and its
// ancestors. The effective list is preferred: it is what the kernel applies
// when a cgroup's own list is empty or wider than its parent's.
func (l *Limit) readCPUSet(dir cgroupDir) error {
	names := []string{"cpuset.effective_cpus", "cpuset.cpus"}
	if dir.v2 {
		names = []string{"cpuset.cpus.effective"}
	}

	for _, d := range ancestors(dir) {
		for _, name := range names {
			file := filepath.Join(d, name)
			n, err := readFile(file, ParseCPUList)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			if n > 0 && (l.CPUSet == 0 || n < l.CPUSet) {
				l.CPUSet, l.CPUSetFile = n, file
			}
			break
		}
	}
	return nil
}

// ancestors returns dir.path and its parents up to and including the mount
// point.
func ancestors(dir cgroupDir) []string {
	var out []string
	for d := dir.path; ; d = filepath.Dir(d) {
		out = append(out, d)
		if d == dir.mountPoint || !strings.HasPrefix(d, dir.mountPoint+"/") {
			return out
		}
	}
}

// readProc parses root/name and returns nothing for a missing file.
func readProc[T any](root, name string, parse func(io.Reader) ([]T, error)) ([]T, error) {
	out, err := readFile(filepath.Join(root, name), parse)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return out, err
}

func readFile[T any](path string, parse func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	v, err := parse(f)
	if err != nil {
		return v, fmt.Errorf("read %s: %w", path, err)
	}
	return v, nil
}
