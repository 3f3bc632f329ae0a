package fsprep

import (
	"fmt"
	"os"
)

// FormatMode formats a mode in octal with setuid, setgid and sticky, then
// symbolically, as "02770 drwxrws---".
func FormatMode(m os.FileMode) string {
	return fmt.Sprintf("0%03o %s", unixPerm(m), symbolicMode(m))
}

// unixPerm returns the permission, setuid, setgid and sticky bits of m as the
// kernel stores them.
func unixPerm(m os.FileMode) uint32 {
	p := uint32(m.Perm())
	if m&os.ModeSetuid != 0 {
		p |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		p |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		p |= 0o1000
	}
	return p
}

// symbolicMode formats m like ls -l does, with s, S, t and T in the execute
// positions, which os.FileMode.String does not.
func symbolicMode(m os.FileMode) string {
	b := []byte("----------")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&os.ModeSymlink != 0:
		b[0] = 'l'
	case m&os.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&os.ModeSocket != 0:
		b[0] = 's'
	case m&os.ModeCharDevice != 0:
		b[0] = 'c'
	case m&os.ModeDevice != 0:
		b[0] = 'b'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	special := func(pos int, set bool, lower, upper byte) {
		if !set {
			return
		}
		if b[pos] == 'x' {
			b[pos] = lower
		} else {
			b[pos] = upper
		}
	}
	special(3, m&os.ModeSetuid != 0, 's', 'S')
	special(6, m&os.ModeSetgid != 0, 's', 'S')
	special(9, m&os.ModeSticky != 0, 't', 'T')
	return string(b)
}

// fileMode converts a stat st_mode to an os.FileMode.
func fileMode(stMode uint32) os.FileMode {
	m := os.FileMode(stMode & 0o777)
	switch stMode & 0o170000 {
	case 0o040000:
		m |= os.ModeDir
	case 0o120000:
		m |= os.ModeSymlink
	case 0o010000:
		m |= os.ModeNamedPipe
	case 0o140000:
		m |= os.ModeSocket
	case 0o020000:
		m |= os.ModeDevice | os.ModeCharDevice
	case 0o060000:
		m |= os.ModeDevice
	}
	if stMode&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	if stMode&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if stMode&0o1000 != 0 {
		m |= os.ModeSticky
	}
	return m
}
