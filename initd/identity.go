package initd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Identity is the process identity nginit runs with, as the kernel reports it.
type Identity struct {
	UID, EUID, GID, EGID int
	Groups               []int // supplementary groups

	PID         int
	IsPID1      bool
	IsSubreaper bool // PR_GET_CHILD_SUBREAPER
	NoNewPrivs  bool // no_new_privs, set by the runtime (Docker's no-new-privileges)

	// Capability sets as bit masks, bit n for capability n (CAP_NET_BIND_SERVICE
	// is bit 10): effective, permitted, bounding and ambient.
	CapEff, CapPrm, CapBnd, CapAmb uint64
}

// ReadIdentity reads the identity from the uid and gid system calls, prctl,
// and /proc/self/status for no_new_privs and the capability sets, which no
// other interface reports. On error it returns what it has read so far.
func ReadIdentity() (Identity, error) {
	id := Identity{
		UID:  unix.Getuid(),
		EUID: unix.Geteuid(),
		GID:  unix.Getgid(),
		EGID: unix.Getegid(),
		PID:  unix.Getpid(),
	}
	id.IsPID1 = id.PID == 1

	groups, err := unix.Getgroups()
	if err != nil {
		return id, fmt.Errorf("getgroups: %w", err)
	}
	id.Groups = groups

	var subreaper int32
	if err := unix.Prctl(unix.PR_GET_CHILD_SUBREAPER, uintptr(unsafe.Pointer(&subreaper)), 0, 0, 0); err != nil {
		return id, fmt.Errorf("prctl PR_GET_CHILD_SUBREAPER: %w", err)
	}
	id.IsSubreaper = subreaper != 0

	f, err := os.Open("/proc/self/status")
	if err != nil {
		return id, err
	}
	defer f.Close()
	if err := parseStatus(f, &id); err != nil {
		return id, fmt.Errorf("read /proc/self/status: %w", err)
	}
	return id, nil
}

// parseStatus fills the no_new_privs flag and the capability sets of id from
// the text of /proc/<pid>/status. Fields it does not know are skipped; a known
// field with a malformed value is an error.
func parseStatus(r io.Reader, id *Identity) error {
	caps := map[string]*uint64{
		"CapEff": &id.CapEff,
		"CapPrm": &id.CapPrm,
		"CapBnd": &id.CapBnd,
		"CapAmb": &id.CapAmb,
	}

	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)

		if key == "NoNewPrivs" {
			n, err := strconv.Atoi(value)
			if err != nil {
				return fmt.Errorf("invalid NoNewPrivs %q: %w", value, err)
			}
			id.NoNewPrivs = n != 0
			continue
		}
		if dst, ok := caps[key]; ok {
			n, err := strconv.ParseUint(value, 16, 64)
			if err != nil {
				return fmt.Errorf("invalid %s %q: %w", key, value, err)
			}
			*dst = n
		}
	}
	return sc.Err()
}

// CheckIdentity rejects a real or effective uid 0 with ErrRoot, and with
// ErrSetuidBinary a binary at self (os.Executable) with the setuid or setgid
// bit. An empty self skips the binary check. Arbitrary uids that have no
// /etc/passwd entry, and gid 0, are normal (OpenShift) and accepted.
func CheckIdentity(id Identity, self string) error {
	if id.UID == 0 || id.EUID == 0 {
		return fmt.Errorf("%w (uid %d, euid %d): run as a numeric non-root user, "+
			"with `USER 101:101` in the Dockerfile, or `runAsUser: 101` with `runAsNonRoot: true` in the pod spec",
			ErrRoot, id.UID, id.EUID)
	}
	if self == "" {
		return nil
	}

	fi, err := os.Stat(self)
	if err != nil {
		return fmt.Errorf("check nginit binary: %w", err)
	}
	if mode := fi.Mode(); mode&(os.ModeSetuid|os.ModeSetgid) != 0 {
		return fmt.Errorf("%w: %s has mode %s: remove the bit with `chmod ug-s %s`",
			ErrSetuidBinary, self, mode, self)
	}
	return nil
}
