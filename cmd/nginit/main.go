// Command nginit is a PID-1 init for nginx running as a non-root user on a
// read-only root filesystem.
package main

func main() {}
