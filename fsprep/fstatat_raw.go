//go:build linux && (amd64 || arm64 || riscv64)

package fsprep

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// fstatatNUL is fstatat(2) for a name that is already NUL-terminated, such
// as a d_name inside a getdents buffer. It saves unix.Fstatat's copy of the
// name, which is one allocation for each file the walk examines.
func fstatatNUL(dirfd int, name []byte, st *unix.Stat_t, flags int) error {
	_, _, errno := unix.Syscall6(unix.SYS_NEWFSTATAT, uintptr(dirfd), uintptr(unsafe.Pointer(&name[0])),
		uintptr(unsafe.Pointer(st)), uintptr(flags), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
