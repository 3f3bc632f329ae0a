package envsubst

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/nginit/nginit/internal/safefile"
)

// outputMode is the mode of rendered files before the umask: 0644, or 0640
// under nginit's default umask 0027. nginx reads them as the same user.
const outputMode = 0o644

// maxTemplateSize bounds what is read into memory for one template. nginx
// configuration files are kilobytes; a larger file is a mistake.
const maxTemplateSize = 16 << 20

// Rendered is one template and the file rendered from it.
type Rendered struct {
	Template string
	Output   string
	// Stream is true for a stream template, which belongs in nginx's stream
	// block instead of its http block.
	Stream bool
}

// Render renders every template under c.TemplateDir with the variables of
// environ that match c.Filter. It returns nothing when the template directory
// does not exist, which is the usual case. Subdirectories of the template
// directory are kept in the output. Names that start with ".." are skipped,
// because in a Kubernetes ConfigMap volume they are internal copies (..data
// and its timestamped target). The symlinks that point into them are followed.
//
// Before rendering, the files that no template renders to any more are
// removed from the default output directories inside c.RuntimeDir, even when
// no template is left. An output directory set elsewhere is only written to.
//
// Each output directory is created when missing, and each file is written
// atomically without following symlinks. Failures of single templates are
// collected and returned together with the templates that did render.
func Render(c Config, environ []string) ([]Rendered, error) {
	templates, err := findTemplates(c)
	if err != nil {
		return nil, err
	}
	if err := removeStale(c, templates); err != nil {
		return nil, err
	}
	if len(templates) == 0 {
		return nil, nil
	}

	vars := DefinedVars(environ, c.Filter)
	outputs := map[string]*os.File{}
	defer func() {
		for _, dir := range outputs {
			dir.Close()
		}
	}()

	var rendered []Rendered
	var errs []error
	for _, t := range templates {
		r, err := renderOne(t, vars, outputs)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rendered = append(rendered, r)
	}
	return rendered, errors.Join(errs...)
}

// template is a template file found under the template directory.
type template struct {
	path      string // path as found, under the template directory
	relOutput string // output path relative to the output directory
	outputDir string
	stream    bool
}

// findTemplates walks the template directory, following symlinks as the
// official image's `find -follow` does, and returns the templates in
// lexical order.
func findTemplates(c Config) ([]template, error) {
	st, err := os.Stat(c.TemplateDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read templates %s: %w", c.TemplateDir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("read templates %s: not a directory; set %s to the directory that contains the templates", c.TemplateDir, envTemplateDir)
	}

	var found []template
	visited := map[fileID]bool{}
	var walk func(dir, rel string, st os.FileInfo) error
	walk = func(dir, rel string, st os.FileInfo) error {
		// A symlink back to an ancestor would loop forever.
		id := idOf(st)
		if visited[id] {
			return nil
		}
		visited[id] = true

		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("read templates %s: %w", dir, err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "..") {
				continue
			}
			path := filepath.Join(dir, e.Name())
			entryRel := filepath.Join(rel, e.Name())
			st, err := os.Stat(path)
			if err != nil {
				return fmt.Errorf("read template %s: %w", path, err)
			}
			if st.IsDir() {
				if err := walk(path, entryRel, st); err != nil {
					return err
				}
				continue
			}
			if !st.Mode().IsRegular() {
				continue
			}
			if name, ok := strings.CutSuffix(entryRel, c.Suffix); ok && filepath.Base(name) != "" {
				found = append(found, template{path: path, relOutput: name, outputDir: c.OutputDir})
			}
			if name, ok := strings.CutSuffix(entryRel, c.StreamSuffix); ok && filepath.Base(name) != "" {
				found = append(found, template{path: path, relOutput: name, outputDir: c.StreamOutputDir, stream: true})
			}
		}
		return nil
	}
	if err := walk(c.TemplateDir, "", st); err != nil {
		return nil, err
	}

	sort.SliceStable(found, func(i, j int) bool { return found[i].path < found[j].path })
	return found, nil
}

// renderOne renders t into its output directory. outputs caches the open
// output directories and subdirectories by path.
func renderOne(t template, vars Vars, outputs map[string]*os.File) (Rendered, error) {
	src, err := readTemplate(t.path)
	if err != nil {
		return Rendered{}, err
	}

	outPath := filepath.Join(t.outputDir, t.relOutput)
	dir, err := openOutputDir(t.outputDir, filepath.Dir(t.relOutput), outputs)
	if err != nil {
		return Rendered{}, fmt.Errorf("render template %s: %w", t.path, err)
	}
	if err := safefile.WriteFileAt(dir, filepath.Base(t.relOutput), Expand(src, vars), outputMode); err != nil {
		return Rendered{}, fmt.Errorf("render template %s: %w", t.path, err)
	}
	return Rendered{Template: t.path, Output: outPath, Stream: t.stream}, nil
}

func readTemplate(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read template %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read template %s: %w", path, err)
	}
	if st.Size() > maxTemplateSize {
		return nil, fmt.Errorf("read template %s: %d bytes, more than the %d bytes a template may have", path, st.Size(), maxTemplateSize)
	}
	src, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read template %s: %w", path, err)
	}
	return src, nil
}

// openOutputDir opens root/rel, creating root's last element and each
// element of rel without following symlinks. rel comes from the template
// walk, so it has no ".." element.
func openOutputDir(root, rel string, outputs map[string]*os.File) (*os.File, error) {
	dir, ok := outputs[root]
	if !ok {
		var err error
		if dir, err = safefile.OpenDir(root); err != nil {
			return nil, err
		}
		outputs[root] = dir
	}
	if rel == "." {
		return dir, nil
	}

	path := root
	for _, name := range strings.Split(rel, string(filepath.Separator)) {
		path = filepath.Join(path, name)
		sub, ok := outputs[path]
		if !ok {
			var err error
			if sub, err = safefile.OpenDirAt(dir, name); err != nil {
				return nil, err
			}
			outputs[path] = sub
		}
		dir = sub
	}
	return dir, nil
}

// fileID identifies a directory across the symlinks that lead to it.
type fileID struct{ dev, ino uint64 }

func idOf(st os.FileInfo) fileID {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return fileID{dev: uint64(s.Dev), ino: s.Ino}
	}
	return fileID{}
}
