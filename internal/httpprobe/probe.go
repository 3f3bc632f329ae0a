package httpprobe

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// maxStatusLine bounds how much of the response is read to find the status
// line.
const maxStatusLine = 4096

// ErrTimeout is returned when the request did not complete before the
// deadline.
var ErrTimeout = errors.New("timed out")

// Target is a parsed probe URL.
type Target struct {
	Addr netip.AddrPort
	// Host is the Host header: the URL's host as written.
	Host string
	// Path is the request target, "/" when the URL has none.
	Path string
}

// ParseURL parses an http:// URL whose host is an IP address or "localhost"
// (127.0.0.1). Names that need DNS are rejected because a health check inside
// the container should not depend on a resolver.
func ParseURL(raw string) (Target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("parse url %q: %w", raw, err)
	}
	if u.Scheme != "http" {
		return Target{}, fmt.Errorf("parse url %q: scheme %q is not supported; use http://", raw, u.Scheme)
	}
	if u.User != nil {
		return Target{}, fmt.Errorf("parse url %q: user information is not supported", raw)
	}

	hostname := u.Hostname()
	if hostname == "localhost" {
		hostname = "127.0.0.1"
	}
	ip, err := netip.ParseAddr(hostname)
	if err != nil || ip.Zone() != "" {
		return Target{}, fmt.Errorf("parse url %q: host %q is not an IP address; use 127.0.0.1, [::1] or another address", raw, u.Hostname())
	}

	port := 80
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return Target{}, fmt.Errorf("parse url %q: invalid port %q", raw, p)
		}
	}

	path := u.RequestURI()
	if path == "" {
		path = "/"
	}
	return Target{Addr: netip.AddrPortFrom(ip.Unmap(), uint16(port)), Host: u.Host, Path: path}, nil
}

// Get sends GET t.Path to t.Addr and returns the response's status code. The
// whole exchange, connect included, must finish within timeout.
func Get(t Target, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)

	fd, err := dial(t.Addr, deadline)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)

	request := "GET " + t.Path + " HTTP/1.0\r\nHost: " + t.Host + "\r\nUser-Agent: nginit-health\r\nConnection: close\r\n\r\n"
	if err := writeAll(fd, []byte(request), deadline); err != nil {
		return 0, err
	}

	line, err := readStatusLine(fd, deadline)
	if err != nil {
		return 0, err
	}
	return ParseStatusLine(line)
}

// ParseStatusLine returns the status code of an HTTP/1.x status line such as
// "HTTP/1.1 200 OK".
func ParseStatusLine(line []byte) (int, error) {
	proto, rest, _ := strings.Cut(string(line), " ")
	code, _, _ := strings.Cut(rest, " ")
	if !strings.HasPrefix(proto, "HTTP/1.") || len(code) != 3 {
		return 0, fmt.Errorf("parse status line %q: not an HTTP/1.x response", line)
	}
	status, err := strconv.Atoi(code)
	if err != nil || status < 100 {
		return 0, fmt.Errorf("parse status line %q: invalid status code", line)
	}
	return status, nil
}

// dial connects a non-blocking TCP socket to addr before deadline.
func dial(addr netip.AddrPort, deadline time.Time) (int, error) {
	family := unix.AF_INET6
	var sa unix.Sockaddr = &unix.SockaddrInet6{Port: int(addr.Port()), Addr: addr.Addr().As16()}
	if addr.Addr().Is4() {
		family = unix.AF_INET
		sa = &unix.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}
	}

	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}

	err = unix.Connect(fd, sa)
	if errors.Is(err, unix.EINPROGRESS) {
		if err = wait(fd, unix.POLLOUT, deadline); err == nil {
			var soErr int
			soErr, err = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
			if err == nil && soErr != 0 {
				err = unix.Errno(soErr)
			}
		}
	}
	if err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("connect %s: %w", addr, err)
	}
	return fd, nil
}

func writeAll(fd int, b []byte, deadline time.Time) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if errors.Is(err, unix.EAGAIN) {
			if err := wait(fd, unix.POLLOUT, deadline); err != nil {
				return fmt.Errorf("send request: %w", err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("send request: %w", err)
		}
		b = b[n:]
	}
	return nil
}

// readStatusLine reads until the first CRLF or LF and returns the line
// before it.
func readStatusLine(fd int, deadline time.Time) ([]byte, error) {
	buf := make([]byte, 0, 512)
	chunk := make([]byte, 512)
	for {
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			return bytes.TrimSuffix(buf[:i], []byte("\r")), nil
		}
		if len(buf) >= maxStatusLine {
			return nil, fmt.Errorf("read response: no status line in the first %d bytes", maxStatusLine)
		}

		n, err := unix.Read(fd, chunk)
		switch {
		case errors.Is(err, unix.EAGAIN):
			if err := wait(fd, unix.POLLIN, deadline); err != nil {
				return nil, fmt.Errorf("read response: %w", err)
			}
		case err != nil:
			return nil, fmt.Errorf("read response: %w", err)
		case n == 0:
			return nil, fmt.Errorf("read response: connection closed before the status line (%d bytes received)", len(buf))
		default:
			buf = append(buf, chunk[:n]...)
		}
	}
}

// wait polls fd for events until deadline. An error or hang-up counts as
// ready, so that the next call on fd returns the error itself.
func wait(fd int, events int16, deadline time.Time) error {
	for {
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return ErrTimeout
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: events}}
		n, err := unix.Poll(fds, int(remaining.Milliseconds())+1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return os.NewSyscallError("poll", err)
		}
		if n > 0 {
			return nil
		}
	}
}
