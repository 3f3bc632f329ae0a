// Package httpprobe sends one HTTP/1.0 GET to an IP address and returns the
// response's status code, for health checks in images without curl. It talks
// to the socket through golang.org/x/sys/unix: net/http would add about
// 3.8 MB to a static nginit binary and package net about 0.4 MB. It has no
// DNS, TLS, redirects or response bodies.
package httpprobe
