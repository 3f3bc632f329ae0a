package httpprobe

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestGetStatus(t *testing.T) {
	var gotPath, gotHost string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotHost = r.URL.RequestURI(), r.Host
		switch r.URL.Path {
		case "/down":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/missing":
			http.NotFound(w, r)
		default:
			w.Write([]byte("ok"))
		}
	}))
	defer srv.Close()

	tests := []struct {
		path string
		want int
	}{
		{"/", 200},
		{"/down", 503},
		{"/missing?x=1", 404},
	}
	for _, tt := range tests {
		target, err := ParseURL(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Get(target, 2*time.Second)
		if err != nil || got != tt.want {
			t.Errorf("Get(%s) = %d, %v, want %d", tt.path, got, err, tt.want)
		}
		if gotPath != tt.path {
			t.Errorf("server saw path %q, want %q", gotPath, tt.path)
		}
		if gotHost != srv.Listener.Addr().String() {
			t.Errorf("server saw Host %q, want %q", gotHost, srv.Listener.Addr())
		}
	}
}

func TestGetConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	target, err := ParseURL("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Get(target, 2*time.Second); !errors.Is(err, unix.ECONNREFUSED) {
		t.Errorf("Get(closed port) = %v, want ECONNREFUSED", err)
	}
}

func TestGetTimeout(t *testing.T) {
	// A server that accepts and never responds.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()

	target, err := ParseURL("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Get(target, 200*time.Millisecond)
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("Get(silent server) = %v, want ErrTimeout", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Get took %v with a 200ms timeout", elapsed)
	}
}

func TestGetClosedBeforeStatus(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write([]byte("HTTP/1.1 2"))
			c.Close()
		}
	}()

	target, _ := ParseURL("http://" + ln.Addr().String() + "/")
	if _, err := Get(target, 2*time.Second); err == nil {
		t.Error("Get(truncated response) succeeded, want an error")
	}
}

func TestGetIPv6(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	target, err := ParseURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Get(target, 2*time.Second); err != nil || got != 200 {
		t.Errorf("Get(%s) = %d, %v, want 200", srv.URL, got, err)
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw      string
		wantAddr string
		wantPath string
		wantErr  bool
	}{
		{raw: "http://127.0.0.1:8080/", wantAddr: "127.0.0.1:8080", wantPath: "/"},
		{raw: "http://127.0.0.1:8080", wantAddr: "127.0.0.1:8080", wantPath: "/"},
		{raw: "http://localhost/healthz?full=1", wantAddr: "127.0.0.1:80", wantPath: "/healthz?full=1"},
		{raw: "http://[::1]:8443/x", wantAddr: "[::1]:8443", wantPath: "/x"},
		{raw: "https://127.0.0.1/", wantErr: true},
		{raw: "http://example.org/", wantErr: true},
		{raw: "http://user:pw@127.0.0.1/", wantErr: true},
		{raw: "http://127.0.0.1:0/", wantErr: true},
		{raw: "http://127.0.0.1:99999/", wantErr: true},
		{raw: "127.0.0.1:8080", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.raw)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseURL(%q) = %+v, want an error", tt.raw, got)
			}
			continue
		}
		if err != nil || got.Addr.String() != tt.wantAddr || got.Path != tt.wantPath {
			t.Errorf("ParseURL(%q) = %v %q, %v, want %s %q", tt.raw, got.Addr, got.Path, err, tt.wantAddr, tt.wantPath)
		}
	}
}

func TestParseStatusLine(t *testing.T) {
	tests := []struct {
		line    string
		want    int
		wantErr bool
	}{
		{line: "HTTP/1.1 200 OK", want: 200},
		{line: "HTTP/1.0 503 Service Unavailable", want: 503},
		{line: "HTTP/1.1 404", want: 404},
		{line: "HTTP/2 200", wantErr: true},
		{line: "SSH-2.0-OpenSSH", wantErr: true},
		{line: "HTTP/1.1 20 OK", wantErr: true},
		{line: "HTTP/1.1 abc OK", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseStatusLine([]byte(tt.line))
		if tt.wantErr != (err != nil) || got != tt.want {
			t.Errorf("ParseStatusLine(%q) = %d, %v, want %d (error %t)", tt.line, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseStatusLine(f *testing.F) {
	f.Add("HTTP/1.1 200 OK")
	f.Add("HTTP/1.0 5xx")
	f.Fuzz(func(t *testing.T, line string) {
		status, err := ParseStatusLine([]byte(line))
		if err == nil && (status < 100 || status > 999) {
			t.Fatalf("ParseStatusLine(%q) = %d, outside 100..999", line, status)
		}
	})
}

func FuzzParseURL(f *testing.F) {
	f.Add("http://127.0.0.1:8080/")
	f.Add("http://[::1]/x")
	f.Fuzz(func(t *testing.T, raw string) {
		target, err := ParseURL(raw)
		if err == nil && (!target.Addr.IsValid() || target.Addr.Port() == 0 || target.Path == "") {
			t.Fatalf("ParseURL(%q) = %+v, want a valid address, port and path", raw, target)
		}
	})
}
