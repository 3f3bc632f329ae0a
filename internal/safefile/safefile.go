package safefile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// tempCounter makes temporary names unique within the process; the pid makes
// them unique between processes that write into the same directory.
var tempCounter atomic.Uint64

// ReplaceableByAnyone reports whether a directory with this st_mode lets
// every user rename or remove the entries of others, because it is writable
// by others and lacks the sticky bit. /tmp (mode 1777) is not.
func ReplaceableByAnyone(mode uint32) bool {
	return mode&unix.S_IWOTH != 0 && mode&unix.S_ISVTX == 0
}

// OpenDir opens the directory path, creating its last element with mode
// 0755 (less the umask) when it is missing. The parent is looked up as given,
// so a symlink in it is the caller's choice; the last element itself must not
// be a symlink. The directory must not be writable by others unless it has
// the sticky bit, because another user could then swap files inside it.
func OpenDir(path string) (*os.File, error) {
	parent, err := os.OpenFile(filepath.Dir(path), unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open directory %s: %w", path, err)
	}
	defer parent.Close()
	return OpenDirAt(parent, filepath.Base(path))
}

// OpenDirAt opens the directory name inside dir, creating it with mode 0755
// (less the umask) when it is missing. name must be one path element and must
// not be a symlink.
func OpenDirAt(dir *os.File, name string) (*os.File, error) {
	path := filepath.Join(dir.Name(), name)
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name {
		return nil, &os.PathError{Op: "open directory", Path: path, Err: unix.EINVAL}
	}

	err := unix.Mkdirat(int(dir.Fd()), name, 0o755)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, &os.PathError{Op: "mkdir", Path: path, Err: err}
	}

	fd, err := unix.Openat(int(dir.Fd()), name, unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) {
		return nil, fmt.Errorf("open directory %s: not a directory or a symlink: %w", path, err)
	}
	if err != nil {
		return nil, &os.PathError{Op: "open directory", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)

	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	if ReplaceableByAnyone(st.Mode) {
		f.Close()
		return nil, fmt.Errorf("open directory %s: writable by every user without the sticky bit (mode %04o); make it writable by its owner or group only", path, st.Mode&0o7777)
	}
	return f, nil
}

// WriteFileAt replaces the file name inside dir with data. It writes a
// temporary file in the same directory with O_CREAT|O_EXCL|O_NOFOLLOW and
// mode perm less the umask and renames it over name, so readers see the old
// content or the new, never a mix. rename replaces a symlink at name instead
// of following it. There is no fsync: everything nginit writes is generated
// again at each start, so surviving a power loss does not matter, and an
// fsync cost about 1 ms of every start with /tmp on disk.
func WriteFileAt(dir *os.File, name string, data []byte, perm os.FileMode) error {
	path := filepath.Join(dir.Name(), name)
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name {
		return &os.PathError{Op: "write", Path: path, Err: unix.EINVAL}
	}

	temp := "." + name + ".tmp" + strconv.Itoa(os.Getpid()) + "." + strconv.FormatUint(tempCounter.Add(1), 10)
	fd, err := unix.Openat(int(dir.Fd()), temp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return &os.PathError{Op: "create", Path: filepath.Join(dir.Name(), temp), Err: err}
	}
	f := os.NewFile(uintptr(fd), filepath.Join(dir.Name(), temp))

	_, err = f.Write(data)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		unix.Unlinkat(int(dir.Fd()), temp, 0)
		return fmt.Errorf("write %s: %w", path, err)
	}

	if err := unix.Renameat(int(dir.Fd()), temp, int(dir.Fd()), name); err != nil {
		unix.Unlinkat(int(dir.Fd()), temp, 0)
		return &os.PathError{Op: "rename", Path: path, Err: err}
	}
	return nil
}
