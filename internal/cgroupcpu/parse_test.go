package cgroupcpu

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseCPUMax(t *testing.T) {
	tests := []struct {
		in            string
		quota, period int64
		wantErr       bool
	}{
		{in: "max 100000\n", quota: -1, period: 100000},
		{in: "150000 100000\n", quota: 150000, period: 100000},
		{in: "50000 50000", quota: 50000, period: 50000},
		{in: "200000\n", quota: 200000, period: 100000},
		{in: "", wantErr: true},
		{in: "max 0", wantErr: true},
		{in: "-5 100000", wantErr: true},
		{in: "1 2 3", wantErr: true},
		{in: "lots 100000", wantErr: true},
	}
	for _, tt := range tests {
		quota, period, err := ParseCPUMax(strings.NewReader(tt.in))
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseCPUMax(%q) = %d, %d, want an error", tt.in, quota, period)
			}
			continue
		}
		if err != nil || quota != tt.quota || period != tt.period {
			t.Errorf("ParseCPUMax(%q) = %d, %d, %v, want %d, %d", tt.in, quota, period, err, tt.quota, tt.period)
		}
	}
}

func TestParseCPUList(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{in: "0-3,8,10-11\n", want: 7},
		{in: "0\n", want: 1},
		{in: "\n", want: 0},
		{in: "0-1,1-2", want: 3},
		{in: "0-63", want: 64},
		{in: "3-1", wantErr: true},
		{in: "a", wantErr: true},
		{in: "0,", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "0-99999999", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseCPUList(strings.NewReader(tt.in))
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseCPUList(%q) = %d, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseCPUList(%q) = %d, %v, want %d", tt.in, got, err, tt.want)
		}
	}
}

// hybridProcCgroup and hybridMountinfo were captured on a Debian 12 host with
// Linux 6.18 and a hybrid cgroup v1/v2 layout.
const hybridProcCgroup = `9:name=systemd:/
8:pids:/
4:memory:/process_api/aa58ce4ec94df9b2f1a6d8b538f60b85
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`

const hybridMountinfo = `23 1 253:0 / / rw,relatime - ext4 /dev/vda rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`

func TestParseProcCgroup(t *testing.T) {
	got, err := ParseProcCgroup(strings.NewReader(hybridProcCgroup))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 7 {
		t.Fatalf("ParseProcCgroup = %d lines, want 7", len(got))
	}
	if want := (Membership{ID: 4, Controllers: []string{"memory"}, Path: "/process_api/aa58ce4ec94df9b2f1a6d8b538f60b85"}); !reflect.DeepEqual(got[2], want) {
		t.Errorf("line 3 = %+v, want %+v", got[2], want)
	}
	if want := (Membership{ID: 0, Path: "/"}); !reflect.DeepEqual(got[6], want) {
		t.Errorf("line 7 = %+v, want %+v", got[6], want)
	}

	for _, bad := range []string{"x:cpu:/", "1:cpu"} {
		if _, err := ParseProcCgroup(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseProcCgroup(%q) succeeded, want an error", bad)
		}
	}
}

func TestParseMountinfo(t *testing.T) {
	got, err := ParseMountinfo(strings.NewReader(hybridMountinfo))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("ParseMountinfo = %d cgroup mounts, want 5: %+v", len(got), got)
	}
	if want := (Mount{Root: "/", MountPoint: "/sys/fs/cgroup/cpu", FSType: "cgroup", Options: []string{"rw", "cpu"}}); !reflect.DeepEqual(got[0], want) {
		t.Errorf("first mount = %+v, want %+v", got[0], want)
	}

	escaped := `50 23 0:40 /a\040b /sys/fs/cgroup/x\134y rw shared:1 - cgroup2 cgroup2 rw,nsdelegate` + "\n"
	got, err = ParseMountinfo(strings.NewReader(escaped))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Root != "/a b" || got[0].MountPoint != `/sys/fs/cgroup/x\y` {
		t.Errorf("ParseMountinfo(escaped paths, optional field) = %+v, want root \"/a b\" and mount point /sys/fs/cgroup/x\\y", got)
	}

	if _, err := ParseMountinfo(strings.NewReader("1 2 3\n")); err == nil {
		t.Error("ParseMountinfo(short line) succeeded, want an error")
	}
}

func FuzzParseCPUList(f *testing.F) {
	for _, seed := range []string{"0-3,8,10-11", "", "0", "1-0", "0-8191"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := ParseCPUList(strings.NewReader(in))
		if err == nil && (n < 0 || n > maxCPUs) {
			t.Fatalf("ParseCPUList(%q) = %d, outside 0..%d", in, n, maxCPUs)
		}
	})
}

func FuzzParseCPUMax(f *testing.F) {
	for _, seed := range []string{"max 100000", "150000 100000", "", "0 0"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		quota, period, err := ParseCPUMax(strings.NewReader(in))
		if err == nil && (period <= 0 || (quota <= 0 && quota != noQuota)) {
			t.Fatalf("ParseCPUMax(%q) = %d, %d, want a positive period and a positive quota or -1", in, quota, period)
		}
	})
}

func FuzzParseMountinfo(f *testing.F) {
	f.Add(hybridMountinfo)
	f.Add(`1 2 0:1 /\777 /x - cgroup2 c rw`)
	f.Fuzz(func(t *testing.T, in string) {
		mounts, err := ParseMountinfo(strings.NewReader(in))
		for _, m := range mounts {
			if err == nil && m.FSType != "cgroup" && m.FSType != "cgroup2" {
				t.Fatalf("ParseMountinfo(%q) returned a %s mount", in, m.FSType)
			}
		}
	})
}

func FuzzParseProcCgroup(f *testing.F) {
	f.Add(hybridProcCgroup)
	f.Fuzz(func(t *testing.T, in string) {
		ParseProcCgroup(strings.NewReader(in))
	})
}
