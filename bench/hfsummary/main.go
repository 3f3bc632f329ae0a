// Command hfsummary prints one line per command of a hyperfine JSON export:
// median, min and max in milliseconds, and the ratio of each median to the
// reference command's. The benchmark scripts use it in place of jq or python.
//
//	hfsummary [-ref NAME] [-check NAME -budget RATIO] FILE NAME...
//
// NAME labels the commands of FILE in order.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

type export struct {
	Results []struct {
		Command string  `json:"command"`
		Median  float64 `json:"median"`
		Min     float64 `json:"min"`
		Max     float64 `json:"max"`
	} `json:"results"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "hfsummary:", err)
		os.Exit(1)
	}
}

func run() error {
	ref := flag.String("ref", "", "label of the command that ratios are relative to; empty means the first")
	check := flag.String("check", "", "label of the command whose ratio is compared with -budget")
	budget := flag.Float64("budget", 0, "maximum ratio of -check to -ref")
	flag.Parse()
	if flag.NArg() < 1 {
		return fmt.Errorf("usage: hfsummary [-ref NAME] [-check NAME -budget RATIO] FILE NAME...")
	}

	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		return err
	}
	var e export
	if err := json.Unmarshal(data, &e); err != nil {
		return fmt.Errorf("parse %s: %w", flag.Arg(0), err)
	}
	names := flag.Args()[1:]
	if len(names) != len(e.Results) {
		return fmt.Errorf("%s has %d commands, got %d labels", flag.Arg(0), len(e.Results), len(names))
	}

	refName, refMedian := names[0], e.Results[0].Median
	for i, name := range names {
		if name == *ref {
			refName, refMedian = name, e.Results[i].Median
		}
	}

	for i, r := range e.Results {
		ratio := r.Median / refMedian
		verdict := ""
		if names[i] == *check && *budget > 0 {
			verdict = fmt.Sprintf("  within %.1fx budget", *budget)
			if ratio > *budget {
				verdict = fmt.Sprintf("  OVER %.1fx budget", *budget)
			}
		}
		fmt.Printf("%-14s median %8.3f ms  min %8.3f  max %8.3f  %5.2fx %s%s\n",
			names[i], r.Median*1e3, r.Min*1e3, r.Max*1e3, ratio, refName, verdict)
	}
	return nil
}
