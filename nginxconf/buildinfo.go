package nginxconf

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nginit/nginit/internal/command"
)

// readBuildInfoTimeout bounds `nginx -V`, which prints and exits at once.
const readBuildInfoTimeout = 10 * time.Second

// maxBuildInfoSize bounds the `nginx -V` output read; real output is under
// 4 KiB.
const maxBuildInfoSize = 1 << 20

// Stderr is the value of ErrorLogPath, and of -e, that selects standard
// error instead of a file.
const Stderr = "stderr"

// BuildInfo is the version and compile-time paths that `nginx -V` reports. Every path is absolute, resolved against Prefix as nginx resolves
// it, except ErrorLogPath, which is "stderr" when nginx was built with
// --error-log-path=stderr (Debian does this).
type BuildInfo struct {
	// Version is the version number, such as "1.22.1".
	Version string

	Prefix             string // --prefix, default /usr/local/nginx
	ConfPath           string // --conf-path, default conf/nginx.conf
	PidPath            string // --pid-path, default logs/nginx.pid
	ErrorLogPath       string // --error-log-path, default logs/error.log
	HTTPLogPath        string // --http-log-path, default logs/access.log
	LockPath           string // --lock-path, default logs/nginx.lock
	ModulesPath        string // --modules-path, default modules
	ClientBodyTempPath string // --http-client-body-temp-path, default client_body_temp
	ProxyTempPath      string // --http-proxy-temp-path, default proxy_temp
	FastCGITempPath    string // --http-fastcgi-temp-path, default fastcgi_temp
	UWSGITempPath      string // --http-uwsgi-temp-path, default uwsgi_temp
	SCGITempPath       string // --http-scgi-temp-path, default scgi_temp

	// ConfigureArgs holds every "--name=value" configure argument by name
	// ("--prefix"), with the value as given; an argument without "=" maps to
	// "". The paths above are derived from it.
	ConfigureArgs map[string]string
}

// pathOption is a compile-time path: its configure argument and the default
// from nginx's auto/options, relative to the prefix.
type pathOption struct {
	arg      string
	fallback string
	field    func(*BuildInfo) *string
}

var pathOptions = []pathOption{
	{"--conf-path", "conf/nginx.conf", func(b *BuildInfo) *string { return &b.ConfPath }},
	{"--pid-path", "logs/nginx.pid", func(b *BuildInfo) *string { return &b.PidPath }},
	{"--error-log-path", "logs/error.log", func(b *BuildInfo) *string { return &b.ErrorLogPath }},
	{"--http-log-path", "logs/access.log", func(b *BuildInfo) *string { return &b.HTTPLogPath }},
	{"--lock-path", "logs/nginx.lock", func(b *BuildInfo) *string { return &b.LockPath }},
	{"--modules-path", "modules", func(b *BuildInfo) *string { return &b.ModulesPath }},
	{"--http-client-body-temp-path", "client_body_temp", func(b *BuildInfo) *string { return &b.ClientBodyTempPath }},
	{"--http-proxy-temp-path", "proxy_temp", func(b *BuildInfo) *string { return &b.ProxyTempPath }},
	{"--http-fastcgi-temp-path", "fastcgi_temp", func(b *BuildInfo) *string { return &b.FastCGITempPath }},
	{"--http-uwsgi-temp-path", "uwsgi_temp", func(b *BuildInfo) *string { return &b.UWSGITempPath }},
	{"--http-scgi-temp-path", "scgi_temp", func(b *BuildInfo) *string { return &b.SCGITempPath }},
}

// defaultPrefix is nginx's prefix when configure gets no --prefix.
const defaultPrefix = "/usr/local/nginx"

// ReadBuildInfo returns the build information of the nginx binary at
// nginxPath. nginx -V prints two string constants of the binary, "nginx
// version: ..." and "configure arguments: ...", so ReadBuildInfo first reads
// them from an ELF binary's file, which costs less than starting nginx on
// every container start. When either is missing, it runs nginx -V and parses
// what it prints. nginx 1.22 prints to standard error, so both streams are
// read. The command is killed after 10 seconds.
func ReadBuildInfo(nginxPath string) (BuildInfo, error) {
	if bi, ok := readBuildInfoFromBinary(nginxPath); ok {
		return bi, nil
	}
	out, err := command.CombinedOutput(nginxPath, []string{nginxPath, "-V"}, readBuildInfoTimeout, maxBuildInfoSize)
	if err != nil {
		return BuildInfo{}, fmt.Errorf("run %s -V: %w", nginxPath, err)
	}
	bi, err := ParseBuildInfo(bytes.NewReader(out))
	if err != nil {
		return BuildInfo{}, fmt.Errorf("run %s -V: %w", nginxPath, err)
	}
	return bi, nil
}

// maxNginxBinary bounds the file readBuildInfoFromBinary reads; Debian's
// nginx 1.22 is 1.2 MB.
const maxNginxBinary = 64 << 20

// readBuildInfoFromBinary finds the version and configure lines of nginx -V
// in the ELF file at path. It reports false for anything else: a script, a
// file too large, or a binary without both lines.
func readBuildInfoFromBinary(path string) (BuildInfo, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxNginxBinary {
		return BuildInfo{}, false
	}
	data, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(data, []byte("\x7fELF")) {
		return BuildInfo{}, false
	}

	// line returns the constant that starts with prefix, up to the newline
	// nginx appends or the NUL that ends a C string.
	line := func(prefix string) ([]byte, bool) {
		i := bytes.Index(data, []byte(prefix))
		if i < 0 {
			return nil, false
		}
		end := bytes.IndexAny(data[i:], "\n\x00")
		if end < 0 || end > maxBuildInfoSize {
			return nil, false
		}
		return data[i : i+end], true
	}
	version, ok := line("nginx version: ")
	if !ok {
		return BuildInfo{}, false
	}
	configure, ok := line("configure arguments:")
	if !ok {
		return BuildInfo{}, false
	}

	text := string(version) + "\n" + string(configure) + "\n"
	bi, err := ParseBuildInfo(strings.NewReader(text))
	if err != nil || bi.Version == "" {
		return BuildInfo{}, false
	}
	return bi, true
}

// ParseBuildInfo parses the output of `nginx -V`. It needs the "nginx
// version:" line; without a "configure arguments:" line every path takes
// nginx's default. Unknown lines are ignored.
func ParseBuildInfo(r io.Reader) (BuildInfo, error) {
	var bi BuildInfo
	args := map[string]string{}
	sc := bufio.NewScanner(io.LimitReader(r, maxBuildInfoSize))
	sc.Buffer(make([]byte, 0, 64<<10), maxBuildInfoSize)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if rest, ok := strings.CutPrefix(line, "nginx version:"); ok {
			bi.Version = parseVersion(rest)
			continue
		}
		if rest, ok := strings.CutPrefix(line, "configure arguments:"); ok {
			for _, word := range splitShellWords(rest) {
				name, value, _ := strings.Cut(word, "=")
				if strings.HasPrefix(name, "--") {
					args[name] = value
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return BuildInfo{}, fmt.Errorf("parse nginx -V output: %w", err)
	}
	if bi.Version == "" {
		return BuildInfo{}, fmt.Errorf(`parse nginx -V output: no "nginx version:" line`)
	}

	bi.ConfigureArgs = args
	bi.Prefix = defaultPrefix
	if p, ok := args["--prefix"]; ok && p != "" {
		bi.Prefix = p
	}
	bi.derivePaths(bi.Prefix)
	return bi, nil
}

// WithPrefix returns a copy of bi whose paths resolve against prefix, as
// nginx's -p option makes them: compile-time paths that are relative move
// with the prefix, absolute ones stay.
func (bi BuildInfo) WithPrefix(prefix string) BuildInfo {
	bi.Prefix = prefix
	bi.derivePaths(prefix)
	return bi
}

func (bi *BuildInfo) derivePaths(prefix string) {
	for _, opt := range pathOptions {
		value, ok := bi.ConfigureArgs[opt.arg]
		if !ok || value == "" {
			value = opt.fallback
		}
		if opt.arg == "--error-log-path" && value == Stderr {
			*opt.field(bi) = Stderr
			continue
		}
		*opt.field(bi) = resolve(prefix, value)
	}
}

// AtLeast reports whether bi.Version is major.minor.patch or newer. It
// returns false when the version cannot be read.
func (bi BuildInfo) AtLeast(major, minor, patch int) bool {
	have, ok := versionNumbers(bi.Version)
	if !ok {
		return false
	}
	want := [3]int{major, minor, patch}
	for i := range want {
		if have[i] != want[i] {
			return have[i] > want[i]
		}
	}
	return true
}

// parseVersion returns "1.22.1" from " nginx/1.22.1 (Ubuntu)"; other
// builds such as "openresty/1.21.4.1" keep their own number.
func parseVersion(text string) string {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return ""
	}
	_, version, found := strings.Cut(fields[0], "/")
	if !found {
		return fields[0]
	}
	return version
}

// versionNumbers returns the first three numbers of a dotted version.
func versionNumbers(version string) ([3]int, bool) {
	var numbers [3]int
	parts := strings.Split(version, ".")
	if len(parts) < 2 {
		return numbers, false
	}
	for i := 0; i < len(numbers) && i < len(parts); i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil || n < 0 {
			return numbers, false
		}
		numbers[i] = n
	}
	return numbers, true
}

// splitShellWords splits the configure arguments line as the shell that
// ran configure would: on blanks, with single quotes, double quotes and
// backslashes. An unterminated quote runs to the end of the text.
func splitShellWords(text string) []string {
	var words []string
	var word strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				word.WriteByte(c)
			}
		case quote == '"':
			switch {
			case c == '"':
				quote = 0
			case c == '\\' && i+1 < len(text) && strings.IndexByte("\"\\$`", text[i+1]) >= 0:
				i++
				word.WriteByte(text[i])
			default:
				word.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote = c
			inWord = true
		case c == '\\' && i+1 < len(text):
			i++
			word.WriteByte(text[i])
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}
