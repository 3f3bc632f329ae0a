// Package filecaps reads an executable's file capabilities: the
// security.capability extended attribute that setcap writes and the kernel
// applies at execve. It only reads; setting or removing them is setcap's job.
package filecaps
