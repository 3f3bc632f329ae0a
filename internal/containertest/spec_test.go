package containertest

import (
	"slices"
	"strings"
	"testing"
)

func TestNewSpecDefaults(t *testing.T) {
	spec := newSpec(&Options{Env: []string{"NGINIT_LOG_LEVEL=debug"}})

	if spec.Process.User.UID != DefaultUID || spec.Process.User.GID != DefaultGID {
		t.Errorf("user = %d:%d, want %d:%d", spec.Process.User.UID, spec.Process.User.GID, DefaultUID, DefaultGID)
	}
	if !spec.Root.Readonly {
		t.Error("root.readonly = false, want true")
	}
	if !spec.Process.NoNewPrivileges {
		t.Error("noNewPrivileges = false, want true")
	}
	if spec.Process.Terminal {
		t.Error("terminal = true, want false")
	}
	caps := spec.Process.Capabilities
	for name, set := range map[string][]string{
		"bounding": caps.Bounding, "effective": caps.Effective, "inheritable": caps.Inheritable,
		"permitted": caps.Permitted, "ambient": caps.Ambient,
	} {
		if set == nil || len(set) != 0 {
			t.Errorf("capabilities.%s = %#v, want an empty list", name, set)
		}
	}
	if want := []string{defaultPath, "NGINIT_LOG_LEVEL=debug"}; !slices.Equal(spec.Process.Env, want) {
		t.Errorf("env = %q, want %q", spec.Process.Env, want)
	}
	if want := []string{"/usr/sbin/nginx", "-g", "daemon off; pid /tmp/nginx.pid;"}; !slices.Equal(spec.Process.Args, want) {
		t.Errorf("args without nginit = %q, want %q", spec.Process.Args, want)
	}

	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == "network" {
			t.Error("namespaces include network, want the host's network so tests reach 127.0.0.1")
		}
	}

	tmp := findMount(spec.Mounts, "/tmp")
	if tmp == nil {
		t.Fatal("no /tmp mount, want a tmpfs")
	}
	if tmp.Type != "tmpfs" || !slices.Contains(tmp.Options, "mode=1777") {
		t.Errorf("/tmp mount = %+v, want a tmpfs with mode=1777", *tmp)
	}
}

func TestNewSpecOptions(t *testing.T) {
	opts := &Options{
		Nginit:         "/host/nginit",
		UID:            Uint32(1000680000),
		GID:            Uint32(0),
		AdditionalGids: []uint32{101},
		Capabilities:   []string{"CAP_NET_BIND_SERVICE"},
		WritableRoot:   true,
		TmpMode:        "0755",
		Tmpfs:          []Tmpfs{{Path: "/run", Options: []string{"uid=0"}}},
	}
	spec := newSpec(opts)

	if got := spec.Process.User; got.UID != 1000680000 || got.GID != 0 || !slices.Equal(got.AdditionalGids, []uint32{101}) {
		t.Errorf("user = %+v, want uid 1000680000, gid 0, additional gid 101", got)
	}
	if want := []string{"/nginit", "nginx", "-g", "daemon off;"}; !slices.Equal(spec.Process.Args, want) {
		t.Errorf("args with nginit = %q, want %q", spec.Process.Args, want)
	}
	if !slices.Equal(spec.Process.Capabilities.Effective, []string{"CAP_NET_BIND_SERVICE"}) {
		t.Errorf("effective capabilities = %q, want CAP_NET_BIND_SERVICE", spec.Process.Capabilities.Effective)
	}
	if spec.Root.Readonly {
		t.Error("root.readonly = true with WritableRoot, want false")
	}
	if tmp := findMount(spec.Mounts, "/tmp"); tmp == nil || !slices.Contains(tmp.Options, "mode=0755") {
		t.Errorf("/tmp mount = %+v, want mode=0755", tmp)
	}
	if run := findMount(spec.Mounts, "/run"); run == nil || run.Type != "tmpfs" {
		t.Errorf("/run mount = %+v, want a tmpfs", run)
	}

	opts.NoTmp = true
	if tmp := findMount(newSpec(opts).Mounts, "/tmp"); tmp != nil {
		t.Errorf("/tmp mount with NoTmp = %+v, want none", *tmp)
	}
}

func findMount(mounts []ociMount, destination string) *ociMount {
	for i := range mounts {
		if mounts[i].Destination == destination {
			return &mounts[i]
		}
	}
	return nil
}

func TestTemplateListen(t *testing.T) {
	conf := []byte("server {\n    listen 8080;\n    root /srv;\n}\n")
	got, err := templateListen(conf, 43210)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "listen 127.0.0.1:43210;") {
		t.Errorf("templateListen = %q, want listen 127.0.0.1:43210", got)
	}
	if strings.Contains(string(got), ListenPlaceholder) {
		t.Errorf("templateListen = %q, still contains %q", got, ListenPlaceholder)
	}

	if _, err := templateListen([]byte("listen 80;"), 43210); err == nil {
		t.Error("templateListen without the placeholder succeeded, want an error")
	}
}

func TestNewIDIsValidAndUnique(t *testing.T) {
	a := newID("TestNginitStopSignalsDrainNginx/TERM with spaces")
	b := newID("TestNginitStopSignalsDrainNginx/TERM with spaces")
	if a == b {
		t.Errorf("newID returned %q twice, want unique ids", a)
	}
	if idUnsafe.MatchString(a) {
		t.Errorf("newID = %q, contains characters runc rejects", a)
	}
}
