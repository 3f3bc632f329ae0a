package nginxconf

import (
	"strconv"
	"strings"
)

const (
	// defaultHTTPPort is the port of an http listen that gives only an
	// address.
	defaultHTTPPort = 80

	// implicitNonRootPort is the port nginx listens on for an http server
	// without listen when the master process is not root
	// (ngx_http_core_merge_srv_conf, nginx 1.22).
	implicitNonRootPort = 8000
)

// addServerListens records the listen directives directly in a server block
// of module ("http", "stream" or "mail"). A unix: socket is recorded as a
// path nginx writes.
func (a *analyzer) addServerListens(server *Directive, module string) {
	found := false
	for _, d := range server.Block {
		if d.Name != "listen" || len(d.Args) == 0 {
			continue
		}
		found = true

		if path, ok := strings.CutPrefix(d.Args[0], "unix:"); ok {
			a.addWrite(Write{Kind: WriteSocket, Path: path, Directive: "listen", Source: d.Source()})
			continue
		}

		l := Listen{Module: module, Params: d.Args[1:], Source: d.Source()}
		l.Address, l.Port = splitListenAddress(d.Args[0], module == "http")
		a.plan.Listens = append(a.plan.Listens, l)
	}

	if !found && module == "http" {
		a.plan.Listens = append(a.plan.Listens, Listen{
			Module: module, Address: "*", Port: implicitNonRootPort, Implicit: true, Source: server.Source(),
		})
	}
}

// splitListenAddress splits the first argument of listen into its address
// and port: "8080", "127.0.0.1:8080", "[::]:8080", "*:80", "localhost". An
// address without a port gets port 80 when defaultPort is set, else 0. A
// port that is not a number in 1..65535 is returned as 0.
func splitListenAddress(value string, defaultPort bool) (string, int) {
	fallback := 0
	if defaultPort {
		fallback = defaultHTTPPort
	}

	if strings.HasPrefix(value, "[") {
		end := strings.IndexByte(value, ']')
		if end < 0 {
			return value, 0
		}
		host, rest := value[:end+1], value[end+1:]
		if rest == "" {
			return host, fallback
		}
		port, ok := strings.CutPrefix(rest, ":")
		if !ok {
			return value, 0
		}
		return host, parsePort(port)
	}

	if isDigits(value) {
		return "*", parsePort(value)
	}
	if i := strings.LastIndexByte(value, ':'); i >= 0 {
		return value[:i], parsePort(value[i+1:])
	}
	return value, fallback
}

func parsePort(s string) int {
	if !isDigits(s) {
		return 0
	}
	port, err := strconv.Atoi(s)
	if err != nil || port < 1 || port > 65535 {
		return 0
	}
	return port
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
