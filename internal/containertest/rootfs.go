package containertest

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Host paths of Debian's nginx package that the image contains.
const (
	hostNginx     = "/usr/sbin/nginx"
	hostMimeTypes = "/etc/nginx/mime.types"

	// nginxPrefix is the --prefix of Debian's nginx 1.22.1, against which
	// nginx resolves a relative load_module path.
	nginxPrefix = "/usr/share/nginx"
)

// imageDirs are the directories of the image with the owner root and the
// modes that Debian and distroless images give them. runc 1.1, the runtime
// under Docker, gives a tmpfs mounted over an existing directory that
// directory's mode, so /tmp must be 1777 and /run 0755 here already.
var imageDirs = []struct {
	path string
	mode os.FileMode
}{
	{"/dev", 0o755},
	{"/etc", 0o755},
	{"/etc/nginx", 0o755},
	{"/proc", 0o555},
	{"/run", 0o755},
	{"/sys", 0o555},
	{"/tmp", os.ModeSticky | 0o777},
	{"/usr", 0o755},
	{"/usr/sbin", 0o755},
	{"/usr/share", 0o755},
	{"/usr/share/nginx", 0o755},
	{"/usr/share/nginx/html", 0o755},
	{"/var", 0o755},
	{"/var/lib", 0o755},
	{"/var/lib/nginx", 0o755},
	{"/var/log", 0o755},
	{"/var/log/nginx", 0o755},
}

const (
	etcPasswd = "root:x:0:0:root:/root:/sbin/nologin\n" +
		"nginx:x:101:101:nginx:/nonexistent:/sbin/nologin\n"
	etcGroup = "root:x:0:\n" +
		"nginx:x:101:\n"
	// nsswitchConf keeps glibc on its built-in files backend, so nginx
	// never tries to load an NSS module the image does not have.
	nsswitchConf = "passwd: files\ngroup: files\nshadow: files\nhosts: files\n"
)

// loadModuleRE matches a load_module directive and captures its path.
var loadModuleRE = regexp.MustCompile(`(?m)^\s*load_module\s+"?([^";\s]+)"?\s*;`)

// assembleRootfs builds a distroless-style root filesystem in rootfs from
// the host's nginx: the binary, its shared libraries and dynamic loader,
// the modules conf loads, mime.types, conf as /etc/nginx/nginx.conf, the
// site, users and groups, nginit and opts.Files. It contains no shell.
func assembleRootfs(rootfs string, opts *Options, conf []byte) error {
	for _, d := range imageDirs {
		if err := mkdirOwned(filepath.Join(rootfs, d.path), d.mode, 0, 0); err != nil {
			return err
		}
	}

	binaries := []string{hostNginx}
	for _, m := range loadModuleRE.FindAllSubmatch(conf, -1) {
		module := string(m[1])
		if !filepath.IsAbs(module) {
			module = filepath.Join(nginxPrefix, module)
		}
		binaries = append(binaries, module)
	}
	for _, bin := range binaries {
		if err := copyFile(rootfs, bin, bin, 0o755); err != nil {
			return err
		}
		libs, err := sharedLibraries(bin)
		if err != nil {
			return err
		}
		for _, lib := range libs {
			if err := copyFile(rootfs, lib, lib, 0o755); err != nil {
				return err
			}
		}
	}

	if err := copyFile(rootfs, hostMimeTypes, hostMimeTypes, 0o644); err != nil {
		return err
	}
	generated := []struct {
		path string
		data string
	}{
		{"/etc/nginx/nginx.conf", string(conf)},
		{"/etc/passwd", etcPasswd},
		{"/etc/group", etcGroup},
		{"/etc/nsswitch.conf", nsswitchConf},
	}
	for _, g := range generated {
		if err := writeOwned(filepath.Join(rootfs, g.path), []byte(g.data), 0o644, 0, 0); err != nil {
			return err
		}
	}

	if opts.Site != "" {
		if err := copySite(opts.Site, filepath.Join(rootfs, "usr/share/nginx/html")); err != nil {
			return err
		}
	}
	if opts.Nginit != "" {
		if err := copyFile(rootfs, opts.Nginit, "/nginit", 0o755); err != nil {
			return err
		}
	}

	for _, f := range opts.Files {
		path := filepath.Join(rootfs, f.Path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		var err error
		if f.Dir {
			err = mkdirOwned(path, f.Mode, f.UID, f.GID)
		} else {
			err = writeOwned(path, f.Data, f.Mode, f.UID, f.GID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sharedLibraries returns the absolute paths of the shared libraries and
// the dynamic loader that ldd lists for binary.
func sharedLibraries(binary string) ([]string, error) {
	out, err := exec.Command("ldd", binary).Output()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %w", binary, err)
	}
	var libs []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		// Lines are "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)",
		// "/lib64/ld-linux-x86-64.so.2 (0x...)" or the vDSO, which has no
		// file.
		fields := strings.Fields(sc.Text())
		for _, f := range fields {
			if strings.HasPrefix(f, "/") {
				libs = append(libs, f)
				break
			}
		}
		if strings.Contains(sc.Text(), "not found") {
			return nil, fmt.Errorf("ldd %s: %s", binary, strings.TrimSpace(sc.Text()))
		}
	}
	return libs, sc.Err()
}

// copyFile copies the host file src, following symbolic links, to dst in
// rootfs as a regular file owned by root. Parent directories that do not
// exist yet are created as real directories with mode 0755, so /lib64 is a
// directory even where the host's is a usrmerge symbolic link.
func copyFile(rootfs, src, dst string, mode os.FileMode) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	path := filepath.Join(rootfs, dst)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return writeOwned(path, data, mode, 0, 0)
}

// copySite copies the tree src to dst, owned by root with 0644 files and
// 0755 directories, so nginx can read it but not modify it.
func copySite(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return mkdirOwned(target, 0o755, 0, 0)
		case d.Type().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return writeOwned(target, data, 0o644, 0, 0)
		default:
			return fmt.Errorf("copy site %s: not a regular file or directory", path)
		}
	})
}

// mkdirOwned creates dir if needed and sets its owner and mode. Chmod runs
// after mkdir because mkdir applies the umask and drops the sticky bit.
func mkdirOwned(dir string, mode os.FileMode, uid, gid int) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return err
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		return err
	}
	return os.Chmod(dir, mode)
}

// writeOwned writes data to path and sets its owner and mode, replacing
// what was there.
func writeOwned(path string, data []byte, mode os.FileMode, uid, gid int) error {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	if err := os.Chown(path, uid, gid); err != nil {
		return err
	}
	return os.Chmod(path, mode)
}

// templateListen replaces ListenPlaceholder in conf with a listen directive
// for 127.0.0.1:port.
func templateListen(conf []byte, port int) ([]byte, error) {
	if !bytes.Contains(conf, []byte(ListenPlaceholder)) {
		return nil, fmt.Errorf("template nginx.conf: no %q to replace with the test's port", ListenPlaceholder)
	}
	listen := "listen 127.0.0.1:" + strconv.Itoa(port) + ";"
	return bytes.ReplaceAll(conf, []byte(ListenPlaceholder), []byte(listen)), nil
}
