// Package command runs short helper programs such as `nginx -V` and
// `nginx -t` and collects their output, in place of os/exec, which adds about
// 300 KB to a static binary. It is not for the supervised child: initd starts
// and reaps that one.
package command
