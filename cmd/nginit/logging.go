package main

import (
	"fmt"
	"io"
	"sync"
)

// logger writes one plain line per event to stderr, prefixed "nginit: " so the
// lines stand apart from nginx's own in a container's log.
type logger struct {
	mu    sync.Mutex
	out   io.Writer
	debug bool
}

func (l *logger) printf(level, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.out, "nginit: "+level+format+"\n", args...)
}

// Infof logs a lifecycle event.
func (l *logger) Infof(format string, args ...any) { l.printf("", format, args...) }

// Warnf logs a problem that does not stop nginit.
func (l *logger) Warnf(format string, args ...any) { l.printf("warning: ", format, args...) }

// Errorf logs the error that ends nginit.
func (l *logger) Errorf(format string, args ...any) { l.printf("error: ", format, args...) }

// Debugf logs detail that only NGINIT_LOG_LEVEL=debug shows.
func (l *logger) Debugf(format string, args ...any) {
	if l.debug {
		l.printf("debug: ", format, args...)
	}
}
