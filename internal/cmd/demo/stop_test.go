package main

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeContainer plays a container that stops by itself after selfStop, or
// when it receives a kill, unless killErr is set.
type fakeContainer struct {
	mu      sync.Mutex
	kills   []string
	killErr error
	status  int
	done    chan struct{}
	once    sync.Once
}

func newFakeContainer(selfStop time.Duration, killErr error, status int) *fakeContainer {
	c := &fakeContainer{killErr: killErr, status: status, done: make(chan struct{})}
	if selfStop >= 0 {
		time.AfterFunc(selfStop, c.exit)
	}
	return c
}

func (c *fakeContainer) exit() { c.once.Do(func() { close(c.done) }) }

func (c *fakeContainer) Kill(sig string) error {
	c.mu.Lock()
	c.kills = append(c.kills, sig)
	c.mu.Unlock()
	if c.killErr != nil {
		return c.killErr
	}
	c.exit()
	return nil
}

func (c *fakeContainer) Done() <-chan struct{} { return c.done }

func (c *fakeContainer) Wait(timeout time.Duration) (int, error) {
	select {
	case <-c.done:
		return c.status, nil
	case <-time.After(timeout):
		return -1, errors.New("still running")
	}
}

func (c *fakeContainer) sentKills() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.kills...)
}

func TestStopContainer(t *testing.T) {
	const grace, timeout = 100 * time.Millisecond, time.Second
	gone := errors.New(`runc kill: exit status 1: container "demo" does not exist`)
	never := time.Duration(-1)

	tests := []struct {
		name       string
		selfStop   time.Duration // when the container stops by itself, or never
		killErr    error
		status     int
		wantStatus int
		wantErr    bool
		wantKills  int
	}{
		{name: "stops by itself", selfStop: 10 * time.Millisecond, killErr: gone, wantKills: 0},
		{name: "needs SIGTERM", selfStop: never, wantKills: 1},
		{name: "stops while killed", selfStop: grace + 20*time.Millisecond, killErr: gone, wantKills: 1},
		{name: "kill fails and runs on", selfStop: never, killErr: gone, wantStatus: -1, wantErr: true, wantKills: 1},
		{name: "status passed on", selfStop: 10 * time.Millisecond, status: 137, wantStatus: 137},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFakeContainer(tt.selfStop, tt.killErr, tt.status)
			t.Cleanup(c.exit)

			status, err := stopContainer(c, grace, timeout)
			if (err != nil) != tt.wantErr {
				t.Errorf("stopContainer error = %v, want error %t", err, tt.wantErr)
			}
			if status != tt.wantStatus {
				t.Errorf("stopContainer status = %d, want %d", status, tt.wantStatus)
			}
			kills := c.sentKills()
			if len(kills) != tt.wantKills {
				t.Errorf("runc kill sent %q, want %d kills", kills, tt.wantKills)
			}
			for _, sig := range kills {
				if sig != "TERM" {
					t.Errorf("runc kill sent %s, want TERM", sig)
				}
			}
		})
	}
}

func TestGitVersionFallback(t *testing.T) {
	// A directory outside any repository makes git describe fail.
	if got := gitVersion(t.TempDir()); got != "dev" {
		t.Errorf("gitVersion(outside a repository) = %q, want dev", got)
	}
}
