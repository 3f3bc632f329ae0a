package nginxconf

import (
	"strings"
)

// tempPathDirectives are the five temp paths of the http modules, with the
// configure argument that sets their compile-time default.
var tempPathDirectives = []struct {
	directive string
	arg       string
	fallback  func(BuildInfo) string
}{
	{"client_body_temp_path", "--http-client-body-temp-path", func(b BuildInfo) string { return b.ClientBodyTempPath }},
	{"proxy_temp_path", "--http-proxy-temp-path", func(b BuildInfo) string { return b.ProxyTempPath }},
	{"fastcgi_temp_path", "--http-fastcgi-temp-path", func(b BuildInfo) string { return b.FastCGITempPath }},
	{"uwsgi_temp_path", "--http-uwsgi-temp-path", func(b BuildInfo) string { return b.UWSGITempPath }},
	{"scgi_temp_path", "--http-scgi-temp-path", func(b BuildInfo) string { return b.SCGITempPath }},
}

// tlsFileDirectives name files that nginx reads, relative to the conf
// prefix (ngx_conf_full_name with conf_prefix set, nginx 1.22).
var tlsFileDirectives = map[string]bool{
	"ssl_certificate":               true,
	"ssl_certificate_key":           true,
	"ssl_trusted_certificate":       true,
	"ssl_client_certificate":        true,
	"ssl_dhparam":                   true,
	"ssl_crl":                       true,
	"ssl_password_file":             true,
	"ssl_session_ticket_key":        true,
	"ssl_stapling_file":             true,
	"proxy_ssl_certificate":         true,
	"proxy_ssl_certificate_key":     true,
	"proxy_ssl_trusted_certificate": true,
	"proxy_ssl_crl":                 true,
	"proxy_ssl_password_file":       true,
}

// cachePathDirectives set cache directories, http level only.
var cachePathDirectives = map[string]bool{
	"proxy_cache_path": true, "fastcgi_cache_path": true, "uwsgi_cache_path": true, "scgi_cache_path": true,
}

// opaqueBlocks hold lists of values, not directives, so their contents are
// not walked: a map key named "root" is not a root directive.
var opaqueBlocks = map[string]bool{
	"map": true, "geo": true, "split_clients": true, "types": true,
	"charset_map": true, "upstream": true, "match": true,
}

// Analyze returns the Plan for the configuration cfg, started with the
// command line cmd by an nginx built as bi. cmd may be nil. Relative paths
// resolve against -p, else the compile-time prefix, except those nginx
// resolves against the conf prefix (includes, TLS files, password files).
//
// Paths that contain variables, and targets that are not files (stderr,
// syslog:, memory:, off, data:, engine:), are left out because they cannot
// be checked before a request.
func Analyze(cfg *Config, cmd *CommandLine, bi BuildInfo) *Plan {
	loc := Locate(cmd, bi)
	a := &analyzer{
		loc: loc,
		plan: &Plan{
			Prefix:                loc.Prefix,
			ConfFile:              loc.ConfFile,
			ConfPrefix:            loc.ConfPrefix,
			StartupErrorLog:       loc.ErrorLog,
			StartupErrorLogSource: loc.ErrorLogSource,
		},
		seen: map[string]bool{},
	}
	if cfg != nil {
		a.plan.ConfFile = cfg.File
		a.plan.ConfPrefix = cfg.ConfPrefix
	}

	// nginx reads the -g text before the configuration file, into the same
	// main context.
	var main []*Directive
	if cmd != nil {
		main = append(main, cmd.Directives...)
	}
	if cfg != nil {
		main = append(main, cfg.Directives...)
	}

	a.plan.Duplicates = DuplicateParams(cfg, cmd)
	a.readMain()
	if cfg != nil {
		for _, inc := range cfg.Includes {
			a.addRead(Read{Kind: ReadInclude, Path: inc.Path, Directive: "include", Source: sourceOf(inc.File, inc.Line)})
		}
	}
	a.writeStartupFiles(main)
	a.walk(main, scope{index: []string{"index.html"}})
	if a.plan.Facts.HTTP != nil {
		a.addHTTPDefaults(a.plan.Facts.HTTP)
	}
	return a.plan
}

type analyzer struct {
	loc  Locations
	plan *Plan
	seen map[string]bool // kind and path of every listed read and write
}

// scope is the context that the directives of a block inherit from the
// blocks around it.
type scope struct {
	module   string // "", "http", "stream" or "mail"
	location string
	index    []string
	indexSet bool

	// backend is set inside a location that has a content handler other
	// than the static module, such as proxy_pass or return.
	backend bool
}

func (a *analyzer) readMain() {
	a.addRead(Read{Kind: ReadConfig, Path: a.plan.ConfFile, Source: a.loc.ConfFileSource})
}

// writeStartupFiles records the main-level facts, the pid file and the
// startup error log.
func (a *analyzer) writeStartupFiles(main []*Directive) {
	f := &a.plan.Facts
	for _, d := range main {
		switch d.Name {
		case "pid":
			setFirst(&f.PID, d)
		case "daemon":
			setFirst(&f.Daemon, d)
		case "worker_processes":
			setFirst(&f.WorkerProcesses, d)
		case "user":
			setFirst(&f.User, d)
		case "error_log":
			setFirst(&f.ErrorLog, d)
		case "lock_file":
			setFirst(&f.LockFile, d)
		case "http":
			setFirst(&f.HTTP, d)
		}
	}

	if f.PID != nil && len(f.PID.Args) > 0 {
		a.addWrite(Write{Kind: WritePIDFile, Path: a.prefixed(f.PID.Args[0]), Directive: "pid", Source: f.PID.Source()})
	} else {
		a.addWrite(Write{Kind: WritePIDFile, Path: a.loc.Build.PidPath, Directive: "pid", Source: "compile-time default (--pid-path)"})
	}

	if a.plan.StartupErrorLog != Stderr {
		a.addWrite(Write{Kind: WriteErrorLog, Path: a.plan.StartupErrorLog, Directive: "error_log", Source: a.plan.StartupErrorLogSource})
	}

	// NOTE: the lock file is not listed. On Linux nginx has atomic
	// operations and keeps its accept mutex in shared memory, so it never
	// creates the lock file.
}

func setFirst(slot **Directive, d *Directive) {
	if *slot == nil {
		*slot = d
	}
}

func (a *analyzer) walk(directives []*Directive, sc scope) {
	if index := lastDirect(directives, "index"); index != nil {
		sc.index = index.Args
		sc.indexSet = true
	}

	for _, d := range directives {
		if d.Block != nil {
			a.walkBlock(d, sc)
			continue
		}
		a.visit(d, sc)
	}
}

func (a *analyzer) walkBlock(d *Directive, sc scope) {
	switch {
	case opaqueBlocks[d.Name]:
		return
	case sc.module == "" && (d.Name == "http" || d.Name == "stream" || d.Name == "mail"):
		sc.module = d.Name
	case d.Name == "location":
		sc.location = strings.Join(d.Args, " ")
		// Content handlers are not inherited by nested locations.
		sc.backend = hasContentHandler(d.Block)
	case d.Name == "server" && sc.module != "":
		a.addServerListens(d, sc.module)
		if sc.module == "http" {
			a.addDefaultRoot(d, sc)
			// A server root that no request reaches only sets
			// $document_root, like a root beside fastcgi_pass.
			sc.backend = serverRootUnused(d.Block)
		}
	}
	a.walk(d.Block, sc)
}

// visit records what a simple directive writes, reads or listens on.
func (a *analyzer) visit(d *Directive, sc scope) {
	if len(d.Args) == 0 {
		return
	}
	arg := d.Args[0]

	switch {
	case d.Name == "error_log":
		if isFileTarget(arg) {
			a.addWrite(Write{Kind: WriteErrorLog, Path: a.prefixed(arg), Directive: d.Name, Source: d.Source()})
		}

	case d.Name == "access_log" && (sc.module == "http" || sc.module == "stream"):
		if isFileTarget(arg) && arg != "off" && !hasVariable(arg) {
			a.addWrite(Write{Kind: WriteAccessLog, Path: a.prefixed(arg), Directive: d.Name, Source: d.Source()})
		}

	case isTempPathDirective(d.Name):
		a.addWrite(Write{Kind: WriteTempDir, Path: a.prefixed(arg), Directive: d.Name, Levels: d.Args[1:], Source: d.Source()})

	case cachePathDirectives[d.Name]:
		a.addCachePath(d)

	case d.Name == "root" || d.Name == "alias":
		if !hasVariable(arg) {
			a.addRead(Read{
				Kind: ReadStaticRoot, Path: a.prefixed(arg), Directive: d.Name,
				Location: sc.location, Index: sc.index, IndexSet: sc.indexSet,
				BackendOnly: sc.backend, Source: d.Source(),
			})
		}

	case tlsFileDirectives[d.Name]:
		if !hasVariable(arg) && !hasAnyPrefix(arg, "data:", "engine:", "store:") {
			a.addRead(Read{Kind: ReadTLSFile, Path: resolve(a.plan.ConfPrefix, arg), Directive: d.Name, Source: d.Source()})
		}

	case d.Name == "auth_basic_user_file":
		if !hasVariable(arg) {
			a.addRead(Read{Kind: ReadPasswordFile, Path: resolve(a.plan.ConfPrefix, arg), Directive: d.Name, Source: d.Source()})
		}

	case d.Name == "load_module" && sc.module == "":
		a.addRead(Read{Kind: ReadModule, Path: a.prefixed(arg), Directive: d.Name, Source: d.Source()})

	case d.Name == "client_body_in_file_only" && sc.module == "http" && arg != "off":
		setFirst(&a.plan.Facts.ClientBodyInFileOnly, d)
	}
}

func isTempPathDirective(name string) bool {
	for _, t := range tempPathDirectives {
		if t.directive == name {
			return true
		}
	}
	return false
}

// addCachePath records proxy_cache_path and its fastcgi, uwsgi and scgi
// twins: a directory, with optional levels=1:2 and use_temp_path=off.
func (a *analyzer) addCachePath(d *Directive) {
	w := Write{Kind: WriteCacheDir, Path: a.prefixed(d.Args[0]), Directive: d.Name, UseTempPath: true, Source: d.Source()}
	for _, param := range d.Args[1:] {
		if levels, ok := strings.CutPrefix(param, "levels="); ok {
			w.Levels = strings.Split(levels, ":")
		}
		if param == "use_temp_path=off" {
			w.UseTempPath = false
		}
	}
	a.addWrite(w)
}

// lastDirect returns the last directive named name directly in block.
func lastDirect(block []*Directive, name string) *Directive {
	var found *Directive
	for _, d := range block {
		if d.Name == name {
			found = d
		}
	}
	return found
}

func (a *analyzer) prefixed(name string) string {
	return resolve(a.plan.Prefix, name)
}

func (a *analyzer) addWrite(w Write) {
	key := "write " + string(w.Kind) + " " + w.Path
	if a.seen[key] {
		return
	}
	a.seen[key] = true
	a.plan.Writes = append(a.plan.Writes, w)
}

func (a *analyzer) addRead(r Read) {
	key := "read " + string(r.Kind) + " " + r.Path + " " + r.Location
	if a.seen[key] {
		return
	}
	a.seen[key] = true
	a.plan.Reads = append(a.plan.Reads, r)
}

// isFileTarget reports whether a log target is a file rather than standard
// error, syslog or the in-memory debug buffer.
func isFileTarget(target string) bool {
	return target != Stderr && !hasAnyPrefix(target, "syslog:", "memory:")
}

func hasVariable(s string) bool {
	return strings.Contains(s, "$")
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
