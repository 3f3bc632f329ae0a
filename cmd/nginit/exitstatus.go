package main

// nginit's own exit statuses. They follow sysexits.h and the shell's 126 and
// 127, so they stay apart from nginx's own statuses (0 and 1) and from the
// 128+N that nginit passes on when nginx is killed by signal N.
const (
	// exitUsage: an invalid flag, argument or NGINIT_* variable (EX_USAGE).
	exitUsage = 64
	// exitInternal: nginit itself failed in a way no setting can fix (EX_SOFTWARE).
	exitInternal = 70
	// exitRoot: nginit was started as root, or its binary is setuid or setgid (EX_NOPERM).
	exitRoot = 77
	// exitPreflight: the checks before start found an error, so nginx was not started (EX_CONFIG).
	exitPreflight = 78
	// exitNotExecutable: the command exists but cannot be executed.
	exitNotExecutable = 126
	// exitNotFound: the command was not found in PATH.
	exitNotFound = 127
)
