// Command walk runs fsprep.WalkRoot once on a directory, the static-root walk
// that nginit's preflight does, and prints what it counted. The benchmark
// times it against GNU find on the same tree.
//
//	walk [-verify] [-workers N] ROOT
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/nginit/nginit/fsprep"
)

func main() {
	verify := flag.Bool("verify", false, "confirm every readable file with faccessat, as WalkOptions.VerifyFiles does")
	workers := flag.Int("workers", 0, "directories read in parallel; 0 is fsprep's default")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: walk [-verify] [-workers N] ROOT")
		os.Exit(2)
	}

	report, err := fsprep.WalkRoot(flag.Arg(0), fsprep.WalkOptions{VerifyFiles: *verify, Workers: *workers, Index: []string{}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "walk:", err)
		os.Exit(1)
	}
	fmt.Printf("files %d dirs %d others %d findings %d truncated %t\n",
		report.Files, report.Dirs, report.Others, len(report.Findings), report.Truncated)
}
