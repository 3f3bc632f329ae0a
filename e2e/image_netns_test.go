package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// netnsClient returns an HTTP client whose connections are made inside the
// network namespace of the process pid, so that the test reaches a
// container started with --network none on that container's own 127.0.0.1
// and publishes no port on the host. Keep-alive is off, so no idle
// connection delays nginx's graceful shutdown.
func netnsClient(pid int) *http.Client {
	path := fmt.Sprintf("/proc/%d/ns/net", pid)
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return dialInNetns(ctx, path, network, addr)
			},
		},
	}
}

// dialInNetns creates the socket on a thread that has joined the network
// namespace at nsPath, then moves the thread back. A socket stays in the
// namespace it was created in, whichever thread uses it later.
func dialInNetns(ctx context.Context, nsPath, network, addr string) (net.Conn, error) {
	target, err := os.Open(nsPath)
	if err != nil {
		return nil, err
	}
	defer target.Close()
	self, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
	if err != nil {
		return nil, err
	}
	defer self.Close()

	runtime.LockOSThread()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return nil, &os.PathError{Op: "setns", Path: nsPath, Err: err}
	}
	var d net.Dialer
	conn, dialErr := d.DialContext(ctx, network, addr)
	// A thread that cannot return to its namespace stays locked, so the Go
	// runtime ends it with the goroutine instead of reusing it.
	if err := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); err != nil {
		if conn != nil {
			conn.Close()
		}
		return nil, &os.PathError{Op: "setns", Path: self.Name(), Err: err}
	}
	runtime.UnlockOSThread()
	return conn, dialErr
}
