// Package initd is nginit's PID-1 supervisor: the identity checks that run
// first, starting nginx in its own process group, forwarding and mapping
// signals, the stop sequence, reaping every child and passing on the exit
// status. It does not read nginx's configuration or touch the filesystem.
package initd
