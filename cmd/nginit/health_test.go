package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func TestHealthStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/down":
			w.WriteHeader(http.StatusBadGateway)
		case "/missing":
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	tests := []struct {
		name string
		args []string
		want int
	}{
		{"ok", []string{"--url", srv.URL + "/"}, 0},
		{"client error is healthy", []string{"--url", srv.URL + "/missing"}, 0},
		{"server error", []string{"--url", srv.URL + "/down"}, exitUnhealthy},
		{"https rejected", []string{"--url", "https://127.0.0.1/"}, exitUsage},
		{"hostname rejected", []string{"--url", "http://example.org/"}, exitUsage},
		{"bad timeout", []string{"--timeout", "0s"}, exitUsage},
		{"extra argument", []string{"now"}, exitUsage},
	}
	for _, tt := range tests {
		if got := runHealth(tt.args); got != tt.want {
			t.Errorf("%s: runHealth(%q) = %d, want %d", tt.name, tt.args, got, tt.want)
		}
	}
}

func TestHealthConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if got := runHealth([]string{"--url", "http://" + addr + "/"}); got != exitUnhealthy {
		t.Errorf("runHealth(closed port) = %d, want %d", got, exitUnhealthy)
	}
}

func TestHealthDefaultURLIsLoopback(t *testing.T) {
	t.Setenv("NGINIT_RUNTIME_DIR", t.TempDir())
	got, note := defaultHealthURL()
	if got != "http://127.0.0.1:8080/" {
		t.Errorf("defaultHealthURL() = %q, want the loopback address", got)
	}
	if !strings.Contains(note, "guessed") {
		t.Errorf("defaultHealthURL() note = %q, want it to say the port was guessed", note)
	}
}

func TestHealthDefaultURLFromRecord(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("NGINIT_RUNTIME_DIR", dir)
	if err := writeCommandRecord(dir, os.Getpid(), []string{"nginx"}, "http://127.0.0.1:9090/"); err != nil {
		t.Fatal(err)
	}
	got, note := defaultHealthURL()
	if got != "http://127.0.0.1:9090/" || note != "" {
		t.Errorf("defaultHealthURL() = %q, %q; want the recorded URL and no note", got, note)
	}
}
