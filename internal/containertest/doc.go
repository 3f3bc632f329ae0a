// Package containertest runs nginx in containers for tests: it assembles a
// distroless-style root filesystem from the host's Debian nginx, writes an
// OCI runtime configuration, and drives runc. It needs root and runc.
package containertest
