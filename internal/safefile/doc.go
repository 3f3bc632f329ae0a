// Package safefile writes files symlink-safely and atomically inside a
// directory held open by descriptor: a temporary file created with O_EXCL and
// O_NOFOLLOW, then renamed over the target. It never follows a symlink that
// another user planted and never leaves a half-written file behind.
package safefile
