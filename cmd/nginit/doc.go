// Command nginit runs nginx as PID 1 for a non-root user on a read-only root
// filesystem:
//
//	ENTRYPOINT ["/nginit"]
//	CMD ["nginx", "-g", "daemon off;"]
//
// It refuses root, sets the umask, prepares its runtime directory, renders
// templates, checks every path nginx writes and reads and every port it
// binds, and reports all problems at once before nginx starts. Then it runs
// nginx in its own process group, forwards signals, turns a stop request
// into nginx's graceful shutdown, reaps every child and exits with nginx's
// status.
//
// Settings are NGINIT_* environment variables, each with a flag of the same
// meaning that wins over it; `nginit --help` lists them with their defaults.
// The flags stop at the first argument that is not a flag, so nginx's own -g
// and -c pass through untouched.
//
// Exit statuses of nginit itself are in exitstatus.go; any other status is
// nginx's own, or 128+N when nginx was killed by signal N.
package main
