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

// rootFix is the fix that every ErrRoot message names.
const rootFix = "run as a numeric non-root user, with `USER 101:101` in the Dockerfile, " +
	"or `runAsUser: 101` with `runAsNonRoot: true` in the pod spec"

// CheckIdentity rejects an identity that nginit must not run nginx with. It
// checks, in this order, so that the error names the cause instead of its
// effect:
//
//   - a binary at self (os.Executable) with the setuid or setgid bit:
//     ErrSetuidBinary, naming the bit, the mode and `chmod ug-s`. An empty
//     self skips this check.
//   - a real uid or gid that differs from the effective one: ErrSetuidBinary,
//     and ErrRoot as well when one of the uids is 0. This catches a setuid or
//     setgid binary that the file check cannot see, because the file was
//     replaced after exec, and a launcher that changed only the effective ids.
//   - a real or effective uid 0: ErrRoot.
//
// Arbitrary uids that have no /etc/passwd entry, and gid 0, are normal
// (OpenShift) and accepted.
func CheckIdentity(id Identity, self string) error {
	if self != "" {
		if err := checkSetuidBinary(self); err != nil {
			return err
		}
	}

	if id.UID != id.EUID || id.GID != id.EGID {
		chmod := "`chmod ug-s` on the nginit binary"
		if self != "" {
			chmod = "`chmod ug-s " + self + "`"
		}
		err := fmt.Errorf("%w: real and effective ids differ (uid %d, euid %d, gid %d, egid %d), "+
			"as under a setuid or setgid binary or a launcher that changes only the effective ids: "+
			"remove the bits with %s and start nginit with equal real and effective ids",
			ErrSetuidBinary, id.UID, id.EUID, id.GID, id.EGID, chmod)
		if id.UID == 0 || id.EUID == 0 {
			err = fmt.Errorf("%w; %w: %s", err, ErrRoot, rootFix)
		}
		return err
	}

	if id.UID == 0 {
		return fmt.Errorf("%w (uid %d, euid %d): %s", ErrRoot, id.UID, id.EUID, rootFix)
	}
	return nil
}

// checkSetuidBinary returns ErrSetuidBinary when the file at self has the
// setuid or setgid bit. The message names the bit, the owner whose
// privileges it grants, and the mode in octal and symbolically.
func checkSetuidBinary(self string) error {
	var st unix.Stat_t
	if err := unix.Stat(self, &st); err != nil {
		return fmt.Errorf("check nginit binary: %w", &os.PathError{Op: "stat", Path: self, Err: err})
	}

	var grants []string
	if st.Mode&unix.S_ISUID != 0 {
		grants = append(grants, fmt.Sprintf("the setuid bit, which runs it as its owner uid %d", st.Uid))
	}
	if st.Mode&unix.S_ISGID != 0 {
		grants = append(grants, fmt.Sprintf("the setgid bit, which runs it with its group gid %d", st.Gid))
	}
	if len(grants) == 0 {
		return nil
	}
	bits := "the bit"
	if len(grants) > 1 {
		bits = "both bits"
	}
	return fmt.Errorf("%w: %s has %s (mode %04o, %s): remove %s with `chmod ug-s %s`",
		ErrSetuidBinary, self, strings.Join(grants, ", and "), st.Mode&0o7777, symbolicMode(st.Mode), bits, self)
}

// symbolicMode formats a stat mode as ls -l does, such as -rwsr-xr-x for a
// regular file with mode 04755. The setuid, setgid and sticky bits show as s
// or t in place of an execute bit that is set, and as S or T otherwise.
func symbolicMode(mode uint32) string {
	b := []byte("----------")
	switch mode & unix.S_IFMT {
	case unix.S_IFDIR:
		b[0] = 'd'
	case unix.S_IFLNK:
		b[0] = 'l'
	case unix.S_IFREG:
	default:
		b[0] = '?'
	}

	const rwx = "rwxrwxrwx"
	for i := range 9 {
		if mode&(1<<(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}

	special := []struct {
		bit   uint32
		index int
		lower byte // with the execute bit set
		upper byte // without it
	}{
		{unix.S_ISUID, 3, 's', 'S'},
		{unix.S_ISGID, 6, 's', 'S'},
		{unix.S_ISVTX, 9, 't', 'T'},
	}
	for _, sp := range special {
		if mode&sp.bit == 0 {
			continue
		}
		if b[sp.index] == 'x' {
			b[sp.index] = sp.lower
		} else {
			b[sp.index] = sp.upper
		}
	}
	return string(b)
}
