package cgroupcpu

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRoot builds a root directory from spec, a map of path under root to
// file content, for Read to use in place of /.
func fakeRoot(t *testing.T, spec map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range spec {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const v2Mountinfo = "30 20 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n"

func TestReadV2(t *testing.T) {
	tests := []struct {
		name        string
		spec        map[string]string
		wantQuota   int64
		wantPeriod  int64
		wantCPUSet  int
		wantWorkers int // with 64 CPUs
	}{
		{
			name: "quota in own namespace",
			spec: map[string]string{
				"proc/self/cgroup":                    "0::/\n",
				"proc/self/mountinfo":                 v2Mountinfo,
				"sys/fs/cgroup/cpu.max":               "150000 100000\n",
				"sys/fs/cgroup/cpuset.cpus.effective": "0-63\n",
			},
			wantQuota: 150000, wantPeriod: 100000, wantCPUSet: 64, wantWorkers: 2,
		},
		{
			name: "no quota",
			spec: map[string]string{
				"proc/self/cgroup":      "0::/\n",
				"proc/self/mountinfo":   v2Mountinfo,
				"sys/fs/cgroup/cpu.max": "max 100000\n",
			},
			wantQuota: -1, wantWorkers: 64,
		},
		{
			name: "cpuset narrower than quota",
			spec: map[string]string{
				"proc/self/cgroup":                    "0::/\n",
				"proc/self/mountinfo":                 v2Mountinfo,
				"sys/fs/cgroup/cpu.max":               "800000 100000\n",
				"sys/fs/cgroup/cpuset.cpus.effective": "2-4\n",
			},
			wantQuota: 800000, wantPeriod: 100000, wantCPUSet: 3, wantWorkers: 3,
		},
		{
			// Without a cgroup namespace the container reads its full path
			// and a mount of only its own subtree.
			name: "subtree mount without namespace",
			spec: map[string]string{
				"proc/self/cgroup":      "0::/kubepods/burstable/pod1/c1\n",
				"proc/self/mountinfo":   "30 20 0:26 /kubepods/burstable/pod1/c1 /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n",
				"sys/fs/cgroup/cpu.max": "100000 100000\n",
			},
			wantQuota: 100000, wantPeriod: 100000, wantWorkers: 1,
		},
		{
			// The host view: the pod's parent cgroup has the tighter quota.
			name: "ancestor quota is tighter",
			spec: map[string]string{
				"proc/self/cgroup":                           "0::/pod/c1\n",
				"proc/self/mountinfo":                        v2Mountinfo,
				"sys/fs/cgroup/pod/c1/cpu.max":               "400000 100000\n",
				"sys/fs/cgroup/pod/cpu.max":                  "50000 100000\n",
				"sys/fs/cgroup/pod/c1/cpuset.cpus.effective": "0-7\n",
			},
			wantQuota: 50000, wantPeriod: 100000, wantCPUSet: 8, wantWorkers: 1,
		},
		{
			name: "no mountinfo falls back to /sys/fs/cgroup",
			spec: map[string]string{
				"proc/self/cgroup":                 "0::/\n",
				"sys/fs/cgroup/cgroup.controllers": "cpu cpuset\n",
				"sys/fs/cgroup/cpu.max":            "300000 100000\n",
			},
			wantQuota: 300000, wantPeriod: 100000, wantWorkers: 3,
		},
		{
			name:        "no cgroup files at all",
			spec:        map[string]string{},
			wantQuota:   -1,
			wantWorkers: 64,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Read(fakeRoot(t, tt.spec))
			if err != nil {
				t.Fatal(err)
			}
			if l.Quota != tt.wantQuota || (tt.wantQuota > 0 && l.Period != tt.wantPeriod) {
				t.Errorf("quota = %d/%d, want %d/%d", l.Quota, l.Period, tt.wantQuota, tt.wantPeriod)
			}
			if l.CPUSet != tt.wantCPUSet {
				t.Errorf("cpuset = %d CPUs, want %d", l.CPUSet, tt.wantCPUSet)
			}
			if got := l.WorkerProcesses(64); got != tt.wantWorkers {
				t.Errorf("WorkerProcesses(64) = %d, want %d", got, tt.wantWorkers)
			}
		})
	}
}

func TestReadV1(t *testing.T) {
	tests := []struct {
		name        string
		spec        map[string]string
		wantQuota   int64
		wantCPUSet  int
		wantWorkers int // with 64 CPUs
	}{
		{
			// The layout of the host these tests were first run on, with a
			// limit added to the cpu hierarchy.
			name: "hybrid host",
			spec: map[string]string{
				"proc/self/cgroup":                           hybridProcCgroup,
				"proc/self/mountinfo":                        hybridMountinfo,
				"sys/fs/cgroup/cpu/cpu.cfs_quota_us":         "250000\n",
				"sys/fs/cgroup/cpu/cpu.cfs_period_us":        "100000\n",
				"sys/fs/cgroup/cpuset/cpuset.cpus":           "0-1\n",
				"sys/fs/cgroup/cpuset/cpuset.effective_cpus": "0-1\n",
			},
			wantQuota: 250000, wantCPUSet: 2, wantWorkers: 2,
		},
		{
			name: "docker with cpu,cpuacct",
			spec: map[string]string{
				"proc/self/cgroup": "12:cpuset:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n",
				"proc/self/mountinfo": "40 30 0:40 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpu,cpuacct\n" +
					"41 30 0:41 /docker/abc /sys/fs/cgroup/cpuset ro - cgroup cgroup rw,cpuset\n",
				"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us":  "100000\n",
				"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
				"sys/fs/cgroup/cpuset/cpuset.cpus":            "0-3\n",
			},
			wantQuota: 100000, wantCPUSet: 4, wantWorkers: 1,
		},
		{
			name: "no quota",
			spec: map[string]string{
				"proc/self/cgroup":                            "4:cpu,cpuacct:/\n",
				"proc/self/mountinfo":                         "40 30 0:40 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n",
				"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us":  "-1\n",
				"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
			},
			wantQuota: -1, wantWorkers: 64,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Read(fakeRoot(t, tt.spec))
			if err != nil {
				t.Fatal(err)
			}
			if l.Quota != tt.wantQuota {
				t.Errorf("quota = %d, want %d (from %s)", l.Quota, tt.wantQuota, l.QuotaFile)
			}
			if l.CPUSet != tt.wantCPUSet {
				t.Errorf("cpuset = %d CPUs, want %d", l.CPUSet, tt.wantCPUSet)
			}
			if got := l.WorkerProcesses(64); got != tt.wantWorkers {
				t.Errorf("WorkerProcesses(64) = %d, want %d", got, tt.wantWorkers)
			}
		})
	}
}

func TestReadMalformed(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"proc/self/cgroup":      "0::/\n",
		"proc/self/mountinfo":   v2Mountinfo,
		"sys/fs/cgroup/cpu.max": "lots\n",
	})
	_, err := Read(root)
	if err == nil || !strings.Contains(err.Error(), "cpu.max") {
		t.Errorf("Read(malformed cpu.max) = %v, want an error naming the file", err)
	}
}

func TestWorkerProcessesBounds(t *testing.T) {
	tests := []struct {
		name   string
		limit  Limit
		numCPU int
		want   int
	}{
		{"quota rounds up", Limit{Quota: 150000, Period: 100000}, 8, 2},
		{"quota below one CPU", Limit{Quota: 10000, Period: 100000}, 8, 1},
		{"quota above the CPUs", Limit{Quota: 1600000, Period: 100000}, 4, 4},
		{"no limit", Limit{Quota: -1}, 4, 4},
		{"cpuset bounds", Limit{Quota: -1, CPUSet: 2}, 4, 2},
		{"zero CPUs reported", Limit{Quota: -1}, 0, 1},
	}
	for _, tt := range tests {
		if got := tt.limit.WorkerProcesses(tt.numCPU); got != tt.want {
			t.Errorf("%s: WorkerProcesses(%d) = %d, want %d", tt.name, tt.numCPU, got, tt.want)
		}
	}
}

func TestReadHost(t *testing.T) {
	// The host's own cgroup files must parse, whatever limit they set.
	l, err := Read("/")
	if err != nil {
		t.Fatalf("Read(/) = %v", err)
	}
	t.Logf("host limit: %+v", l)
}
