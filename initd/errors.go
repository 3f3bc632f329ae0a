package initd

import "errors"

// Sentinel errors that callers branch on. Each is returned wrapped, with the
// path or identity that caused it, so test them with errors.Is.
var (
	// ErrRoot means the real or effective uid is 0. nginit refuses to run
	// nginx as root: nginx would switch users and chown its directories, which
	// fails in a container without capabilities.
	ErrRoot = errors.New("running as root is not supported")

	// ErrSetuidBinary means the nginit binary has the setuid or setgid bit,
	// which would let any user start nginx with the file owner's privileges,
	// or that the real and effective uid or gid differ, as they do under such
	// a binary or a launcher that changes only the effective ids.
	ErrSetuidBinary = errors.New("nginit binary has the setuid or setgid bit")

	// ErrNotFound means the command does not exist: it is missing from every
	// PATH directory, or the explicit path (or its interpreter) does not exist.
	// cmd/nginit maps it to exit status 127, as shells do.
	ErrNotFound = errors.New("command not found")

	// ErrNotExecutable means the command exists but cannot be executed: no
	// execute permission, a directory, a noexec mount or an unknown format.
	// cmd/nginit maps it to exit status 126, as shells do.
	ErrNotExecutable = errors.New("command not executable")
)
