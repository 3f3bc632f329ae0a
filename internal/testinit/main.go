// Command testinit is a stand-in for cmd/nginit in initd's black-box tests:
// it calls initd.Notify, then initd.Run with a Config read from the
// environment, and exits with the status Run returns. It runs no identity
// check, so the tests can run as root.
//
// Environment: NGINIT_STOP_DELAY, NGINIT_STOP_TIMEOUT, NGINIT_KILL_GRACE
// (Go durations), NGINIT_STOP_SIGNAL (a signal name or number),
// NGINIT_SIGNAL_GROUP and NGINIT_DEBUG (1 to enable). TESTINIT_RAISE, a
// signal number, is sent to testinit itself right after Notify, as a stop
// request arriving during start-up would be.
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/nginit/nginit/initd"
)

func main() {
	os.Exit(run())
}

func run() int {
	sigs := initd.Notify()
	if v := os.Getenv("TESTINIT_RAISE"); v != "" {
		n, _ := strconv.Atoi(v)
		syscall.Kill(os.Getpid(), syscall.Signal(n))
	}

	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "nginit: "+format+"\n", args...)
	}
	cfg := initd.Config{Logf: logf, SignalGroup: os.Getenv("NGINIT_SIGNAL_GROUP") == "1"}
	if os.Getenv("NGINIT_DEBUG") == "1" {
		cfg.Debugf = logf
	}

	var err error
	for name, dst := range map[string]*time.Duration{
		"NGINIT_STOP_DELAY":   &cfg.StopDelay,
		"NGINIT_STOP_TIMEOUT": &cfg.StopTimeout,
		"NGINIT_KILL_GRACE":   &cfg.KillGrace,
	} {
		if v := os.Getenv(name); v != "" {
			if *dst, err = time.ParseDuration(v); err != nil {
				logf("invalid %s %q: %v", name, v, err)
				return 2
			}
		}
	}
	if v := os.Getenv("NGINIT_STOP_SIGNAL"); v != "" {
		if cfg.StopSignal, err = initd.ParseSignal(v); err != nil {
			logf("invalid NGINIT_STOP_SIGNAL: %v", err)
			return 2
		}
	}

	if cfg.Debugf != nil {
		id, err := initd.ReadIdentity()
		if err != nil {
			logf("read identity: %v", err)
		}
		logf("identity: pid %d, PID 1 %t, subreaper %t, no_new_privs %t", id.PID, id.IsPID1, id.IsSubreaper, id.NoNewPrivs)
	}

	status, err := initd.Run(sigs, os.Args[1:], os.Environ(), cfg)
	if err != nil {
		logf("%v", err)
	}
	return status
}
