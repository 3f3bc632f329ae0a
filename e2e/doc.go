// Package e2e holds the container tests: real nginx from Debian's package,
// run by runc from a distroless-style root filesystem with a read-only root,
// uid 101 and no capabilities, with and without nginit as PID 1.
package e2e
