package containertest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// freePort returns a TCP port on 127.0.0.1 that was free when it was
// checked. Another process can take it before nginx binds it; the port
// range is large enough that parallel tests do not collide in practice.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port on 127.0.0.1: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Addr returns the host address nginx listens on: 127.0.0.1:Port.
func (c *Container) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port))
}

// URL returns the http URL of path on the container's port.
func (c *Container) URL(path string) string {
	return "http://" + c.Addr() + path
}

// WaitHTTP waits until the container accepts TCP connections on its port,
// for at most timeout. It fails early when the container exits first.
func (c *Container) WaitHTTP(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", c.Addr(), 200*time.Millisecond)
		if err == nil {
			conn.Close()
			return nil
		}
		if c.Exited() {
			status, err := c.Wait(time.Second)
			if err != nil {
				return fmt.Errorf("wait for %s: container exited before listening: %w", c.Addr(), err)
			}
			return fmt.Errorf("wait for %s: container exited with status %d before listening", c.Addr(), status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wait for %s: not listening after %v: %w", c.Addr(), timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Get requests path from the container and returns the status code and the
// body. Keep-alive is off, so no idle connection delays nginx's shutdown.
func (c *Container) Get(path string) (int, []byte, error) {
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	}
	resp, err := client.Get(c.URL(path))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("read body of %s: %w", c.URL(path), err)
	}
	return resp.StatusCode, body, nil
}
