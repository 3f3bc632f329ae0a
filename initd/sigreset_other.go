//go:build linux && !(amd64 || arm64)

package initd

// resetReservedSignals does nothing on this architecture.
//
// NOTE: struct sigaction for rt_sigaction(2) is laid out only for amd64 and
// arm64 in sigreset.go, so elsewhere signals 32 and 34 that nginit inherited
// ignored reach nginx ignored. A verified layout for the architecture, added
// to that file's build constraint, would remove this gap.
func resetReservedSignals() {}
