package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nginit/nginit/initd"
	"github.com/nginit/nginit/preflight"
)

// envPrefix is the prefix of every environment variable nginit reads.
const envPrefix = "NGINIT"

// settings are nginit's configuration. Each field is read from the
// environment variable NGINIT_<envconfig tag> by loadSettings and can be
// overridden by the flag in its flag tag. The desc tags are the help text of
// `nginit --help`. The tags are envconfig's, so the struct reads the same
// with that library.
type settings struct {
	RuntimeDir      string        `envconfig:"RUNTIME_DIR" flag:"runtime-dir" default:"/tmp/nginit" desc:"directory for the pid file and everything nginit generates; it must be on a writable mount"`
	Umask           fileMask      `envconfig:"UMASK" flag:"umask" default:"0027" desc:"umask, in octal, that nginit sets for itself and nginx"`
	StopDelay       time.Duration `envconfig:"STOP_DELAY" flag:"stop-delay" default:"0s" desc:"time nginx keeps serving after a stop request, before the stop signal"`
	StopSignal      signalName    `envconfig:"STOP_SIGNAL" flag:"stop-signal" default:"SIGQUIT" desc:"signal sent to nginx on a stop request: SIGQUIT (graceful), SIGTERM, SIGINT or SIGKILL"`
	StopTimeout     time.Duration `envconfig:"STOP_TIMEOUT" flag:"stop-timeout" default:"30s" desc:"time nginx has to drain after the stop signal before it gets SIGTERM"`
	KillGrace       time.Duration `envconfig:"KILL_GRACE" flag:"kill-grace" default:"5s" desc:"time between SIGTERM and SIGKILL of nginx's process group"`
	SignalGroup     bool          `envconfig:"SIGNAL_GROUP" flag:"signal-group" default:"false" desc:"forward signals to nginx's whole process group instead of the master only"`
	WorkerProcesses workerMode    `envconfig:"WORKER_PROCESSES" flag:"worker-processes" default:"auto" desc:"auto sets nginx's worker_processes from the cgroup CPU limit when the configuration does not set it; off leaves it alone"`
	LogLevel        logLevel      `envconfig:"LOG_LEVEL" flag:"log-level" default:"info" desc:"nginit's log level: info or debug"`
	Strict          bool          `envconfig:"STRICT" flag:"strict" default:"false" desc:"treat preflight warnings as errors, so nginx does not start on any"`
	Tmpfs           tmpfsPolicy   `envconfig:"TMPFS" flag:"tmpfs" default:"warn" desc:"what a writable path that is not on tmpfs gives: require (an error), warn or off"`
	WalkLimit       int           `envconfig:"WALK_LIMIT" flag:"walk-limit" default:"100000" desc:"directory entries (files, directories, links) checked per static root before the walk stops with a warning"`
}

// fileMask is a umask written in octal, such as 0027.
type fileMask int

// Decode parses an octal umask. A umask that masks the owner's bits is
// rejected: nginx could not then write the temp files and logs it creates.
func (m *fileMask) Decode(value string) error {
	n, err := strconv.ParseUint(value, 8, 32)
	if err != nil || n > 0o077 {
		return fmt.Errorf("want an octal mask from 0000 to 0077 that keeps the owner's permissions, such as 0027")
	}
	*m = fileMask(n)
	return nil
}

func (m *fileMask) Set(value string) error { return m.Decode(value) }
func (m *fileMask) String() string         { return fmt.Sprintf("%04o", int(*m)) }

// signalName is a signal given by name (SIGQUIT or QUIT) or number.
type signalName syscall.Signal

// Decode parses a signal name or number. Only signals that end nginx are
// accepted: a signal such as SIGCHLD or SIGHUP would leave every stop
// waiting for NGINIT_STOP_TIMEOUT.
func (s *signalName) Decode(value string) error {
	sig, err := initd.ParseSignal(value)
	switch {
	case err != nil:
	case sig == syscall.SIGQUIT, sig == syscall.SIGTERM, sig == syscall.SIGINT, sig == syscall.SIGKILL:
		*s = signalName(sig)
		return nil
	}
	return fmt.Errorf("want SIGQUIT (nginx's graceful shutdown), SIGTERM or SIGINT (its fast shutdown), or SIGKILL")
}

func (s *signalName) Set(value string) error { return s.Decode(value) }
func (s *signalName) String() string         { return initd.SignalName(syscall.Signal(*s)) }

// tmpfsPolicy is require, warn or off.
type tmpfsPolicy string

// Decode accepts require, warn or off.
func (p *tmpfsPolicy) Decode(value string) error {
	switch v := preflight.TmpfsPolicy(strings.ToLower(value)); v {
	case preflight.TmpfsRequire, preflight.TmpfsWarn, preflight.TmpfsOff:
		*p = tmpfsPolicy(v)
		return nil
	}
	return fmt.Errorf("want require, warn or off")
}

func (p *tmpfsPolicy) Set(value string) error { return p.Decode(value) }
func (p *tmpfsPolicy) String() string         { return string(*p) }

// logLevel is "info" or "debug".
type logLevel string

// Decode accepts info or debug.
func (l *logLevel) Decode(value string) error {
	switch strings.ToLower(value) {
	case "info", "debug":
		*l = logLevel(strings.ToLower(value))
		return nil
	}
	return fmt.Errorf("want info or debug")
}

func (l *logLevel) Set(value string) error { return l.Decode(value) }
func (l *logLevel) String() string         { return string(*l) }

// settingError is an invalid NGINIT_* variable or flag. Its message names the
// variable or flag, the value and what is accepted.
type settingError struct {
	Name  string
	Value string
	Err   error
}

func (e *settingError) Error() string {
	return fmt.Sprintf("invalid %s=%q: %v", e.Name, e.Value, e.Err)
}

func (e *settingError) Unwrap() error { return e.Err }

// loadSettings reads the NGINIT_* variables from the process environment.
// Each field of settings is read from NGINIT_<envconfig tag>, or takes its
// default tag when the variable is unset or empty: a Kubernetes manifest or
// Compose file often sets a variable to "" to leave it unset.
//
// NOTE: this replaces github.com/kelseyhightower/envconfig, which reads the
// same tags. envconfig imports text/template and regexp, and compiles
// regular expressions at package initialisation: 500 KB of the static
// binary (2.74 MB against 3.24 MB, Go 1.26, amd64) and work on every start.
func loadSettings() (settings, error) {
	var s settings
	v := reflect.ValueOf(&s).Elem()
	t := v.Type()
	for i := range t.NumField() {
		field := t.Field(i)
		name := envPrefix + "_" + field.Tag.Get("envconfig")
		value := os.Getenv(name)
		if value == "" {
			value = field.Tag.Get("default")
		}
		if err := decodeField(v.Field(i), value); err != nil {
			return s, &settingError{Name: name, Value: value, Err: err}
		}
	}
	return s, s.validate("NGINIT_")
}

// unknownVariables lists the NGINIT_* variables of the environment that no
// setting reads, such as a misspelt NGINIT_STOP_TIMOUT, so start can warn.
func unknownVariables() []string {
	known := map[string]bool{}
	t := reflect.TypeOf(settings{})
	for i := range t.NumField() {
		known[envPrefix+"_"+t.Field(i).Tag.Get("envconfig")] = true
	}
	var unknown []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, envPrefix+"_") && !known[name] {
			unknown = append(unknown, name)
		}
	}
	return unknown
}

// decoder is a settings type that parses its own text and, for invalid
// text, returns an error that states the accepted values.
type decoder interface {
	Decode(value string) error
}

// decodeField parses value into field. Its error states what is accepted,
// because the errors of Go's parsers for durations, booleans and numbers
// name only the problem.
func decodeField(field reflect.Value, value string) error {
	if d, ok := field.Addr().Interface().(decoder); ok {
		return d.Decode(value)
	}
	switch p := field.Addr().Interface().(type) {
	case *string:
		*p = value
	case *bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return errors.New("want true or false")
		}
		*p = b
	case *int:
		n, err := strconv.Atoi(value)
		if err != nil {
			return errors.New("want a whole number")
		}
		*p = n
	case *time.Duration:
		d, err := time.ParseDuration(value)
		if err != nil {
			return errors.New("want a duration such as 0s, 500ms, 10s or 1m")
		}
		*p = d
	default:
		panic(fmt.Sprintf("settings field of type %s has no decoder", field.Type()))
	}
	return nil
}

// validate checks what the types alone cannot. namePrefix is "NGINIT_" for
// variables or "--" for flags, so the error names what the user set.
func (s *settings) validate(namePrefix string) error {
	durations := []struct {
		env, flag string
		value     time.Duration
	}{
		{"STOP_DELAY", "stop-delay", s.StopDelay},
		{"STOP_TIMEOUT", "stop-timeout", s.StopTimeout},
		{"KILL_GRACE", "kill-grace", s.KillGrace},
	}
	for _, d := range durations {
		if d.value < 0 {
			name := namePrefix + d.env
			if namePrefix == "--" {
				name = "--" + d.flag
			}
			return &settingError{Name: name, Value: d.value.String(), Err: errors.New("want a duration of zero or more")}
		}
	}
	if s.WalkLimit < 1 {
		name := namePrefix + "WALK_LIMIT"
		if namePrefix == "--" {
			name = "--walk-limit"
		}
		return &settingError{Name: name, Value: strconv.Itoa(s.WalkLimit), Err: errors.New("want a number of directory entries of 1 or more")}
	}
	if s.RuntimeDir == "" || s.RuntimeDir[0] != '/' {
		name := namePrefix + "RUNTIME_DIR"
		if namePrefix == "--" {
			name = "--runtime-dir"
		}
		return &settingError{Name: name, Value: s.RuntimeDir, Err: errors.New("want an absolute path such as /tmp/nginit")}
	}
	return nil
}

// flagSet binds one flag to each settings field, so a flag overrides the
// variable of the same meaning and is parsed by the same decoder, with the
// same message. Parsing stops at the first argument that is not a flag,
// which leaves nginx's own -g and -c untouched. The flag set prints nothing:
// parseFlags reports its errors.
func (s *settings) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}

	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	for i := range t.NumField() {
		field := t.Field(i)
		if flagName := field.Tag.Get("flag"); flagName != "" {
			fs.Var(fieldFlag{v.Field(i)}, flagName, field.Tag.Get("desc"))
		}
	}
	return fs
}

// parseFlags parses args with fs. Its error names the flag with two dashes,
// as the help text writes it; flag.ErrHelp means -h or --help was given.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	text := strings.Replace(err.Error(), "flag -", "flag --", 1)
	return errors.New(strings.Replace(text, "defined: -", "defined: --", 1))
}

// fieldFlag is a flag.Value that decodes into one settings field.
type fieldFlag struct{ field reflect.Value }

func (f fieldFlag) Set(value string) error { return decodeField(f.field, value) }

func (f fieldFlag) String() string {
	if !f.field.IsValid() {
		return ""
	}
	if s, ok := f.field.Addr().Interface().(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprint(f.field.Interface())
}

// IsBoolFlag lets a boolean flag stand alone: --strict means --strict=true.
func (f fieldFlag) IsBoolFlag() bool { return f.field.IsValid() && f.field.Kind() == reflect.Bool }

// writeVariables writes one line per NGINIT_* variable: name, flag, default
// and meaning, for `nginit --help`.
func writeVariables(w io.Writer) {
	t := reflect.TypeOf(settings{})
	for i := range t.NumField() {
		field := t.Field(i)
		name := envPrefix + "_" + field.Tag.Get("envconfig")
		def := field.Tag.Get("default")
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "  %-24s --%-17s default %-12s %s\n", name, field.Tag.Get("flag"), def, field.Tag.Get("desc"))
	}
}
