package envsubst

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// listTree returns the paths under root, relative to it, of every entry that
// is not a directory, in lexical order. Symlinks are listed and not followed.
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			paths = append(paths, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

func TestRenderRemovesStaleOutput(t *testing.T) {
	c := testConfig(t)
	writeTree(t, c.TemplateDir, map[string]string{
		"keep.conf.template":         "keep\n",
		"old.conf.template":          "old\n",
		"sites/old.conf.template":    "old\n",
		"tcp.conf.stream-template":   "tcp\n",
		"udp.conf.stream-template":   "udp\n",
		"sites/keep.conf.template":   "keep\n",
		"sites/deep/x.conf.template": "x\n",
	})
	if _, err := Render(c, nil); err != nil {
		t.Fatal(err)
	}
	// A temporary file left by a write that was interrupted.
	writeTree(t, c.OutputDir, map[string]string{".keep.conf.tmp123.1": "partial"})

	for _, name := range []string{"old.conf.template", "sites/old.conf.template", "udp.conf.stream-template", "sites/deep/x.conf.template"} {
		if err := os.Remove(filepath.Join(c.TemplateDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Render(c, nil); err != nil {
		t.Fatal(err)
	}

	if got, want := listTree(t, c.OutputDir), []string{"keep.conf", "sites/keep.conf"}; !slices.Equal(got, want) {
		t.Errorf("%s after the templates were removed = %q, want %q", c.OutputDir, got, want)
	}
	if got, want := listTree(t, c.StreamOutputDir), []string{"tcp.conf"}; !slices.Equal(got, want) {
		t.Errorf("%s after the templates were removed = %q, want %q", c.StreamOutputDir, got, want)
	}
}

func TestRenderRemovesStaleWithoutTemplates(t *testing.T) {
	// Removing the whole template directory leaves nothing to render, and
	// still removes what the templates rendered before.
	c := testConfig(t)
	writeTree(t, c.TemplateDir, map[string]string{"old.conf.template": "old\n"})
	if _, err := Render(c, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(c.TemplateDir); err != nil {
		t.Fatal(err)
	}

	rendered, err := Render(c, nil)
	if err != nil || rendered != nil {
		t.Fatalf("Render(no template dir) = %v, %v, want nothing and no error", rendered, err)
	}
	if got := listTree(t, c.OutputDir); len(got) != 0 {
		t.Errorf("%s = %q, want it empty", c.OutputDir, got)
	}
}

func TestRenderStaleSymlinksUntouched(t *testing.T) {
	// Symlinks in the output directory are neither followed nor removed: the
	// files they point to and the links themselves stay.
	c := testConfig(t)
	elsewhere := t.TempDir()
	writeTree(t, elsewhere, map[string]string{"target.conf": "x\n", "dir/inner.conf": "x\n"})
	writeTree(t, c.OutputDir, map[string]string{
		"file-link.conf": "->" + filepath.Join(elsewhere, "target.conf"),
		"dir-link":       "->" + filepath.Join(elsewhere, "dir"),
		"stale.conf":     "stale\n",
	})
	writeTree(t, c.TemplateDir, map[string]string{"a.conf.template": "a\n"})

	if _, err := Render(c, nil); err != nil {
		t.Fatal(err)
	}

	if got, want := listTree(t, c.OutputDir), []string{"a.conf", "dir-link", "file-link.conf"}; !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", c.OutputDir, got, want)
	}
	if got, want := listTree(t, elsewhere), []string{"dir/inner.conf", "target.conf"}; !slices.Equal(got, want) {
		t.Errorf("%s, reached only through symlinks = %q, want %q", elsewhere, got, want)
	}
}

func TestRenderKeepsUserOutputDir(t *testing.T) {
	// An output directory that the user chose is only written to, because
	// it may hold files that no template rendered.
	c := testConfig(t)
	c.OutputDir = t.TempDir()
	writeTree(t, c.OutputDir, map[string]string{"own.conf": "own\n", "a.conf": "old a\n"})
	writeTree(t, c.TemplateDir, map[string]string{"a.conf.template": "a\n"})

	if _, err := Render(c, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := listTree(t, c.OutputDir), []string{"a.conf", "own.conf"}; !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", c.OutputDir, got, want)
	}
	if got := readOutput(t, filepath.Join(c.OutputDir, "a.conf")); got != "a\n" {
		t.Errorf("a.conf = %q, want it overwritten with the rendered template", got)
	}
}

func TestRenderKeepsRuntimeDirItself(t *testing.T) {
	// The runtime directory holds the pid file and more, so it is not an
	// output directory that nginit owns even when the user renders into it.
	c := testConfig(t)
	c.OutputDir = c.RuntimeDir
	writeTree(t, c.RuntimeDir, map[string]string{"nginx.pid": "42\n"})
	writeTree(t, c.TemplateDir, map[string]string{"a.conf.template": "a\n"})

	if _, err := Render(c, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(c.RuntimeDir, "nginx.pid")); errors.Is(err, os.ErrNotExist) {
		t.Error("Render removed nginx.pid from the runtime directory")
	}
}

func TestOwnedOutputDirs(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		want []string
	}{
		{"defaults", Config{RuntimeDir: "/tmp/nginit", OutputDir: "/tmp/nginit/conf.d", StreamOutputDir: "/tmp/nginit/stream-conf.d"},
			[]string{"/tmp/nginit/conf.d", "/tmp/nginit/stream-conf.d"}},
		{"same directory twice", Config{RuntimeDir: "/tmp/nginit", OutputDir: "/tmp/nginit/conf.d/", StreamOutputDir: "/tmp/nginit/conf.d"},
			[]string{"/tmp/nginit/conf.d"}},
		{"user directories", Config{RuntimeDir: "/tmp/nginit", OutputDir: "/etc/nginx/conf.d", StreamOutputDir: "/tmp/nginit/other"}, nil},
		{"no runtime directory", Config{OutputDir: "/tmp/nginit/conf.d", StreamOutputDir: "/tmp/nginit/stream-conf.d"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ownedOutputDirs(tt.c); !slices.Equal(got, tt.want) {
				t.Errorf("ownedOutputDirs(%+v) = %q, want %q", tt.c, got, tt.want)
			}
		})
	}
}
