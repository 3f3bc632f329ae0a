package containertest

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

func TestSharedLibrariesOfNginx(t *testing.T) {
	if _, err := os.Stat(hostNginx); err != nil {
		t.Skipf("nginx is not installed: %v", err)
	}
	libs, err := sharedLibraries(hostNginx)
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) == 0 {
		t.Fatal("sharedLibraries(nginx) is empty, want libc and the dynamic loader")
	}
	for _, lib := range libs {
		if !filepath.IsAbs(lib) {
			t.Errorf("sharedLibraries(nginx) contains %q, want absolute paths", lib)
		}
	}
	if !slices.ContainsFunc(libs, func(lib string) bool { return filepath.Base(lib) == "libc.so.6" }) {
		t.Errorf("sharedLibraries(nginx) = %q, want libc.so.6", libs)
	}
}

func TestAssembleRootfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("assembling a root filesystem sets root ownership, which needs root")
	}
	if _, err := os.Stat(hostNginx); err != nil {
		t.Skipf("nginx is not installed: %v", err)
	}

	site := t.TempDir()
	if err := os.MkdirAll(filepath.Join(site, "a"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, "a", "b.html"), []byte("b"), 0o600); err != nil {
		t.Fatal(err)
	}
	rootfs := t.TempDir()
	opts := &Options{Site: site}
	if err := assembleRootfs(rootfs, opts, []byte("events {}\n")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		path string
		mode uint32
		uid  uint32
	}{
		{"/tmp", syscall.S_IFDIR | syscall.S_ISVTX | 0o777, 0},
		{"/run", syscall.S_IFDIR | 0o755, 0},
		{"/var/lib/nginx", syscall.S_IFDIR | 0o755, 0},
		{"/var/log/nginx", syscall.S_IFDIR | 0o755, 0},
		{"/proc", syscall.S_IFDIR | 0o555, 0},
		{"/usr/sbin/nginx", syscall.S_IFREG | 0o755, 0},
		{"/etc/nginx/nginx.conf", syscall.S_IFREG | 0o644, 0},
		{"/etc/nginx/mime.types", syscall.S_IFREG | 0o644, 0},
		{"/etc/passwd", syscall.S_IFREG | 0o644, 0},
		{"/usr/share/nginx/html/a", syscall.S_IFDIR | 0o755, 0},
		{"/usr/share/nginx/html/a/b.html", syscall.S_IFREG | 0o644, 0},
	}
	for _, tt := range tests {
		var st syscall.Stat_t
		path := filepath.Join(rootfs, tt.path)
		if err := syscall.Lstat(path, &st); err != nil {
			t.Errorf("lstat %s: %v", tt.path, err)
			continue
		}
		if st.Mode != tt.mode {
			t.Errorf("mode of %s = %#o, want %#o", tt.path, st.Mode, tt.mode)
		}
		if st.Uid != tt.uid {
			t.Errorf("owner of %s = %d, want %d", tt.path, st.Uid, tt.uid)
		}
	}

	// Every library and the dynamic loader are regular files at the paths
	// ldd names, even where the host's are usrmerge symbolic links.
	libs, err := sharedLibraries(hostNginx)
	if err != nil {
		t.Fatal(err)
	}
	for _, lib := range libs {
		info, err := os.Lstat(filepath.Join(rootfs, lib))
		if err != nil {
			t.Errorf("shared library %s: %v", lib, err)
			continue
		}
		if !info.Mode().IsRegular() {
			t.Errorf("shared library %s mode = %v, want a regular file", lib, info.Mode())
		}
	}

	for _, shell := range []string{"/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash"} {
		if _, err := os.Lstat(filepath.Join(rootfs, shell)); err == nil {
			t.Errorf("root filesystem contains %s, want no shell", shell)
		}
	}
}
