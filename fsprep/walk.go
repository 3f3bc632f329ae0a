package fsprep

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Defaults of WalkOptions.
const (
	// DefaultWalkLimit bounds the entries one walk examines, so a root
	// pointed at a huge volume cannot delay nginx's start for long.
	DefaultWalkLimit = 1_000_000

	// DefaultMaxFindingsPerKind bounds the findings of one kind that a
	// report keeps; WalkReport.Counts still counts all of them.
	DefaultMaxFindingsPerKind = 100

	// maxWorkers caps the default worker count. The walk is bound by
	// syscalls, so workers beyond a few per CPU add scheduling, not
	// throughput. NOTE: 8 is an estimate; only 2 CPUs were measured.
	maxWorkers = 8

	// maxQueuedDirs bounds the directories open and waiting for a worker.
	// Past it a worker walks a subdirectory itself, depth first, so open
	// descriptors stay below this plus workers times depth.
	maxQueuedDirs = 256

	// direntBufSize is the getdents buffer of each directory being read,
	// the size glibc's readdir uses.
	direntBufSize = 32 << 10
)

// WalkOptions configures WalkRoot. The zero value is ready to use.
type WalkOptions struct {
	// Limit is the number of directory entries to examine before the walk
	// stops and sets WalkReport.Truncated; DefaultWalkLimit when zero.
	Limit int

	// Workers is the number of directories read in parallel; zero means
	// min(2*GOMAXPROCS, 8).
	Workers int

	// Index lists the index file names checked in the root, as nginx's
	// index directive does. nil means ["index.html"]; an empty non-nil
	// slice skips the check.
	Index []string

	// MaxFindingsPerKind is DefaultMaxFindingsPerKind when zero.
	MaxFindingsPerKind int

	// VerifyFiles checks with faccessat(R_OK) every regular file whose mode grants read, to find FindingKernelDenied on files too.
	// It costs one more syscall per file. Directories, the root's ancestors
	// and the index files are always verified, because the walk opens them.
	VerifyFiles bool
}

// WalkReport is the outcome of WalkRoot.
type WalkReport struct {
	Root string

	// Files counts regular files, Dirs directories below the root (the root
	// not included), Others symbolic links and special files, and Bytes the
	// sizes of the regular files.
	Files, Dirs, Others, Bytes int64

	// Findings are sorted by path, then kind. At most
	// MaxFindingsPerKind of each kind are kept.
	Findings []Finding

	// Counts is the number of findings of each kind, kept or not.
	Counts map[FindingKind]int

	// Truncated is set when the walk stopped at WalkOptions.Limit, and
	// TruncatedReason then explains it in a sentence for the report.
	Truncated       bool
	TruncatedReason string
}

// walker is the shared state of one WalkRoot call.
type walker struct {
	id           Identity
	root         string
	resolvedRoot string
	index        []string // the index file names, whose findings stay errors
	limit        int64
	maxPerKind   int
	verifyFiles  bool

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []dirTask
	pending int // directories queued or being read
	stopped atomic.Bool

	entries, files, dirs, others, bytes atomic.Int64

	counts     [findingKindCount]atomic.Int64
	findingsMu sync.Mutex
	findings   []Finding
}

// dirTask is a directory open for reading and its path for findings.
type dirTask struct {
	fd   int
	path string
}

var direntBufPool = sync.Pool{New: func() any { b := make([]byte, direntBufSize); return &b }}

// WalkRoot checks a static root the way nginx will use it, as the runtime
// user, without changing anything.
//
// The root itself is opened with symbolic links followed, as nginx does for
// its root directive. Below the root, every entry is listed with getdents on
// its directory's descriptor and examined with statx(AT_SYMLINK_NOFOLLOW),
// the successor of fstatat, relative to that descriptor. Subdirectories are
// opened with openat(O_NOFOLLOW), so no path is looked up twice and no link
// is followed during the walk. A symbolic link is resolved only to report
// where it leads. Access is predicted from mode
// bits with Identity.Allows for the current process's uid, gid and
// supplementary groups, and confirmed by the kernel wherever the walk opens
// something.
//
// WalkRoot returns an error only when the walk cannot start: root is not
// absolute, is missing, is not a directory, or cannot be opened. The report
// then still carries the findings about root's ancestors.
func WalkRoot(root string, opts WalkOptions) (WalkReport, error) {
	rep := WalkReport{Root: root, Counts: map[FindingKind]int{}}
	if !filepath.IsAbs(root) {
		return rep, &Error{Op: "walk", Path: root, Reason: "path is relative", Err: ErrInvalidDir}
	}
	id, err := CurrentIdentity()
	if err != nil {
		return rep, &Error{Op: "walk", Path: root, Err: err}
	}
	w := &walker{
		id:          id,
		root:        filepath.Clean(root),
		limit:       int64(opts.Limit),
		maxPerKind:  opts.MaxFindingsPerKind,
		verifyFiles: opts.VerifyFiles,
	}
	w.cond = sync.NewCond(&w.mu)
	if w.limit <= 0 {
		w.limit = DefaultWalkLimit
	}
	if w.maxPerKind <= 0 {
		w.maxPerKind = DefaultMaxFindingsPerKind
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = min(2*runtime.GOMAXPROCS(0), maxWorkers)
	}

	w.checkAncestors()
	fd, err := unix.Open(w.root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		w.rootOpenFailed(err)
		rep.Findings = w.sortedFindings()
		rep.Counts = w.countsByKind()
		return rep, &Error{Op: "walk", Path: root, Err: err}
	}
	w.resolvedRoot = w.root
	if resolved, err := readlinkProcFD(fd); err == nil {
		w.resolvedRoot = resolved
	}
	w.checkRoot(fd)
	w.index = opts.Index
	if w.index == nil {
		w.index = []string{"index.html"}
	}
	w.checkIndex(fd, w.index)
	w.checkMountPoint(fd)

	w.pending = 1
	w.queue = append(w.queue, dirTask{fd: fd, path: w.root})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.work()
		}()
	}
	wg.Wait()

	rep.Files, rep.Dirs, rep.Others, rep.Bytes = w.files.Load(), w.dirs.Load(), w.others.Load(), w.bytes.Load()
	if w.stopped.Load() {
		rep.Truncated = true
		rep.TruncatedReason = fmt.Sprintf("walk of %s stopped after %d entries, the limit; paths not reached were not checked, so raise the limit or narrow the root", w.root, w.limit)
	}
	rep.Findings = w.sortedFindings()
	rep.Counts = w.countsByKind()
	return rep, nil
}

// work reads queued directories until none is queued or being read.
func (w *walker) work() {
	for {
		w.mu.Lock()
		for len(w.queue) == 0 && w.pending > 0 {
			w.cond.Wait()
		}
		if len(w.queue) == 0 {
			w.mu.Unlock()
			return
		}
		t := w.queue[len(w.queue)-1]
		w.queue = w.queue[:len(w.queue)-1]
		w.mu.Unlock()

		w.readDir(t)

		w.mu.Lock()
		w.pending--
		if w.pending == 0 {
			w.cond.Broadcast()
		}
		w.mu.Unlock()
	}
}

// enqueue hands a directory to another worker, or reads it now when the
// queue is full.
func (w *walker) enqueue(t dirTask) {
	w.mu.Lock()
	if len(w.queue) < maxQueuedDirs {
		w.queue = append(w.queue, t)
		w.pending++
		w.cond.Signal()
		w.mu.Unlock()
		return
	}
	w.mu.Unlock()
	w.readDir(t)
}

// readDir examines every entry of one directory and closes its descriptor.
func (w *walker) readDir(t dirTask) {
	defer unix.Close(t.fd)
	bufp := direntBufPool.Get().(*[]byte)
	defer direntBufPool.Put(bufp)
	buf := *bufp
	for {
		n, err := unix.Getdents(t.fd, buf)
		if err != nil {
			w.add(Finding{Kind: FindingWalkError, Path: t.path, Detail: "getdents: " + err.Error()})
			return
		}
		if n == 0 {
			return
		}
		// Each record is struct linux_dirent64: d_ino (8 bytes), d_off (8),
		// d_reclen (2), d_type (1), then d_name, NUL-terminated and padded.
		for off := 0; off < n; {
			reclen := int(buf[off+16]) | int(buf[off+17])<<8
			name := buf[off+19 : off+reclen]
			off += reclen
			if end := indexNUL(name); end >= 0 {
				name = name[:end+1] // keep the NUL for statxNUL
			}
			if isDotOrDotDot(name) {
				continue
			}
			if w.stopped.Load() {
				return
			}
			if w.entries.Add(1) > w.limit {
				w.stop()
				return
			}
			w.examine(t, name)
		}
	}
}

// stop makes every worker finish after its current entry and closes the
// directories still queued.
func (w *walker) stop() {
	w.stopped.Store(true)
	w.mu.Lock()
	for _, t := range w.queue {
		unix.Close(t.fd)
	}
	w.pending -= len(w.queue)
	w.queue = nil
	if w.pending == 0 {
		w.cond.Broadcast()
	}
	w.mu.Unlock()
}

// examine checks one entry; nameNUL is its name with the terminating NUL.
// It costs one statx, plus an openat for a directory and a few calls for a
// symbolic link.
func (w *walker) examine(t dirTask, nameNUL []byte) {
	var st entryStat
	if err := statxNUL(t.fd, nameNUL, &st); err != nil {
		if err != unix.ENOENT { // removed since getdents
			w.add(Finding{Kind: FindingWalkError, Path: t.path + "/" + string(nameNUL[:len(nameNUL)-1]), Detail: "statx: " + err.Error()})
		}
		return
	}
	name := func() string { return string(nameNUL[:len(nameNUL)-1]) }
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		w.files.Add(1)
		w.bytes.Add(st.Size)
		if !w.id.Allows(st.Uid, st.Gid, st.Mode, AccessRead) {
			w.addEntry(FindingUnreadableFile, t.path, nameNUL, &st)
		} else if w.verifyFiles {
			// faccessat checks the real uid. It equals the effective uid
			// because nginit rejects a setuid install at start.
			if err := unix.Faccessat(t.fd, name(), unix.R_OK, 0); err == unix.EACCES || err == unix.EPERM {
				w.addEntry(FindingKernelDenied, t.path, nameNUL, &st)
			}
		}
		if w.id.Allows(st.Uid, st.Gid, st.Mode, AccessWrite) {
			w.addEntry(FindingWritable, t.path, nameNUL, &st)
		}

	case unix.S_IFDIR:
		w.dirs.Add(1)
		path := t.path + "/" + name()
		if w.id.Allows(st.Uid, st.Gid, st.Mode, AccessWrite) {
			w.addStat(FindingWritable, path, "", &st, "", "")
		}
		if !w.id.Allows(st.Uid, st.Gid, st.Mode, AccessExecute) {
			w.addStat(FindingUnsearchableDir, path, "", &st, "", "")
			return
		}
		if !w.id.Allows(st.Uid, st.Gid, st.Mode, AccessRead) {
			w.addStat(FindingUnreadableDir, path, "", &st, "", "")
			return
		}
		fd, err := unix.Openat(t.fd, name(), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		switch {
		case err == unix.EACCES || err == unix.EPERM:
			w.addStat(FindingKernelDenied, path, "", &st, "", "")
		case err == unix.EMFILE || err == unix.ENFILE:
			w.addStat(FindingWalkError, path, "", &st, "open: "+err.Error(), "raise the open files limit (ulimit -n)")
		case err != nil:
			w.addStat(FindingWalkError, path, "", &st, "open: "+err.Error(), "")
		default:
			w.enqueue(dirTask{fd: fd, path: path})
		}

	case unix.S_IFLNK:
		w.others.Add(1)
		w.checkSymlink(t, name(), &st)

	default:
		w.others.Add(1)
		w.addEntry(FindingSpecialFile, t.path, nameNUL, &st)
	}
}

// checkSymlink reports a link that is dangling or leads outside the root.
// It follows the link only to learn where it leads.
func (w *walker) checkSymlink(t dirTask, name string, st *entryStat) {
	path := t.path + "/" + name
	target, _ := readlinkat(t.fd, name)
	fd, err := unix.Openat(t.fd, name, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		w.addStat(FindingDanglingSymlink, path, "", st, fmt.Sprintf("link to %q cannot be resolved, so nginx answers 404 for it: %v", target, err), "")
		return
	}
	defer unix.Close(fd)
	resolved, err := readlinkProcFD(fd)
	if err != nil {
		return // without /proc the target cannot be compared with the root
	}
	if !pathHasPrefix(resolved, w.resolvedRoot) {
		w.addStat(FindingSymlinkOutside, path, "", st, fmt.Sprintf("link to %q resolves to %s, outside the root, which the running container may not have", target, resolved), "")
	}
}
