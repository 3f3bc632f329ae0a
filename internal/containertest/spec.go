package containertest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// The types below are the subset of the OCI runtime specification (version
// 1.0.2, the one runc 1.1 writes with `runc spec`) that the harness fills in.
// They keep the module free of the runtime-spec dependency.

type ociSpec struct {
	OCIVersion string     `json:"ociVersion"`
	Process    ociProcess `json:"process"`
	Root       ociRoot    `json:"root"`
	Hostname   string     `json:"hostname"`
	Mounts     []ociMount `json:"mounts"`
	Linux      ociLinux   `json:"linux"`
}

type ociProcess struct {
	Terminal        bool            `json:"terminal"`
	User            ociUser         `json:"user"`
	Args            []string        `json:"args"`
	Env             []string        `json:"env"`
	Cwd             string          `json:"cwd"`
	Capabilities    ociCapabilities `json:"capabilities"`
	Rlimits         []ociRlimit     `json:"rlimits"`
	NoNewPrivileges bool            `json:"noNewPrivileges"`
}

type ociUser struct {
	UID            uint32   `json:"uid"`
	GID            uint32   `json:"gid"`
	AdditionalGids []uint32 `json:"additionalGids,omitempty"`
}

// ociCapabilities lists every set explicitly, so that an empty list means
// "no capabilities" and not "the runtime's default".
type ociCapabilities struct {
	Bounding    []string `json:"bounding"`
	Effective   []string `json:"effective"`
	Inheritable []string `json:"inheritable"`
	Permitted   []string `json:"permitted"`
	Ambient     []string `json:"ambient"`
}

type ociRlimit struct {
	Type string `json:"type"`
	Hard uint64 `json:"hard"`
	Soft uint64 `json:"soft"`
}

type ociRoot struct {
	Path     string `json:"path"`
	Readonly bool   `json:"readonly"`
}

type ociMount struct {
	Destination string   `json:"destination"`
	Type        string   `json:"type"`
	Source      string   `json:"source"`
	Options     []string `json:"options,omitempty"`
}

type ociLinux struct {
	Resources     ociResources   `json:"resources"`
	Namespaces    []ociNamespace `json:"namespaces"`
	MaskedPaths   []string       `json:"maskedPaths"`
	ReadonlyPaths []string       `json:"readonlyPaths"`
}

type ociResources struct {
	Devices []ociDeviceRule `json:"devices"`
	CPU     *ociCPU         `json:"cpu,omitempty"`
}

// ociCPU is the CFS bandwidth limit: Quota microseconds of CPU time per
// Period microseconds, so 100000/100000 is one CPU.
type ociCPU struct {
	Quota  int64  `json:"quota"`
	Period uint64 `json:"period"`
}

type ociDeviceRule struct {
	Allow  bool   `json:"allow"`
	Access string `json:"access"`
}

type ociNamespace struct {
	Type string `json:"type"`
}

// defaultPath is the PATH of Debian's and distroless's base images.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// newSpec returns the runtime configuration for opts: runc 1.1's `runc spec`
// defaults without the network namespace (so the host reaches nginx on
// 127.0.0.1), without a terminal, with every capability set empty and with a
// tmpfs at /tmp.
func newSpec(opts *Options) ociSpec {
	caps := opts.Capabilities
	if caps == nil {
		caps = []string{}
	}

	env := append([]string{defaultPath}, opts.Env...)

	mounts := []ociMount{
		{Destination: "/proc", Type: "proc", Source: "proc"},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs",
			Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts",
			Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm",
			Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue",
			Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs",
			Options: []string{"nosuid", "noexec", "nodev", "ro"}},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup",
			Options: []string{"nosuid", "noexec", "nodev", "relatime", "ro"}},
	}
	if !opts.NoTmp {
		mounts = append(mounts, ociMount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs",
			Options: []string{"nosuid", "nodev", "mode=" + opts.tmpMode()}})
	}
	for _, m := range opts.Tmpfs {
		mounts = append(mounts, ociMount{Destination: m.Path, Type: "tmpfs", Source: "tmpfs", Options: m.Options})
	}

	return ociSpec{
		OCIVersion: "1.0.2-dev",
		Process: ociProcess{
			User: ociUser{UID: opts.uid(), GID: opts.gid(), AdditionalGids: opts.AdditionalGids},
			Args: opts.args(),
			Env:  env,
			Cwd:  "/",
			Capabilities: ociCapabilities{
				Bounding:    caps,
				Effective:   caps,
				Inheritable: caps,
				Permitted:   caps,
				Ambient:     caps,
			},
			Rlimits:         []ociRlimit{{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024}},
			NoNewPrivileges: true,
		},
		Root:     ociRoot{Path: "rootfs", Readonly: !opts.WritableRoot},
		Hostname: "nginit-test",
		Mounts:   mounts,
		Linux: ociLinux{
			Resources: ociResources{Devices: []ociDeviceRule{{Allow: false, Access: "rwm"}}, CPU: opts.cpu()},
			Namespaces: []ociNamespace{
				{Type: "pid"}, {Type: "ipc"}, {Type: "uts"}, {Type: "mount"},
			},
			MaskedPaths: []string{
				"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
				"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
				"/proc/sched_debug", "/sys/firmware", "/proc/scsi",
			},
			ReadonlyPaths: []string{
				"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
			},
		},
	}
}

// writeSpec writes opts' runtime configuration as bundle/config.json.
func writeSpec(bundle string, opts *Options) error {
	data, err := json.MarshalIndent(newSpec(opts), "", "\t")
	if err != nil {
		return fmt.Errorf("encode runtime config: %w", err)
	}
	return os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644)
}

// cpu returns the CPU limit of opts, or nil for none.
func (opts *Options) cpu() *ociCPU {
	if opts.CPUQuota <= 0 {
		return nil
	}
	period := opts.CPUPeriod
	if period == 0 {
		period = 100000
	}
	return &ociCPU{Quota: opts.CPUQuota, Period: period}
}
