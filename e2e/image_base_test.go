package e2e

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The base images that the test passes to Dockerfile.example in place of
// the public golang and nginx images, which cannot be pulled here.
const (
	testGoImage    = "localhost/nginit-test/golang:local"
	testNginxImage = "localhost/nginit-test/nginx:debian"
)

// goImageEnv makes the toolchain image build offline: modules come only
// from the module cache inside it, and GOTOOLCHAIN=local keeps the go
// command from fetching the toolchain that go.mod names.
var goImageEnv = []string{
	"PATH=/usr/local/go/bin:/usr/bin:/bin",
	"GOPATH=/go",
	"GOTOOLCHAIN=local",
	"GOPROXY=off",
	"GOFLAGS=-mod=mod",
	"GOCACHE=/root/.cache/go-build",
}

// imageShellTools are the host programs copied into the toolchain image,
// because the RUN lines of Dockerfile.example need a shell, mkdir, cp and
// chmod, as the golang image has them.
var imageShellTools = []string{"/bin/sh", "/bin/mkdir", "/bin/cp", "/bin/chmod"}

// imageTar writes a root filesystem as a tar stream with every entry owned
// by root, the way a registry image's layer is.
type imageTar struct {
	w    *tar.Writer
	seen map[string]bool
}

func newImageTar(w io.Writer) *imageTar {
	return &imageTar{w: tar.NewWriter(w), seen: map[string]bool{}}
}

// dir adds a directory and every missing parent with mode 0755.
func (it *imageTar) dir(name string, mode fs.FileMode) error {
	name = strings.TrimPrefix(filepath.Clean(name), "/")
	if name == "." || it.seen[name] {
		return nil
	}
	if err := it.dir(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	it.seen[name] = true
	return it.w.WriteHeader(&tar.Header{
		Typeflag: tar.TypeDir,
		Name:     name + "/",
		Mode:     int64(mode.Perm()) | tarModeBits(mode),
		ModTime:  time.Unix(0, 0),
		Format:   tar.FormatPAX,
	})
}

// data adds a regular file with the given contents and mode.
func (it *imageTar) data(name string, contents []byte, mode fs.FileMode) error {
	name = strings.TrimPrefix(filepath.Clean(name), "/")
	if it.seen[name] {
		return nil
	}
	if err := it.dir(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	it.seen[name] = true
	if err := it.w.WriteHeader(&tar.Header{
		Typeflag: tar.TypeReg,
		Name:     name,
		Mode:     int64(mode.Perm()),
		Size:     int64(len(contents)),
		ModTime:  time.Unix(0, 0),
		Format:   tar.FormatPAX,
	}); err != nil {
		return err
	}
	_, err := it.w.Write(contents)
	return err
}

// file adds the host file hostPath, symlinks followed, as name.
func (it *imageTar) file(hostPath, name string, mode fs.FileMode) error {
	contents, err := os.ReadFile(hostPath)
	if err != nil {
		return err
	}
	return it.data(name, contents, mode)
}

// tree adds the host directory hostDir as name, keeping modes and leaving
// out what skip selects.
func (it *imageTar) tree(hostDir, name string, skip func(rel string, d fs.DirEntry) bool) error {
	return filepath.WalkDir(hostDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(hostDir, path)
		if skip != nil && skip(rel, d) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		target := filepath.Join(name, rel)
		switch {
		case d.IsDir():
			return it.dir(target, info.Mode())
		case info.Mode().IsRegular():
			return it.file(path, target, info.Mode())
		default:
			return nil
		}
	})
}

// binary adds a host executable at the same path with the shared libraries
// and dynamic loader that ldd lists for it.
func (it *imageTar) binary(path string) error {
	if err := it.file(path, path, 0o755); err != nil {
		return err
	}
	libs, err := lddLibraries(path)
	if err != nil {
		return err
	}
	for _, lib := range libs {
		if err := it.file(lib, lib, 0o755); err != nil {
			return err
		}
	}
	return nil
}

func (it *imageTar) close() error { return it.w.Close() }

// tarModeBits maps the setgid and sticky bits of mode onto tar's.
func tarModeBits(mode fs.FileMode) int64 {
	var bits int64
	if mode&fs.ModeSetgid != 0 {
		bits |= 0o2000
	}
	if mode&fs.ModeSticky != 0 {
		bits |= 0o1000
	}
	return bits
}

// lddLibraries returns the absolute paths of the shared libraries and the
// dynamic loader that ldd lists for binary.
func lddLibraries(binary string) ([]string, error) {
	out, err := exec.Command("ldd", binary).Output()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %w", binary, err)
	}
	var libs []string
	for _, line := range strings.Split(string(out), "\n") {
		for _, field := range strings.Fields(line) {
			if strings.HasPrefix(field, "/") {
				libs = append(libs, field)
				break
			}
		}
	}
	return libs, nil
}

// importTar writes a root filesystem with fill, imports it as image with
// the given Dockerfile instructions, and returns the image's name.
func importTar(t *testing.T, p *podman, image string, changes []string, fill func(*imageTar) error) string {
	t.Helper()
	path := filepath.Join(p.dir, strings.NewReplacer("/", "-", ":", "-").Replace(image)+".tar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	it := newImageTar(f)
	err = fill(it)
	if err == nil {
		err = it.close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("write root filesystem of %s: %v", image, err)
	}

	args := []string{"import", "--quiet"}
	for _, c := range changes {
		args = append(args, "--change", c)
	}
	p.must(t, append(args, path, image)...)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	return image
}

// importNginxBase imports a distroless-style nginx image made of the host's
// Debian nginx, its libraries, mime.types and the nginx user, with no shell.
// The test uses it in place of the official nginx image, which has the same binary
// path, configuration directory, web root and uid.
func importNginxBase(t *testing.T, p *podman) string {
	t.Helper()
	return importTar(t, p, testNginxImage, []string{`CMD ["/usr/sbin/nginx", "-g", "daemon off;"]`}, func(it *imageTar) error {
		dirs := []struct {
			path string
			mode fs.FileMode
		}{
			{"/tmp", fs.ModeSticky | 0o777},
			{"/run", 0o755},
			{"/dev", 0o755},
			{"/proc", 0o555},
			{"/sys", 0o555},
			{"/usr/share/nginx/html", 0o755},
			{"/var/lib/nginx", 0o755},
			{"/var/log/nginx", 0o755},
			{"/etc/nginx", 0o755},
		}
		for _, d := range dirs {
			if err := it.dir(d.path, d.mode); err != nil {
				return err
			}
		}
		if err := it.binary("/usr/sbin/nginx"); err != nil {
			return err
		}
		if err := it.file("/etc/nginx/mime.types", "/etc/nginx/mime.types", 0o644); err != nil {
			return err
		}
		files := []struct{ path, data string }{
			{"/etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\nnginx:x:101:101:nginx:/nonexistent:/sbin/nologin\n"},
			{"/etc/group", "root:x:0:\nnginx:x:101:\n"},
			{"/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\n"},
		}
		for _, f := range files {
			if err := it.data(f.path, []byte(f.data), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
}

// importGoToolchain imports an image with the host's Go toolchain, a module
// cache holding exactly the modules of go.mod, and a shell. It replaces the
// golang image. The toolchain leaves out what no build reads (tests,
// test data, API lists) to keep the vfs copies small.
func importGoToolchain(t *testing.T, p *podman, moduleRoot string) string {
	t.Helper()
	goroot := strings.TrimSpace(goEnv(t, "GOROOT"))
	modCache := filepath.Join(p.dir, "modcache")

	// The host's module cache serves as a file proxy, so this downloads
	// nothing from the network.
	download := exec.Command("go", "mod", "download")
	download.Dir = moduleRoot
	download.Env = append(os.Environ(),
		"GOMODCACHE="+modCache,
		"GOPROXY=file://"+filepath.Join(goEnv(t, "GOMODCACHE"), "cache", "download"),
		"GOFLAGS=-mod=mod -modcacherw",
		"GOTOOLCHAIN=local",
	)
	if out, err := download.CombinedOutput(); err != nil {
		t.Fatalf("go mod download into %s: %v\n%s", modCache, err, out)
	}

	changes := make([]string, 0, len(goImageEnv))
	for _, env := range goImageEnv {
		changes = append(changes, "ENV "+env)
	}
	return importTar(t, p, testGoImage, changes, func(it *imageTar) error {
		if err := it.dir("/tmp", fs.ModeSticky|0o777); err != nil {
			return err
		}
		for _, tool := range imageShellTools {
			if err := it.binary(tool); err != nil {
				return err
			}
		}
		skip := func(rel string, d fs.DirEntry) bool {
			switch {
			case rel == "test" || rel == "api" || rel == "doc" || rel == "misc":
				return true
			case d.IsDir() && d.Name() == "testdata":
				return true
			default:
				return strings.HasSuffix(rel, "_test.go")
			}
		}
		if err := it.tree(goroot, "/usr/local/go", skip); err != nil {
			return err
		}
		return it.tree(modCache, "/go/pkg/mod", nil)
	})
}

// goEnv returns `go env NAME`.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return string(bytes.TrimSpace(out))
}
