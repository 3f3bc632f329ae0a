// Command demo serves the example site from a container with nginit as PID 1,
// the way the image runs it: uid 101, read-only root, no capabilities. It
// builds nginit with the version from `git describe --always --dirty`, as the
// Makefile does, assembles the root filesystem from the host's nginx and runs
// it with runc at http://127.0.0.1:8080 until SIGINT or SIGTERM. It exits 0
// when the container then stops with status 0.
//
//	make demo    (go build -o bin/demo ./internal/cmd/demo && ./bin/demo [-nginit PATH])
//
// It needs root, runc and nginx. As root, it installs runc and nginx with
// apt-get when they are missing. `make demo` builds the demo and runs the
// binary, because `go run` exits with status 1 after a Ctrl-C whatever the
// demo returns: cmd/go sets that status when it receives SIGINT (Go 1.26,
// cmd/go/internal/work/exec.go).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nginit/nginit/internal/containertest"
)

const (
	port         = 8080
	startTimeout = 10 * time.Second
	stopTimeout  = 30 * time.Second
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	prebuilt := flag.String("nginit", "", "path of a prebuilt nginit binary to run in place of building ./cmd/nginit")
	flag.Parse()

	if err := installPrerequisites(); err != nil {
		return err
	}

	root, err := containertest.ModuleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "nginit-demo-")
	if err != nil {
		return fmt.Errorf("create work directory: %w", err)
	}
	defer os.RemoveAll(dir)

	nginit := *prebuilt
	if nginit == "" {
		version := gitVersion(root)
		fmt.Printf("building nginit %s\n", version)
		if nginit, err = containertest.BuildNginitVersion(root, dir, version); err != nil {
			return err
		}
	}

	c, err := containertest.Create(dir, "demo", containertest.Options{
		NginxConf: filepath.Join(root, "examples", "nginx.conf"),
		Site:      filepath.Join(root, "examples", "site"),
		Nginit:    nginit,
		Tmpfs:     []containertest.Tmpfs{containertest.ExampleTempTmpfs()},
		Port:      port,
		Log:       os.Stderr,
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := c.Destroy(); err != nil {
			fmt.Fprintln(os.Stderr, "demo:", err)
		}
	}()

	// Subscribe before starting, so a Ctrl-C during start still stops the
	// container gracefully.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)

	if err := c.Start(); err != nil {
		return err
	}
	if err := c.WaitHTTP(startTimeout); err != nil {
		return err
	}
	fmt.Printf("serving the example site at %s (Ctrl-C to stop)\n", c.URL("/"))

	select {
	case sig := <-stop:
		status, err := stopContainer(c, selfStopGrace, stopTimeout)
		if err != nil {
			return err
		}
		if status != 0 {
			return fmt.Errorf("container %s exited with status %d after %v", c.ID, status, sig)
		}
		fmt.Printf("stopped by %v: the container exited with status 0\n", sig)
		return nil
	case <-c.Done():
	}

	status, err := c.Wait(stopTimeout)
	if err != nil {
		return err
	}
	if status != 0 {
		return fmt.Errorf("container %s exited with status %d", c.ID, status)
	}
	fmt.Println("the container exited with status 0")
	return nil
}

// gitVersion returns the version that the Makefile builds nginit with: the
// output of `git describe --always --dirty` in root, or "dev" when git or
// the repository is missing.
func gitVersion(root string) string {
	cmd := exec.Command("git", "describe", "--always", "--dirty")
	cmd.Dir = root
	out, err := cmd.Output()
	version := strings.TrimSpace(string(out))
	if err != nil || version == "" || strings.ContainsAny(version, " \t\n") {
		return "dev"
	}
	return version
}

// installPrerequisites installs runc and nginx with apt-get when they are
// missing and the demo runs as root. Otherwise it returns what to install.
func installPrerequisites() error {
	missing := containertest.CheckPrerequisites()
	if len(missing) == 0 {
		return nil
	}
	if os.Geteuid() != 0 {
		return prerequisiteError(missing)
	}

	fmt.Println("installing nginx and runc with apt-get")
	for _, args := range [][]string{
		{"apt-get", "update"},
		{"apt-get", "install", "-y", "nginx", "runc"},
	} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout = os.Stdout
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", strings.Join(args, " "), err)
		}
	}

	if missing := containertest.CheckPrerequisites(); len(missing) > 0 {
		return prerequisiteError(missing)
	}
	return nil
}

func prerequisiteError(missing []containertest.Prerequisite) error {
	errs := make([]error, len(missing))
	for i, p := range missing {
		errs[i] = errors.New(p.String())
	}
	return fmt.Errorf("missing prerequisites:\n%w", errors.Join(errs...))
}
