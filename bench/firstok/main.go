// Command firstok measures the time from `runc run` to the first 200 from
// nginx serving the example site, in a read-only container as uid 101, with
// nginit as PID 1 and with nginx alone as PID 1. It uses the runc harness of
// the container tests and alternates the two, run by run.
//
//	firstok -nginit PATH [-runs 10] [-out DIR]
//
// It needs root, runc and nginx.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/nginit/nginit/internal/containertest"
)

const (
	pollInterval = time.Millisecond
	startTimeout = 10 * time.Second
	stopTimeout  = 30 * time.Second
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "firstok:", err)
		os.Exit(1)
	}
}

func run() error {
	nginit := flag.String("nginit", "", "path of the nginit binary")
	runs := flag.Int("runs", 10, "containers started per mode")
	out := flag.String("out", "", "directory for the samples in milliseconds, one file per mode")
	flag.Parse()
	if *nginit == "" {
		return fmt.Errorf("usage: firstok -nginit PATH [-runs N] [-out DIR]")
	}
	root, err := containertest.ModuleRoot()
	if err != nil {
		return err
	}

	samples := map[string][]float64{}
	modes := []string{"nginx", "nginit"}
	for i := 0; i < *runs; i++ {
		for _, mode := range modes {
			opts := containertest.Options{
				NginxConf: filepath.Join(root, "examples", "nginx.conf"),
				Site:      filepath.Join(root, "examples", "site"),
				Tmpfs:     []containertest.Tmpfs{containertest.ExampleTempTmpfs()},
			}
			if mode == "nginit" {
				opts.Nginit = *nginit
			}
			ms, err := timeFirstOK(mode, opts)
			if err != nil {
				return fmt.Errorf("%s run %d: %w", mode, i+1, err)
			}
			samples[mode] = append(samples[mode], ms)
		}
	}

	for _, mode := range modes {
		s := samples[mode]
		if *out != "" {
			f, err := os.Create(filepath.Join(*out, mode+".ms"))
			if err != nil {
				return err
			}
			for _, v := range s {
				fmt.Fprintf(f, "%.3f\n", v)
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
		slices.Sort(s)
		fmt.Printf("%-7s median %7.1f ms  min %7.1f  max %7.1f  (n=%d)  %.2fx nginx alone\n",
			mode, median(s), s[0], s[len(s)-1], len(s), median(s)/median(sorted(samples["nginx"])))
	}
	return nil
}

// timeFirstOK starts one container and returns the milliseconds from
// `runc run` to the first 200 for /.
func timeFirstOK(mode string, opts containertest.Options) (float64, error) {
	dir, err := os.MkdirTemp("", "nginit-firstok-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)

	c, err := containertest.Create(dir, "firstok-"+mode, opts)
	if err != nil {
		return 0, err
	}
	defer c.Destroy()

	client := &http.Client{
		Timeout:   time.Second,
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	}
	start := time.Now()
	if err := c.Start(); err != nil {
		return 0, err
	}
	var elapsed time.Duration
	for {
		resp, err := client.Get(c.URL("/"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				elapsed = time.Since(start)
				break
			}
		}
		if c.Exited() {
			return 0, fmt.Errorf("container exited before the first 200:\n%s", c.Output())
		}
		if time.Since(start) > startTimeout {
			return 0, fmt.Errorf("no 200 after %v:\n%s", startTimeout, c.Output())
		}
		time.Sleep(pollInterval)
	}

	if err := c.Kill("TERM"); err != nil {
		return 0, err
	}
	if _, err := c.Wait(stopTimeout); err != nil {
		return 0, err
	}
	return float64(elapsed.Microseconds()) / 1000, nil
}

func sorted(s []float64) []float64 {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// median returns the median of sorted samples.
func median(s []float64) float64 {
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
