// Package nginxconf reads nginx's configuration, with its includes and
// compile-time defaults, into the list of paths nginx writes and reads and the
// ports it listens on. It does not touch the filesystem beyond reading files,
// and it never logs.
package nginxconf
