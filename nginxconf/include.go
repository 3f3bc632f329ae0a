package nginxconf

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// Sentinel errors wrapped by *IncludeError.
var (
	// ErrIncludeLoop means a file includes itself, directly or through
	// other files. nginx follows such a loop until it runs out of file
	// descriptors and fails with "(24: Too many open files)".
	ErrIncludeLoop = errors.New("include loop")

	// ErrIncludeDepth means includes nested deeper than the limit without
	// a loop.
	ErrIncludeDepth = fmt.Errorf("includes nested more than %d deep", maxIncludeDepth)

	// ErrTooManyFiles means one configuration read more files than the limit.
	ErrTooManyFiles = errors.New("too many included files")

	// ErrFileTooLarge means a configuration file exceeds the size limit.
	ErrFileTooLarge = errors.New("file too large")

	// ErrTotalTooLarge means the files of one configuration together
	// exceed maxTotalSize; the file that crosses it is not read.
	ErrTotalTooLarge = fmt.Errorf("configuration files larger than %d MiB in total", maxTotalSize>>20)

	// ErrNotRegular means an include names a FIFO, socket or device.
	ErrNotRegular = errors.New("not a regular file")
)

// IncludeError is an include directive whose file could not be read. Err
// wraps the cause, so errors.Is(err, fs.ErrNotExist) reports a missing file.
type IncludeError struct {
	Path string // the file the directive names, resolved
	File string // the include directive's file
	Line int    // the include directive's line
	Err  error
}

func (e *IncludeError) Error() string {
	var pathErr *os.PathError
	if errors.As(e.Err, &pathErr) {
		return fmt.Sprintf("include at %s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("include at %s:%d: %s: %v", e.File, e.Line, e.Path, e.Err)
}

func (e *IncludeError) Unwrap() error { return e.Err }

// IncludeErrors returns every *IncludeError in err, which may be a joined
// error as ParseFile returns, in the order the includes were read.
func IncludeErrors(err error) []*IncludeError {
	var found []*IncludeError
	var walk func(error)
	walk = func(err error) {
		var ie *IncludeError
		switch e := err.(type) {
		case nil:
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
		default:
			if errors.As(err, &ie) {
				found = append(found, ie)
			}
		}
	}
	walk(err)
	return found
}

// include expands the include directive d, nested depth includes deep, into
// the directives of the files it names. It returns an error only for a
// syntax error, which stops the whole parse; unreadable files are collected
// in p.errs.
func (p *parser) include(d *Directive, depth int) ([]*Directive, error) {
	pattern := resolve(p.confPrefix, d.Args[0])

	// nginx globs only when the name contains one of these characters
	// (ngx_conf_include), so a literal name with no file is an error.
	var names []string
	if strings.ContainsAny(pattern, "*?[") {
		matches, err := filepath.Glob(pattern)
		if err != nil {
			p.errs = append(p.errs, &IncludeError{Path: pattern, File: d.File, Line: d.Line, Err: err})
			return nil, nil
		}
		names = visibleMatches(pattern, matches)
	} else {
		names = []string{pattern}
	}

	var directives []*Directive
	for _, name := range names {
		fail := func(err error) {
			p.errs = append(p.errs, &IncludeError{Path: name, File: d.File, Line: d.Line, Err: err})
		}
		if loop := p.loopTo(name); loop != nil {
			fail(fmt.Errorf("%w: %s", ErrIncludeLoop, strings.Join(loop, " includes ")))
			continue
		}
		if depth > maxIncludeDepth {
			fail(ErrIncludeDepth)
			continue
		}
		if p.files >= maxFiles {
			fail(ErrTooManyFiles)
			continue
		}
		p.files++

		src, err := readConfFile(name, &p.budget)
		if err != nil {
			fail(err)
			continue
		}
		p.includes = append(p.includes, Include{Path: name, File: d.File, Line: d.Line})

		lx := newLexer(src, name, false)
		lx.includeDepth = depth
		p.stack = append(p.stack, filepath.Clean(name))
		parsed, err := p.parse(lx, 0)
		p.stack = p.stack[:len(p.stack)-1]
		directives = append(directives, parsed...)
		if err != nil {
			return directives, err
		}
	}
	return directives, nil
}

// loopTo returns the chain of files from the one that name already is on
// the include stack to name again, or nil when including name is no loop.
//
// NOTE: files are compared by cleaned path, so a loop through a symbolic
// link that names a file on the stack differently is found only by
// maxIncludeDepth.
func (p *parser) loopTo(name string) []string {
	clean := filepath.Clean(name)
	for i, f := range p.stack {
		if f == clean {
			return append(slices.Clone(p.stack[i:]), clean)
		}
	}
	return nil
}

// visibleMatches drops the matches that glob(3), which nginx uses, would not
// return: Go's filepath.Glob lets "*" match a leading dot, glob(3) does not.
func visibleMatches(pattern string, matches []string) []string {
	// filepath.Glob returns cleaned paths, so compare with the cleaned
	// pattern element by element.
	patternParts := strings.Split(filepath.Clean(pattern), string(filepath.Separator))
	var kept []string
	for _, m := range matches {
		parts := strings.Split(m, string(filepath.Separator))
		hidden := false
		for i, part := range parts {
			if i < len(patternParts) && strings.HasPrefix(part, ".") && !strings.HasPrefix(patternParts[i], ".") {
				hidden = true
				break
			}
		}
		if !hidden {
			kept = append(kept, m)
		}
	}
	return kept
}

// readConfFile reads one configuration file, rejecting anything but a
// regular file, files over maxFileSize, and reads past the budget of
// maxTotalSize that *total counts down for the whole configuration. It
// opens with O_NONBLOCK, so a FIFO that a glob matches cannot block the
// read; nginx itself would block on it.
func readConfFile(name string, total *int64) ([]byte, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()

	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "fstat", Path: name, Err: err}
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFDIR:
		return nil, &os.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	default:
		return nil, &os.PathError{Op: "read", Path: name, Err: ErrNotRegular}
	}

	limit := min(int64(maxFileSize), *total)
	src, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if len(src) > maxFileSize {
		return nil, &os.PathError{Op: "read", Path: name, Err: ErrFileTooLarge}
	}
	if int64(len(src)) > *total {
		return nil, &os.PathError{Op: "read", Path: name, Err: ErrTotalTooLarge}
	}
	*total -= int64(len(src))
	return src, nil
}

// resolve returns name resolved against prefix the way ngx_get_full_name
// does: an absolute name is kept, a relative one is joined to prefix.
//
// NOTE: filepath.Join also cleans "..", which nginx does not do; the two
// differ only when a directory before ".." is a symbolic link.
func resolve(prefix, name string) string {
	if filepath.IsAbs(name) || prefix == "" {
		return name
	}
	return filepath.Join(prefix, name)
}
