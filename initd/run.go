package initd

import (
	"errors"
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Defaults that Run applies to zero fields of Config.
const (
	DefaultStopSignal  = syscall.SIGQUIT // nginx's graceful shutdown
	DefaultStopTimeout = 30 * time.Second
	DefaultKillGrace   = 5 * time.Second
)

// groupPollInterval is how often Run checks whether a process group is empty.
// Members that are not nginit's children send no SIGCHLD, so a poll is needed.
const groupPollInterval = 20 * time.Millisecond

// Config sets how Run supervises the child. cmd/nginit fills it from the
// environment variables named below.
type Config struct {
	// StopDelay (NGINIT_STOP_DELAY, default 0) keeps nginx serving this long
	// after a stop request, while a load balancer stops sending it traffic.
	StopDelay time.Duration

	// StopSignal (NGINIT_STOP_SIGNAL, zero means DefaultStopSignal, SIGQUIT) is
	// sent to start the shutdown. nginx drains its connections on SIGQUIT and
	// cuts them on SIGTERM.
	StopSignal syscall.Signal

	// StopTimeout (NGINIT_STOP_TIMEOUT, zero means DefaultStopTimeout, 30s) is
	// how long the child has after StopSignal before it gets SIGTERM.
	StopTimeout time.Duration

	// KillGrace (NGINIT_KILL_GRACE, zero means DefaultKillGrace, 5s) is how long
	// the child has after SIGTERM before its process group gets SIGKILL. It is
	// also how long what remains of the group has between SIGTERM and SIGKILL
	// after the main child has exited.
	KillGrace time.Duration

	// SignalGroup (NGINIT_SIGNAL_GROUP) sends forwarded signals and the stop
	// signals to the child's whole process group instead of the child alone.
	SignalGroup bool

	// Logf logs a lifecycle event. The caller adds the prefix, and nil
	// discards the events.
	Logf func(format string, args ...any)

	// Debugf logs details such as each reaped orphan, and nil discards them.
	Debugf func(format string, args ...any)
}

func (cfg Config) withDefaults() Config {
	if cfg.StopSignal == 0 {
		cfg.StopSignal = DefaultStopSignal
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = DefaultStopTimeout
	}
	if cfg.KillGrace <= 0 {
		cfg.KillGrace = DefaultKillGrace
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Debugf == nil {
		cfg.Debugf = func(string, ...any) {}
	}
	return cfg
}

// supervisor is the state of one Run. Only Run's goroutine touches it.
type supervisor struct {
	cfg    Config
	sigs   *Signals
	child  child
	start  time.Time
	reaped int // orphans collected

	exited bool // the main child has been reaped
	status int
	ws     unix.WaitStatus

	stop stopSequence
}

func (s *supervisor) logf(format string, args ...any)   { s.cfg.Logf(format, args...) }
func (s *supervisor) debugf(format string, args ...any) { s.cfg.Debugf(format, args...) }

// Run starts argv with the environment env in its own process group, forwards
// signals to it, runs the stop sequence on a stop request and reaps every
// child. It returns once the main child has exited and what remained of its
// process group is gone. The status it returns is the one to exit with: the
// child's exit code, or 128 plus the number of the signal that killed it.
//
// argv[0] is looked up in PATH like execvp. When nginit is not PID 1, Run
// makes it a child subreaper, so that orphans are reparented to it and reaped.
// The child starts with no_new_privs unless its executable has file
// capabilities, which no_new_privs would keep the kernel from granting; Run
// then logs a line that names the reason.
//
// When a stop request is pending (see Signals.Pending), Run returns 0 without
// starting the child. When the child cannot start, Run returns an error that
// names the path, with status 127 when it wraps ErrNotFound, 126 when it wraps
// ErrNotExecutable, and 1 otherwise.
func Run(sigs *Signals, argv, env []string, cfg Config) (int, error) {
	cfg = cfg.withDefaults()
	if len(argv) == 0 {
		return exitNotFound, fmt.Errorf("start: %w: no command given", ErrNotFound)
	}

	s := &supervisor{cfg: cfg, sigs: sigs}
	if stopped := s.handleEarlySignals(); stopped {
		return 0, nil
	}

	s.becomeSubreaper()

	done := make(chan struct{})
	defer close(done)
	c, err := startChild(argv, env, done)
	if err != nil {
		switch {
		case errors.Is(err, ErrNotFound):
			return exitNotFound, err
		case errors.Is(err, ErrNotExecutable):
			return exitNotExecutable, err
		}
		return 1, err
	}
	s.child = c
	s.start = time.Now()

	// Ignored only now, so that the child starts with their default actions.
	signal.Ignore(syscall.SIGTTIN, syscall.SIGTTOU)

	s.logf("started %s as pid %d", argv[0], c.pid)
	s.logPrivileges(c.path, c.privileges)
	if c.foreground {
		s.debugf("process group %d is the terminal's foreground group", c.pid)
	}

	s.supervise()
	s.cleanUpGroup()
	s.reap()

	if c.foreground {
		if err := restoreForeground(); err != nil {
			s.debugf("restore the terminal's foreground group: %v", err)
		}
	}
	return s.status, nil
}

// handleEarlySignals acts on the signals that arrived before the child
// started. It reports whether a stop request was among them. Other signals
// are dropped, because the child reads its configuration fresh when it starts.
func (s *supervisor) handleEarlySignals() bool {
	stopped := s.sigs.Pending()
	for _, sig := range s.sigs.early {
		switch {
		case isStopRequest(sig):
			s.logf("%s before the child started: exiting without starting it", SignalName(sig))
		case sig != syscall.SIGPIPE:
			s.debugf("%s before the child started: dropped", SignalName(sig))
		}
	}
	s.sigs.early = nil
	return stopped
}

func (s *supervisor) becomeSubreaper() {
	if unix.Getpid() == 1 {
		return
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		s.logf("not PID 1 and prctl PR_SET_CHILD_SUBREAPER failed: orphans will not be reaped by nginit: %v", err)
		return
	}
	s.debugf("not PID 1: became a child subreaper")
}

// supervise forwards signals and runs the stop sequence until the main child
// has been reaped.
func (s *supervisor) supervise() {
	for !s.exited {
		select {
		case <-s.sigs.chld:
			s.reap()
		case sig := <-s.sigs.ch:
			s.handleSignal(sig.(syscall.Signal))
		case <-s.stop.timerC():
			s.stop.timer = nil
			s.stopTimedOut()
		}
	}
	s.stop.cancelTimer()
}

func (s *supervisor) handleSignal(sig syscall.Signal) {
	switch {
	case isStopRequest(sig):
		s.requestStop(sig)
	case isForwarded(sig):
		s.forward(sig, s.cfg.SignalGroup)
	case sig == syscall.SIGPIPE:
		// Never logged: the log line could raise another SIGPIPE.
	default:
		s.debugf("%s received: not forwarded", SignalName(sig))
	}
}

// forward sends sig to the main child, or to its process group.
func (s *supervisor) forward(sig syscall.Signal, group bool) {
	target, kind := s.child.pid, "pid"
	if group {
		target, kind = -s.child.pid, "process group"
	}
	if err := unix.Kill(target, sig); err != nil {
		s.logf("forward %s to %s %d: %v", SignalName(sig), kind, s.child.pid, err)
		return
	}
	s.logf("forwarded %s to %s %d", SignalName(sig), kind, s.child.pid)
}

func (s *supervisor) mainExited(ws unix.WaitStatus) {
	s.exited = true
	s.ws = ws
	s.status = exitStatus(ws)
	s.logf("pid %d %s after %s", s.child.pid, describeWaitStatus(ws), elapsed(s.start))
}

// cleanUpGroup ends what remains of the main child's process group after the
// main child has exited: SIGTERM, up to KillGrace, then SIGKILL, reaping as
// the members exit. A stop request during the wait skips to SIGKILL.
func (s *supervisor) cleanUpGroup() {
	pgid := s.child.pid
	if !groupExists(pgid) {
		return
	}

	if s.ws.Signaled() {
		s.logf("pid %d was killed by %s while processes of its group survive: "+
			"killing them and exiting with status %d so that the container is restarted",
			pgid, SignalName(syscall.Signal(s.ws.Signal())), s.status)
	}
	s.logf("sending SIGTERM to what remains of process group %d", pgid)
	if err := unix.Kill(-pgid, syscall.SIGTERM); err != nil && err != unix.ESRCH {
		s.logf("kill process group %d: %v", pgid, err)
	}
	if s.waitGroupGone(pgid, s.cfg.KillGrace) {
		return
	}

	s.logf("process group %d still has processes after %s: sending SIGKILL", pgid, s.cfg.KillGrace)
	if err := unix.Kill(-pgid, syscall.SIGKILL); err != nil && err != unix.ESRCH {
		s.logf("kill process group %d: %v", pgid, err)
	}
	if !s.waitGroupGone(pgid, s.cfg.KillGrace) {
		// NOTE: a process in uninterruptible sleep survives SIGKILL until its
		// system call returns. nginit does not wait longer for it.
		s.logf("process group %d still has processes %s after SIGKILL: exiting anyway", pgid, s.cfg.KillGrace)
	}
}

// waitGroupGone reaps children until process group pgid is empty or timeout
// has passed, and reports whether it is empty. A stop request ends the wait.
func (s *supervisor) waitGroupGone(pgid int, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	poll := time.NewTicker(groupPollInterval)
	defer poll.Stop()

	for {
		s.reap()
		if !groupExists(pgid) {
			return true
		}
		select {
		case <-s.sigs.chld:
		case <-poll.C:
		case <-deadline.C:
			return false
		case received := <-s.sigs.ch:
			sig := received.(syscall.Signal)
			if isStopRequest(sig) {
				s.logf("%s while waiting for process group %d: skipping ahead", SignalName(sig), pgid)
				return false
			}
			if sig != syscall.SIGPIPE {
				s.debugf("%s after pid %d exited: dropped", SignalName(sig), pgid)
			}
		}
	}
}

// groupExists reports whether process group pgid has a member. A zombie
// counts until it is reaped.
func groupExists(pgid int) bool {
	return unix.Kill(-pgid, 0) != unix.ESRCH
}

func elapsed(since time.Time) time.Duration {
	return time.Since(since).Round(time.Millisecond)
}
