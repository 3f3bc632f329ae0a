package filecaps

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// xattrName is the extended attribute that holds file capabilities.
const xattrName = "security.capability"

// The layout of struct vfs_cap_data and vfs_ns_cap_data in
// linux/capability.h. Every field is a little-endian 32-bit word: magic_etc,
// then permitted and inheritable for each 32-bit half of the sets, then, in
// revision 3 only, the root uid of the user namespace the capabilities
// belong to.
const (
	revisionMask  = 0xFF000000
	flagEffective = 0x000001

	revision1 = 0x01000000 // Linux 2.6.24: one 32-bit word per set
	revision2 = 0x02000000 // Linux 2.6.25: two words per set
	revision3 = 0x03000000 // Linux 4.14: revision 2 plus the namespace root uid

	size1 = 4 * (1 + 2*1)
	size2 = 4 * (1 + 2*2)
	size3 = 4 * (2 + 2*2)
)

// ErrInvalid is wrapped by Parse's errors: the attribute is not a
// vfs_cap_data the kernel would accept.
var ErrInvalid = errors.New("invalid file capabilities")

// Set is an executable's file capabilities as the kernel reads them at
// execve.
type Set struct {
	// Permitted and Inheritable are bit masks indexed by capability number
	// (CAP_NET_BIND_SERVICE is bit 10). At execve the new permitted set is
	// (Permitted & bounding set) | (Inheritable & the process's inheritable set).
	Permitted, Inheritable uint64

	// Effective is the effective flag ("+e" in setcap's syntax): the new
	// permitted set also becomes the effective set. Without it a program must
	// raise a capability itself, which nginx never does.
	Effective bool

	// RootID is the uid that is root in the user namespace the capabilities
	// were set in. It is set in revision 3 only, and the kernel honours such
	// capabilities only in that namespace or one nested in it.
	RootID uint32

	// Revision is the format revision, 1 to 3, or 0 for no file capabilities.
	Revision int
}

// IsZero reports whether s grants nothing: the file has no capabilities.
func (s Set) IsZero() bool { return s.Permitted == 0 && s.Inheritable == 0 }

// Permits reports whether capability number c is in the permitted set.
func (s Set) Permits(c uint) bool { return c < 64 && s.Permitted&(1<<c) != 0 }

// String formats s for logs: "permitted 0x400, effective".
func (s Set) String() string {
	text := fmt.Sprintf("permitted %#x", s.Permitted)
	if s.Inheritable != 0 {
		text += fmt.Sprintf(", inheritable %#x", s.Inheritable)
	}
	if s.Effective {
		text += ", effective"
	}
	return text
}

// Read returns the file capabilities of the file at path, following
// symbolic links as execve does. A file without them, or on a filesystem
// without extended attributes, has the zero Set and no error.
func Read(path string) (Set, error) {
	// The attribute is 24 bytes at most; a larger buffer still lets Parse
	// reject an oversized value instead of getxattr failing with ERANGE.
	buf := make([]byte, 64)
	n, err := unix.Getxattr(path, xattrName, buf)
	switch {
	case errors.Is(err, unix.ENODATA), errors.Is(err, unix.ENOTSUP):
		return Set{}, nil
	case err != nil:
		return Set{}, &os.PathError{Op: "getxattr " + xattrName, Path: path, Err: err}
	}
	set, err := Parse(buf[:n])
	if err != nil {
		return Set{}, fmt.Errorf("read file capabilities %s: %w", path, err)
	}
	return set, nil
}

// Parse decodes the value of a security.capability attribute. Like the
// kernel, it accepts each revision only at its exact size.
func Parse(b []byte) (Set, error) {
	if len(b) < 4 {
		return Set{}, fmt.Errorf("%w: %d bytes, shorter than the 4-byte header", ErrInvalid, len(b))
	}
	magic := binary.LittleEndian.Uint32(b)
	word := func(i int) uint64 { return uint64(binary.LittleEndian.Uint32(b[4*i:])) }

	var set Set
	switch revision := magic & revisionMask; revision {
	case revision1:
		if len(b) != size1 {
			return Set{}, sizeError(1, len(b), size1)
		}
		set = Set{Permitted: word(1), Inheritable: word(2), Revision: 1}
	case revision2, revision3:
		want, number := size2, 2
		if revision == revision3 {
			want, number = size3, 3
		}
		if len(b) != want {
			return Set{}, sizeError(number, len(b), want)
		}
		set = Set{
			Permitted:   word(1) | word(3)<<32,
			Inheritable: word(2) | word(4)<<32,
			Revision:    number,
		}
		if revision == revision3 {
			set.RootID = uint32(word(5))
		}
	default:
		return Set{}, fmt.Errorf("%w: unknown revision %#x", ErrInvalid, revision>>24)
	}
	set.Effective = magic&flagEffective != 0
	return set, nil
}

func sizeError(revision, got, want int) error {
	return fmt.Errorf("%w: revision %d is %d bytes, want %d", ErrInvalid, revision, got, want)
}
