package fsprep

import (
	"fmt"
	"slices"

	"golang.org/x/sys/unix"
)

// Access bits for Identity.Allows, with the values of R_OK, W_OK and X_OK.
const (
	AccessRead    uint32 = 4
	AccessWrite   uint32 = 2
	AccessExecute uint32 = 1
)

// Identity is the uid, primary gid and supplementary groups whose access
// fsprep predicts from mode bits.
type Identity struct {
	UID    uint32
	GID    uint32
	Groups []uint32 // supplementary groups, as getgroups(2) returns them
}

// CurrentIdentity returns the effective uid and gid and the supplementary
// groups of the calling process, which is the runtime user inside nginit.
func CurrentIdentity() (Identity, error) {
	groups, err := unix.Getgroups()
	if err != nil {
		return Identity{}, fmt.Errorf("getgroups: %w", err)
	}
	id := Identity{UID: uint32(unix.Geteuid()), GID: uint32(unix.Getegid())}
	for _, g := range groups {
		id.Groups = append(id.Groups, uint32(g))
	}
	return id, nil
}

func (id Identity) String() string {
	return fmt.Sprintf("uid %d gid %d", id.UID, id.GID)
}

// InGroup reports whether gid is the primary group or a supplementary group.
func (id Identity) InGroup(gid uint32) bool {
	return gid == id.GID || slices.Contains(id.Groups, gid)
}

// Allows reports whether the mode bits of a file with this owner, group and
// st_mode grant every access bit in want. It applies the POSIX class rule:
// the owner class applies to the owner even when the group or other class
// would grant more, and the group class applies to members even when the
// other class would grant more. For uid 0 it models CAP_DAC_OVERRIDE: read
// and write are granted, and execute when any execute bit is set or the file
// is a directory. ACLs and security modules are not consulted; ask the
// kernel with faccessat or a real open for those.
func (id Identity) Allows(owner, group, stMode, want uint32) bool {
	if id.UID == 0 {
		if want&AccessExecute == 0 {
			return true
		}
		return stMode&0o170000 == unix.S_IFDIR || stMode&0o111 != 0
	}
	var bits uint32
	switch {
	case owner == id.UID:
		bits = stMode >> 6 & 7
	case id.InGroup(group):
		bits = stMode >> 3 & 7
	default:
		bits = stMode & 7
	}
	return bits&want == want
}
