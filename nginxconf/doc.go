// Package nginxconf reads nginx's configuration, with its includes and
// compile-time defaults, into the list of paths nginx writes and reads and the
// ports it listens on, and composes the nginx command line nginit runs. It
// reads files and runs `nginx -V`, changes nothing on disk, and never logs.
package nginxconf
