// Package envsubst renders nginx configuration templates the way the official
// nginx image's entrypoint does, with the same NGINX_ENVSUBST_* variables,
// but into a directory on a writable mount instead of /etc/nginx/conf.d. It
// returns what it rendered and never logs; it does not parse nginx's syntax.
package envsubst
