// Command nginit is a PID-1 init for nginx running as a non-root user on a
// read-only root filesystem. See doc.go for its settings and exit statuses.
package main

import "os"

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:]))
}
