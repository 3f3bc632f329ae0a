// Package fsprep prepares and validates the filesystem nginx uses: it creates
// writable directories symlink-safely, proves them by writing a real file,
// reports the mount that backs each path, and walks static roots. It returns
// values and errors and never logs; it does not parse nginx's configuration.
package fsprep
