package fsprep

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchTreeEnv names a directory that BenchmarkWalkRoot100k fills once and
// keeps, so that the same tree can be measured against find with hyperfine.
const benchTreeEnv = "FSPREP_BENCH_TREE"

// buildBenchTree creates 100,000 small files under root: 10 top directories
// with 10 subdirectories each, with 1,000 files in each of the 100 leaves,
// plus an index.html. It does nothing when root already has index.html.
func buildBenchTree(b *testing.B, root string) {
	b.Helper()
	if _, err := os.Stat(filepath.Join(root, "index.html")); err == nil {
		return
	}
	content := []byte("body { color: black }\n")
	for i := range 10 {
		for j := range 10 {
			dir := filepath.Join(root, fmt.Sprintf("d%d", i), fmt.Sprintf("e%d", j))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			for k := range 1000 {
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d.css", k)), content, 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	if err := os.WriteFile(filepath.Join(root, "index.html"), content, 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkWalkRoot100k measures WalkRoot on 100,000 files.
//
// NOTE: GNU find with an empty -printf format reads only directory entries
// and their d_type and never stats a file, while WalkRoot must stat every
// entry to read its owner and mode. Its cost is therefore comparable to
// "find -printf %m%U%G", which stats too, and stays above the empty format.
func BenchmarkWalkRoot100k(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a tree of 100,000 files")
	}
	root := os.Getenv(benchTreeEnv)
	if root == "" {
		dir, err := os.MkdirTemp("", "fsprep-bench-")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		root = dir
	} else if err := os.MkdirAll(root, 0o755); err != nil {
		b.Fatal(err)
	}
	buildBenchTree(b, root)

	b.ResetTimer()
	for b.Loop() {
		rep, err := WalkRoot(root, WalkOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Files != 100_001 {
			b.Fatalf("WalkRoot counted %d files, want 100001", rep.Files)
		}
	}
}
