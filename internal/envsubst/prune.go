package envsubst

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"
)

// ownedOutputDirs returns the output directories of c that nginit owns: the
// default conf.d and stream-conf.d inside c.RuntimeDir. They hold nothing
// but rendered files, so a file in them without a template is stale.
func ownedOutputDirs(c Config) []string {
	if c.RuntimeDir == "" {
		return nil
	}
	defaults := []string{
		filepath.Join(c.RuntimeDir, defaultOutputName),
		filepath.Join(c.RuntimeDir, defaultStreamOutput),
	}

	var owned []string
	for _, dir := range []string{c.OutputDir, c.StreamOutputDir} {
		dir = filepath.Clean(dir)
		for _, def := range defaults {
			if dir == def && !slices.Contains(owned, dir) {
				owned = append(owned, dir)
			}
		}
	}
	return owned
}

// removeStale removes, from each output directory that nginit owns, every
// regular file that none of templates renders to. A runtime directory kept
// across container restarts (a Kubernetes emptyDir survives them) would
// otherwise keep a file whose template was removed, and an `include
// .../conf.d/*.conf` would still load it.
//
// It walks the directories through their descriptors: openat with
// O_NOFOLLOW, fstatat with AT_SYMLINK_NOFOLLOW and unlinkat in the same
// directory descriptor, so a symlink is never followed and never removed.
// A missing output directory has nothing to remove.
//
// NOTE: subdirectories left empty by the removal stay in place. nginx's
// include of a directory pattern matches no file in them, so they are
// harmless.
func removeStale(c Config, templates []template) error {
	var errs []error
	for _, dir := range ownedOutputDirs(c) {
		keep := map[string]bool{}
		for _, t := range templates {
			if filepath.Clean(t.outputDir) == dir {
				keep[filepath.Clean(t.relOutput)] = true
			}
		}

		fd, err := unix.Open(dir, unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.ENOENT) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("remove stale rendered files: %w", &os.PathError{Op: "open", Path: dir, Err: err}))
			continue
		}
		if err := removeStaleAt(os.NewFile(uintptr(fd), dir), "", keep); err != nil {
			errs = append(errs, fmt.Errorf("remove stale rendered files: %w", err))
		}
	}
	return errors.Join(errs...)
}

// removeStaleAt removes the regular files in the directory dir, whose path
// relative to the output directory is rel, that keep does not list, and
// descends into its subdirectories. It closes dir.
func removeStaleAt(dir *os.File, rel string, keep map[string]bool) error {
	defer dir.Close()
	entries, err := dir.ReadDir(-1)
	if err != nil {
		return err
	}

	var errs []error
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir.Name(), name)
		var st unix.Stat_t
		if err := unix.Fstatat(int(dir.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			errs = append(errs, &os.PathError{Op: "fstatat", Path: path, Err: err})
			continue
		}

		switch st.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			if keep[filepath.Join(rel, name)] {
				continue
			}
			if err := unix.Unlinkat(int(dir.Fd()), name, 0); err != nil && !errors.Is(err, unix.ENOENT) {
				errs = append(errs, &os.PathError{Op: "unlinkat", Path: path, Err: err})
			}
		case unix.S_IFDIR:
			fd, err := unix.Openat(int(dir.Fd()), name, unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				errs = append(errs, &os.PathError{Op: "openat", Path: path, Err: err})
				continue
			}
			if err := removeStaleAt(os.NewFile(uintptr(fd), path), filepath.Join(rel, name), keep); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
