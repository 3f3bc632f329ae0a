package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nginit/nginit/internal/command"
)

// reloadTestTimeout bounds `nginx -t`, which reads every included file and
// certificate but normally finishes in milliseconds.
const reloadTestTimeout = time.Minute

// maxTestOutput bounds the `nginx -t` output kept for printing. nginx prints
// a few lines: its warnings, then the first error or "test is successful".
const maxTestOutput = 1 << 20

// exitReloadRejected: the new configuration failed `nginx -t`, or no running
// nginit was found. nginx keeps its current configuration.
const exitReloadRejected = 1

// runReload implements `nginit reload`, run inside the container next to a
// running nginit. It tests the configuration with the same command line as
// the running nginx, plus -t, and only when the test passes sends SIGHUP to
// nginit, which forwards it to nginx's master. A failed test prints nginx's
// output and leaves nginx serving the configuration it has.
func runReload(args []string) int {
	log := &logger{out: os.Stderr}

	s, err := loadSettings()
	if err == nil {
		fs := s.flagSet("nginit reload")
		err = parseFlags(fs, args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "Usage: nginit reload [--runtime-dir DIR]\n\nTest nginx's configuration with the running nginx's arguments, then reload it.\n"+
				"--runtime-dir (NGINIT_RUNTIME_DIR) must name the running nginit's runtime directory.\n")
			return 0
		}
		if err == nil && fs.NArg() > 0 {
			err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
		}
	}
	if err != nil {
		log.Errorf("reload: %v; see nginit reload --help", err)
		return exitUsage
	}

	rec, err := readCommandRecord(s.RuntimeDir)
	if errors.Is(err, fs.ErrNotExist) {
		log.Errorf("reload: no running nginit found: %v; run nginit reload inside the container, with the NGINIT_RUNTIME_DIR of the running nginit", err)
		return exitReloadRejected
	}
	if err != nil {
		log.Errorf("reload: %v", err)
		return exitReloadRejected
	}
	if ns, err := pidNamespace(); err != nil || ns != rec.PIDNamespace {
		log.Errorf("reload: nginit (pid %d) runs in another pid namespace than this process; run nginit reload inside its container, with docker exec or kubectl exec", rec.PID)
		return exitReloadRejected
	}
	// The pidfd pins the process, so once its start time matches, the
	// signal below reaches the recorded nginit even if it exits meanwhile
	// and its pid is reused during the configuration test.
	pidfd, err := unix.PidfdOpen(rec.PID, 0)
	if err != nil {
		log.Errorf("reload: nginit (pid %d) that wrote %s is no longer running", rec.PID, filepath.Join(s.RuntimeDir, commandRecordName))
		return exitReloadRejected
	}
	defer unix.Close(pidfd)
	if start, err := processStartTime(rec.PID); err != nil || start != rec.StartTime {
		log.Errorf("reload: nginit (pid %d) that wrote %s is no longer running", rec.PID, filepath.Join(s.RuntimeDir, commandRecordName))
		return exitReloadRejected
	}
	if !strings.HasPrefix(filepath.Base(rec.Argv[0]), "nginx") {
		log.Errorf("reload: the running command %q is not nginx; reload tests the configuration with nginx -t", rec.Argv[0])
		return exitReloadRejected
	}

	if output, err := testConfiguration(rec.Argv); err != nil {
		os.Stderr.Write(output)
		log.Errorf("reload: %v; nginx keeps serving its current configuration", err)
		return exitReloadRejected
	}

	if err := unix.PidfdSendSignal(pidfd, unix.SIGHUP, nil, 0); err != nil {
		log.Errorf("reload: send SIGHUP to nginit (pid %d): %v", rec.PID, err)
		return exitReloadRejected
	}
	// NOTE: the reload itself is asynchronous. nginx can still reject the new
	// configuration after the test passed (a port already in use, for one),
	// and then logs the error and keeps the old configuration.
	log.Infof("reload: configuration test passed; sent SIGHUP to nginit (pid %d), which forwards it to nginx", rec.PID)
	return 0
}

// testConfiguration runs argv with -t added and returns nginx's output.
// nginx accepts -t together with -g, -c, -p and -e, so the test reads the
// configuration exactly as the running nginx does.
func testConfiguration(argv []string) ([]byte, error) {
	path, err := command.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("configuration test %s -t failed: find %s: %w", argv[0], argv[0], err)
	}

	testArgv := append(append([]string{}, argv...), "-t")
	output, err := command.CombinedOutput(path, testArgv, reloadTestTimeout, maxTestOutput)
	if err != nil {
		return output, fmt.Errorf("configuration test %s -t failed: %w", argv[0], err)
	}
	return output, nil
}
