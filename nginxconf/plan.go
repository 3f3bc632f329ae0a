package nginxconf

// WriteKind is the kind of a path nginx writes.
type WriteKind string

// Kinds of written paths. Directories are created by nginx with mkdir at
// start; files are opened for writing.
const (
	WritePIDFile   WriteKind = "pid file"
	WriteTempDir   WriteKind = "temp dir"
	WriteCacheDir  WriteKind = "cache dir"
	WriteErrorLog  WriteKind = "error log"
	WriteAccessLog WriteKind = "access log"
	WriteSocket    WriteKind = "unix socket"
)

// IsDir reports whether nginx creates a path of this kind as a directory.
func (k WriteKind) IsDir() bool {
	return k == WriteTempDir || k == WriteCacheDir
}

// ReadKind is the kind of a path nginx reads.
type ReadKind string

// Kinds of read paths.
const (
	ReadConfig       ReadKind = "configuration"
	ReadInclude      ReadKind = "include"
	ReadModule       ReadKind = "module"
	ReadStaticRoot   ReadKind = "static root"
	ReadTLSFile      ReadKind = "tls file"
	ReadPasswordFile ReadKind = "password file"
)

// Plan is the list of paths nginx writes and reads and the addresses it
// listens on, for a given configuration, command line and build. Paths are absolute, resolved as nginx
// resolves them, and listed once each in the order found.
type Plan struct {
	Prefix     string // -p, else the compile-time prefix
	ConfFile   string // the main configuration file
	ConfPrefix string // the directory of ConfFile

	// StartupErrorLog is the error log nginx opens before it reads the
	// configuration, and keeps when the configuration has no main-level
	// error_log: -e, else the compile-time --error-log-path. It is "stderr"
	// for standard error.
	StartupErrorLog       string
	StartupErrorLogSource string

	Writes  []Write
	Reads   []Read
	Listens []Listen
	Facts   Facts

	// Duplicates are the directives set both with -g and in the
	// configuration, which nginx rejects at start.
	Duplicates []Duplicate
}

// Write is a path nginx writes.
type Write struct {
	Kind WriteKind
	Path string

	// Directive is the directive that sets the path, or that would set it
	// when the path is a compile-time default.
	Directive string

	// Levels are the subdirectory levels of a temp or cache dir, such as
	// ["1", "2"]; empty when it has none.
	Levels []string

	// UseTempPath is the use_temp_path parameter of a cache dir, true by
	// default: cached responses are then written to the temp path first.
	UseTempPath bool

	// Source is "file:line", "command line -e", or "compile-time default
	// (--option)".
	Source string
}

// Read is a path nginx reads.
type Read struct {
	Kind      ReadKind
	Path      string
	Directive string

	// Location is the location a static root applies to ("/", "= /50x.html"),
	// or empty when the root is set at server or http level.
	Location string

	// Index lists the index files for a static root: the nearest index
	// directive's arguments, or nginx's default "index.html". IndexSet
	// reports whether an index directive applies.
	Index    []string
	IndexSet bool

	// Implicit is set for nginx's default root, "html" under the prefix,
	// which applies to a server without a root directive.
	Implicit bool

	// BackendOnly is set for a root or alias in a location whose content
	// comes from a handler such as fastcgi_pass or return, where the path
	// only sets $document_root and nginx opens no file below it.
	BackendOnly bool

	Source string
}

// Listen is an address nginx listens on.
type Listen struct {
	// Module is "http", "stream" or "mail".
	Module string

	// Address is the host part as written ("127.0.0.1", "[::]", "localhost"),
	// or "*" when the directive gives only a port.
	Address string

	// Port is the port number, or 0 when a stream or mail listen gives none
	// (nginx rejects that).
	Port int

	// Params are the directive's other arguments ("default_server", "ssl").
	Params []string

	// Implicit is set for an http server without listen, which nginx makes
	// listen on *:80 as root and on *:8000 otherwise; Port is 8000 because
	// nginit never runs nginx as root.
	Implicit bool

	Source string
}

// Facts are settings of the configuration that decide how nginx must be
// started. Each is the directive that sets it, with its arguments and
// file:line, or nil when the configuration and the -g text lack it.
type Facts struct {
	// Main-level directives; -g directives count, as they join the main
	// context.
	PID             *Directive
	Daemon          *Directive
	WorkerProcesses *Directive
	User            *Directive
	ErrorLog        *Directive // the first main-level error_log
	LockFile        *Directive

	// HTTP is the http block.
	HTTP *Directive

	// ClientBodyInFileOnly is the first client_body_in_file_only directive
	// in the http block, at any level, whose value is not "off".
	ClientBodyInFileOnly *Directive
}

// Locations are the paths nginx derives from its command line and build
// before it reads any configuration (ngx_process_options in nginx 1.22).
type Locations struct {
	Prefix     string
	ConfFile   string
	ConfPrefix string

	ConfFileSource string // "command line -c" or "compile-time default (--conf-path)"

	ErrorLog       string // resolved -e, else the compile-time error log; "stderr" for standard error
	ErrorLogSource string // "command line -e" or "compile-time default (--error-log-path)"

	// Build is the build info with its paths resolved against Prefix.
	Build BuildInfo
}

// Locate returns the prefix, configuration file, conf prefix and startup
// error log that nginx uses for cmd and bi. cmd may be nil.
func Locate(cmd *CommandLine, bi BuildInfo) Locations {
	if cmd == nil {
		cmd = &CommandLine{ParamsIndex: -1}
	}

	loc := Locations{Prefix: bi.Prefix, Build: bi}
	if cmd.Prefix != "" {
		loc.Prefix = cmd.Prefix
		loc.Build = bi.WithPrefix(cmd.Prefix)
	}

	loc.ConfFile = loc.Build.ConfPath
	loc.ConfFileSource = "compile-time default (--conf-path)"
	if cmd.ConfFile != "" {
		loc.ConfFile = resolve(loc.Prefix, cmd.ConfFile)
		loc.ConfFileSource = "command line -c"
	}
	loc.ConfPrefix = parentDir(loc.ConfFile)

	loc.ErrorLog = loc.Build.ErrorLogPath
	loc.ErrorLogSource = "compile-time default (--error-log-path)"
	if cmd.ErrorLogSet {
		loc.ErrorLog = Stderr
		if cmd.ErrorLog != "" && cmd.ErrorLog != Stderr {
			loc.ErrorLog = resolve(loc.Prefix, cmd.ErrorLog)
		}
		loc.ErrorLogSource = "command line -e"
	}
	return loc
}

// parentDir returns the directory of name, as nginx cuts the conf prefix at
// the last slash.
func parentDir(name string) string {
	for i := len(name) - 1; i > 0; i-- {
		if name[i] == '/' {
			return name[:i]
		}
	}
	return "."
}
