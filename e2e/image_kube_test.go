package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nginit/nginit/internal/containertest"
	"gopkg.in/yaml.v3"
)

// kubeObject is the part of a Deployment that the pod translation reads.
type kubeObject struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Template struct {
			Spec kubePodSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type kubePodSpec struct {
	TerminationGracePeriodSeconds int64 `yaml:"terminationGracePeriodSeconds"`
	SecurityContext               struct {
		RunAsNonRoot       *bool   `yaml:"runAsNonRoot"`
		RunAsUser          *uint32 `yaml:"runAsUser"`
		RunAsGroup         *uint32 `yaml:"runAsGroup"`
		FSGroup            *uint32 `yaml:"fsGroup"`
		SupplementalGroups []uint32
		SeccompProfile     struct {
			Type string `yaml:"type"`
		} `yaml:"seccompProfile"`
	} `yaml:"securityContext"`
	Containers []struct {
		Env []struct {
			Name  string `yaml:"name"`
			Value string `yaml:"value"`
		} `yaml:"env"`
		SecurityContext struct {
			ReadOnlyRootFilesystem   bool  `yaml:"readOnlyRootFilesystem"`
			AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
			Capabilities             struct {
				Drop []string `yaml:"drop"`
				Add  []string `yaml:"add"`
			} `yaml:"capabilities"`
		} `yaml:"securityContext"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
		ReadinessProbe struct {
			Exec struct {
				Command []string `yaml:"command"`
			} `yaml:"exec"`
		} `yaml:"readinessProbe"`
	} `yaml:"containers"`
	Volumes []struct {
		Name     string `yaml:"name"`
		EmptyDir *struct {
			Medium string `yaml:"medium"`
		} `yaml:"emptyDir"`
	} `yaml:"volumes"`
}

// readPodSpec returns the pod template of the Deployment in path.
func readPodSpec(t *testing.T, path string) kubePodSpec {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var obj kubeObject
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("decode %s: %v", path, err)
		}
		if obj.Kind == "Deployment" {
			return obj.Spec.Template.Spec
		}
	}
	t.Fatalf("%s has no Deployment", path)
	panic("unreachable")
}

// openShiftIdentity is what the restricted-v2 SCC assigns in a namespace
// whose uid range starts at 1000680000: that uid, gid 0 (the uid has no
// /etc/passwd entry, so the runtime uses group 0), and the range's first
// id as fsGroup.
type openShiftIdentity struct{ uid, fsGroup uint32 }

// podOptions translates the pod spec into the runtime configuration that
// the kubelet and containerd give runc:
//   - runAsUser and runAsGroup become the process's uid and gid; without
//     runAsGroup, a uid that /etc/passwd does not list gets gid 0;
//   - fsGroup and supplementalGroups become supplementary groups;
//   - readOnlyRootFilesystem makes the root read-only;
//   - capabilities start from containerd's default set, so dropping ALL
//     with nothing added leaves none;
//   - allowPrivilegeEscalation: false sets noNewPrivileges;
//   - an emptyDir of medium Memory is a tmpfs that the kubelet mounts with
//     tmpfs's default mode 1777 and, with fsGroup, chowns to that group and
//     marks setgid;
//   - env entries are added to the environment.
func podOptions(t *testing.T, pod kubePodSpec, scc *openShiftIdentity) containertest.Options {
	t.Helper()
	if len(pod.Containers) != 1 {
		t.Fatalf("pod has %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	sc := pod.SecurityContext
	opts := containertest.Options{NoTmp: true}

	switch {
	case scc != nil:
		opts.UID = containertest.Uint32(scc.uid)
		opts.GID = containertest.Uint32(0)
		opts.AdditionalGids = append(opts.AdditionalGids, scc.fsGroup)
	case sc.RunAsUser == nil || sc.RunAsGroup == nil:
		t.Fatal("pod securityContext lacks runAsUser or runAsGroup")
	default:
		opts.UID, opts.GID = sc.RunAsUser, sc.RunAsGroup
	}
	if sc.FSGroup != nil {
		opts.AdditionalGids = append(opts.AdditionalGids, *sc.FSGroup)
	}
	opts.AdditionalGids = append(opts.AdditionalGids, sc.SupplementalGroups...)

	if len(c.SecurityContext.Capabilities.Add) > 0 {
		t.Errorf("capabilities.add = %v, want none", c.SecurityContext.Capabilities.Add)
	}
	if fmt.Sprint(c.SecurityContext.Capabilities.Drop) != "[ALL]" {
		t.Errorf("capabilities.drop = %v, want [ALL]", c.SecurityContext.Capabilities.Drop)
	}
	// The harness always sets noNewPrivileges, so the manifest must ask for it.
	if p := c.SecurityContext.AllowPrivilegeEscalation; p == nil || *p {
		t.Error("allowPrivilegeEscalation is not false")
	}
	opts.WritableRoot = !c.SecurityContext.ReadOnlyRootFilesystem

	memoryVolumes := map[string]bool{}
	for _, v := range pod.Volumes {
		if v.EmptyDir != nil && v.EmptyDir.Medium == "Memory" {
			memoryVolumes[v.Name] = true
		}
	}
	for _, m := range c.VolumeMounts {
		if !memoryVolumes[m.Name] {
			t.Fatalf("volume %s at %s is not an emptyDir of medium Memory, which the test cannot translate", m.Name, m.MountPath)
		}
		tmpfs := containertest.Tmpfs{Path: m.MountPath, Options: []string{"nosuid", "nodev", "mode=1777"}}
		if scc != nil {
			tmpfs.Options = []string{"nosuid", "nodev", "mode=3777", fmt.Sprintf("gid=%d", scc.fsGroup)}
		}
		opts.Tmpfs = append(opts.Tmpfs, tmpfs)
	}

	for _, e := range c.Env {
		opts.Env = append(opts.Env, e.Name+"="+e.Value)
	}
	return opts
}

func TestKubernetesExample(t *testing.T) {
	runPodExample(t, "examples/kubernetes/nginx-nginit.yaml", nil)
}

func TestOpenShiftExample(t *testing.T) {
	runPodExample(t, "examples/openshift/nginx-nginit.yaml", &openShiftIdentity{uid: 1000680000, fsGroup: 1000680000})
}

// runPodExample runs the pod of the manifest at rel with runc and checks
// that it serves, that its probe command succeeds, and that a pod deletion
// (SIGTERM) drains nginx within terminationGracePeriodSeconds.
func runPodExample(t *testing.T, rel string, scc *openShiftIdentity) {
	requirePrerequisites(t)
	t.Parallel()
	root := imageModuleRoot(t)
	pod := readPodSpec(t, filepath.Join(root, rel))

	if sc := pod.SecurityContext; sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Error("runAsNonRoot is not true")
	}
	if got := pod.SecurityContext.SeccompProfile.Type; got != "RuntimeDefault" {
		t.Errorf("seccompProfile.type = %q, want RuntimeDefault", got)
	}

	opts := podOptions(t, pod, scc)
	conf, site := examples(t)
	opts.NginxConf, opts.Site, opts.Nginit = conf, site, builtNginit(t)

	var stopBudget time.Duration
	for _, name := range []string{"NGINIT_STOP_DELAY", "NGINIT_STOP_TIMEOUT"} {
		for _, e := range pod.Containers[0].Env {
			if e.Name == name {
				d, err := time.ParseDuration(e.Value)
				if err != nil {
					t.Fatalf("%s=%q: %v", name, e.Value, err)
				}
				stopBudget += d
			}
		}
	}
	stopBudget += 5 * time.Second // NGINIT_KILL_GRACE's default
	grace := time.Duration(pod.TerminationGracePeriodSeconds) * time.Second
	if grace <= stopBudget {
		t.Errorf("terminationGracePeriodSeconds = %v, want more than NGINIT_STOP_DELAY + NGINIT_STOP_TIMEOUT + NGINIT_KILL_GRACE = %v", grace, stopBudget)
	}

	c := containertest.Run(t, opts)
	if err := c.WaitHTTP(15 * time.Second); err != nil {
		t.Fatal(err)
	}
	status, _, err := c.Get("/")
	if err != nil || status != 200 {
		t.Fatalf("GET / = %d, %v, want 200", status, err)
	}

	probe := pod.Containers[0].ReadinessProbe.Exec.Command
	if out, err := c.Exec(probe...); err != nil {
		t.Errorf("readiness probe %v: %v\n%s", probe, err, out)
	}

	if err := c.Kill("TERM"); err != nil {
		t.Fatal(err)
	}
	exit, err := c.Wait(grace)
	if err != nil {
		t.Fatalf("container did not stop within terminationGracePeriodSeconds (%v): %v", grace, err)
	}
	if exit != 0 {
		t.Errorf("exit status after SIGTERM = %d, want 0", exit)
	}
}
