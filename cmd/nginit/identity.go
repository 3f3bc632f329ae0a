package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/nginit/nginit/initd"
	"golang.org/x/sys/unix"
)

// errElevated is an nginit started with privileges its caller lacks: a
// setuid or setgid binary, or file capabilities. The kernel marks such a
// start with AT_SECURE in the auxiliary vector.
var errElevated = errors.New("nginit was started with privileges its caller lacks (AT_SECURE is set: a setuid or setgid binary, or file capabilities)")

// readIdentity reads the identity nginit runs with and checks it:
// initd.CheckIdentity for root and a setuid or setgid binary, and AT_SECURE
// for every other way of gaining privileges at exec. allowRoot lets plain
// root through, for nginit check.
func readIdentity(allowRoot bool) (initd.Identity, error) {
	id, err := initd.ReadIdentity()
	if err != nil {
		return id, fmt.Errorf("read identity: %w", err)
	}

	self, err := os.Executable()
	if err != nil {
		return id, fmt.Errorf("find nginit's own binary to check its setuid and setgid bits: %w", err)
	}
	// CheckIdentity names the setuid or setgid bit precisely; AT_SECURE
	// then catches what the file's mode does not show, such as file
	// capabilities.
	err = initd.CheckIdentity(id, self)
	if allowRoot && errors.Is(err, initd.ErrRoot) && !errors.Is(err, initd.ErrSetuidBinary) {
		err = nil
	}
	if err != nil {
		return id, err
	}
	if secure, err := atSecure(); err == nil && secure {
		return id, fmt.Errorf("%w; remove them: chmod ug-s %s, setcap -r %s", errElevated, self, self)
	}
	return id, nil
}

// atValueSecure is AT_SECURE's key in the auxiliary vector (linux/auxvec.h).
const atValueSecure = 23

// atSecure reports whether the kernel started this process in secure-exec
// mode, read from /proc/self/auxv: pairs of native-endian words, key then
// value, on 64-bit Linux. A process that gained privileges at exec is not
// dumpable, so its /proc files belong to root and the read fails for it.
// In that case atSecure reads prctl(PR_GET_DUMPABLE) instead.
func atSecure() (bool, error) {
	auxv, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		dumpable, prctlErr := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
		if prctlErr != nil {
			return false, err
		}
		return dumpable != 1, nil
	}
	for i := 0; i+16 <= len(auxv); i += 16 {
		key := binary.NativeEndian.Uint64(auxv[i:])
		if key == atValueSecure {
			return binary.NativeEndian.Uint64(auxv[i+8:]) != 0, nil
		}
	}
	return false, nil
}
