package initd

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// stopStep is the current step of the stop sequence. Each step moves to the
// next when its timeout passes or when another stop request arrives.
type stopStep int

const (
	notStopping stopStep = iota
	delaying             // StopDelay: nginx keeps serving
	draining             // StopSignal sent, up to StopTimeout
	terminating          // SIGTERM sent, up to KillGrace
	killing              // SIGKILL sent to the process group
)

type stopSequence struct {
	step    stopStep
	started time.Time
	timer   *time.Timer
}

// timerC returns the channel of the running step's timer, or nil, which a
// select never receives from.
func (q *stopSequence) timerC() <-chan time.Time {
	if q.timer == nil {
		return nil
	}
	return q.timer.C
}

func (q *stopSequence) cancelTimer() {
	if q.timer != nil {
		q.timer.Stop()
		q.timer = nil
	}
}

// requestStop starts the stop sequence, or skips to its next step when it is
// already running.
func (s *supervisor) requestStop(sig syscall.Signal) {
	if s.stop.step == notStopping {
		s.stop.started = time.Now()
		s.logf("stop requested by %s", SignalName(sig))
	} else {
		s.logf("stop requested again by %s after %s: skipping to the next step", SignalName(sig), elapsed(s.stop.started))
	}
	s.advanceStop()
}

// stopTimedOut moves on when the running step's time is up.
func (s *supervisor) stopTimedOut() {
	s.logf("pid %d still running %s after the stop request", s.child.pid, elapsed(s.stop.started))
	s.advanceStop()
}

func (s *supervisor) advanceStop() {
	s.stop.cancelTimer()

	switch s.stop.step {
	case notStopping:
		if s.cfg.StopDelay > 0 {
			s.stop.step = delaying
			s.logf("stop: the child keeps serving for %s", s.cfg.StopDelay)
			s.stop.timer = time.NewTimer(s.cfg.StopDelay)
			return
		}
		s.drain()
	case delaying:
		s.drain()
	case draining:
		s.stop.step = terminating
		s.sendStop(syscall.SIGTERM)
		s.logf("stop: SIGTERM sent after %s, SIGKILL to the process group in %s", elapsed(s.stop.started), s.cfg.KillGrace)
		s.stop.timer = time.NewTimer(s.cfg.KillGrace)
	case terminating:
		s.stop.step = killing
		if err := unix.Kill(-s.child.pid, syscall.SIGKILL); err != nil {
			s.logf("stop: kill process group %d: %v", s.child.pid, err)
		}
		s.logf("stop: SIGKILL sent to process group %d after %s", s.child.pid, elapsed(s.stop.started))
	case killing:
		s.logf("stop: SIGKILL already sent to process group %d", s.child.pid)
	}
}

// drain sends StopSignal, the graceful shutdown.
func (s *supervisor) drain() {
	s.stop.step = draining
	s.sendStop(s.cfg.StopSignal)
	s.logf("stop: %s sent after %s, SIGTERM in %s", SignalName(s.cfg.StopSignal), elapsed(s.stop.started), s.cfg.StopTimeout)
	s.stop.timer = time.NewTimer(s.cfg.StopTimeout)
}

// sendStop sends sig, then SIGCONT, to the child or its process group. A
// child stopped by a forwarded SIGTSTP would keep sig pending until SIGKILL,
// so SIGCONT resumes it to handle sig. nginx 1.22 sets no handler for
// SIGCONT, so a running nginx is not affected by it.
func (s *supervisor) sendStop(sig syscall.Signal) {
	target := s.child.pid
	if s.cfg.SignalGroup {
		target = -target
	}
	for _, sig := range []syscall.Signal{sig, syscall.SIGCONT} {
		if err := unix.Kill(target, sig); err != nil {
			s.logf("stop: send %s to %d: %v", SignalName(sig), target, err)
		}
	}
}
