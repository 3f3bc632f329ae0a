package main

import "time"

// selfStopGrace is how long the demo waits, after a stop signal, for the
// container to stop by itself. Ctrl-C sends SIGINT to the terminal's whole
// foreground process group, `runc run` included, and runc forwards it to
// nginit, which drains nginx. A SIGTERM from the demo as well would be a
// second stop request, which makes nginit skip to nginx's fast shutdown.
const selfStopGrace = 2 * time.Second

// container is the part of containertest.Container that stopping uses, so
// that tests can pass a fake.
type container interface {
	Kill(sig string) error
	Done() <-chan struct{}
	Wait(timeout time.Duration) (int, error)
}

// stopContainer stops c after the demo received a stop signal and returns
// the container's exit status. It first waits up to grace for c to stop by
// itself, and sends SIGTERM with `runc kill` only when it has not. A failed
// kill is no failure when c exits within another grace, because runc
// reports a container that has just stopped as not existing or not running.
func stopContainer(c container, grace, timeout time.Duration) (int, error) {
	select {
	case <-c.Done():
		return c.Wait(timeout)
	case <-time.After(grace):
	}

	if err := c.Kill("TERM"); err != nil {
		select {
		case <-c.Done():
		case <-time.After(grace):
			return -1, err
		}
	}
	return c.Wait(timeout)
}
