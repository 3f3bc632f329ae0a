// Package preflight runs every check nginit makes before nginx starts and
// collects the findings into one report, each with its fix, as text or JSON.
// It uses fsprep and nginxconf for the facts and never logs; printing the
// report and deciding whether nginx starts is the caller's job.
package preflight
