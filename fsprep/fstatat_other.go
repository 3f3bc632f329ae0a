//go:build linux && !(amd64 || arm64 || riscv64)

package fsprep

import "golang.org/x/sys/unix"

// fstatatNUL is fstatat(2) for a NUL-terminated name. On these
// architectures struct stat needs the fstatat64 variant, which unix.Fstatat
// selects, so the name is copied.
func fstatatNUL(dirfd int, name []byte, st *unix.Stat_t, flags int) error {
	return unix.Fstatat(dirfd, string(name[:len(name)-1]), st, flags)
}
