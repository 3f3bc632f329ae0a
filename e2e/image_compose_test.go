package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// composeService is the part of a Compose service that the example uses.
// Decoding with KnownFields makes any other key an error, so a key added to
// the example without a translation here fails the test instead of being
// dropped silently.
type composeService struct {
	Image           string            `yaml:"image"`
	User            string            `yaml:"user"`
	ReadOnly        bool              `yaml:"read_only"`
	Tmpfs           []string          `yaml:"tmpfs"`
	CapDrop         []string          `yaml:"cap_drop"`
	SecurityOpt     []string          `yaml:"security_opt"`
	Environment     map[string]string `yaml:"environment"`
	StopGracePeriod string            `yaml:"stop_grace_period"`
	Ports           []string          `yaml:"ports"`
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

// readComposeService decodes the single service of path.
func readComposeService(t *testing.T, path string) composeService {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var c composeFile
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	if len(c.Services) != 1 {
		t.Fatalf("%s has %d services, want 1", path, len(c.Services))
	}
	for _, s := range c.Services {
		return s
	}
	panic("unreachable")
}

// composeRunFlags translates a service into the `podman run` flags that
// request of podman what the Compose file requests of Docker. It returns an
// error for what it cannot translate faithfully.
func composeRunFlags(s composeService) ([]string, error) {
	var flags []string
	if s.User != "" {
		flags = append(flags, "--user", s.User)
	}
	if s.ReadOnly {
		// Docker mounts nothing writable that the file does not name.
		flags = append(flags, "--read-only", "--read-only-tmpfs=false")
	}
	for _, tmpfs := range s.Tmpfs {
		opts, err := composeTmpfs(tmpfs, s.User)
		if err != nil {
			return nil, err
		}
		flags = append(flags, "--tmpfs", opts)
	}
	for _, c := range s.CapDrop {
		flags = append(flags, "--cap-drop", c)
	}
	for _, o := range s.SecurityOpt {
		flags = append(flags, "--security-opt", o)
	}
	names := make([]string, 0, len(s.Environment))
	for name := range s.Environment {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		flags = append(flags, "--env", name+"="+s.Environment[name])
	}
	if s.StopGracePeriod != "" {
		d, err := time.ParseDuration(s.StopGracePeriod)
		if err != nil {
			return nil, fmt.Errorf("stop_grace_period %q: %w", s.StopGracePeriod, err)
		}
		flags = append(flags, "--stop-timeout", fmt.Sprint(int(d.Seconds())))
	}
	// Ports are checked, not published: the test reaches the container in
	// its own network namespace.
	for _, p := range s.Ports {
		if !strings.HasPrefix(p, "127.0.0.1:") {
			return nil, fmt.Errorf("port %q: want it published on 127.0.0.1 only", p)
		}
	}
	return flags, nil
}

// composeTmpfs translates Docker's `PATH:OPTIONS` tmpfs into podman 4.3's.
// Docker passes uid= and gid= to the kernel and mounts the tmpfs empty.
// podman 4.3 rejects uid= and gid=, but its U option chowns the tmpfs to
// the container's user, and notmpcopyup keeps it from copying the image's
// directory (and that directory's mode) into the tmpfs.
func composeTmpfs(spec, user string) (string, error) {
	path, options, _ := strings.Cut(spec, ":")
	var out []string
	var uid, gid string
	for _, o := range strings.Split(options, ",") {
		switch {
		case strings.HasPrefix(o, "uid="):
			uid = strings.TrimPrefix(o, "uid=")
		case strings.HasPrefix(o, "gid="):
			gid = strings.TrimPrefix(o, "gid=")
		case o != "":
			out = append(out, o)
		}
	}
	if uid != "" || gid != "" {
		if uid+":"+gid != user {
			return "", fmt.Errorf("tmpfs %q: uid and gid %s:%s differ from user %q, which podman's U option cannot express", spec, uid, gid, user)
		}
		out = append(out, "U")
	}
	out = append(out, "notmpcopyup")
	return path + ":" + strings.Join(out, ","), nil
}

func testComposeExample(t *testing.T, p *podman, root string) {
	s := readComposeService(t, filepath.Join(root, "examples/compose.yaml"))
	flags, err := composeRunFlags(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("examples/compose.yaml as podman run flags: %s", strings.Join(flags, " "))

	name := p.startContainer(t, exampleImage, flags)
	pid := p.containerPID(t, name)
	client := netnsClient(pid)
	waitImageHTTP(t, p, name, client)
	getBody(t, client, "/")

	checkProcessStatus(t, pid, map[string]string{
		"Uid":        "101\t101\t101\t101",
		"CapEff":     "0000000000000000",
		"NoNewPrivs": "1",
	})

	// The tmpfs is the one the file declares: owned by uid 101, sticky and
	// writable by all.
	info, err := os.Stat(fmt.Sprintf("/proc/%d/root/tmp", pid))
	if err != nil {
		t.Fatal(err)
	}
	st := info.Sys().(*syscall.Stat_t)
	wantMode := os.ModeDir | os.ModeSticky | 0o777
	if st.Uid != 101 || st.Gid != 101 || info.Mode() != wantMode {
		t.Errorf("/tmp = %d:%d %v, want 101:101 %v", st.Uid, st.Gid, info.Mode(), wantMode)
	}

	environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range s.Environment {
		if !strings.Contains("\x00"+string(environ), "\x00"+name+"="+value+"\x00") {
			t.Errorf("environment lacks %s=%s", name, value)
		}
	}

	// `podman stop` without --time uses the stop_grace_period.
	start := time.Now()
	p.must(t, "stop", name)
	if code := p.must(t, "inspect", "--format", "{{.State.ExitCode}}", name); code != "0" {
		t.Errorf("exit code after podman stop = %s, want 0", code)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("podman stop of an idle nginx took %v, want a few seconds at most", elapsed)
	}
}
