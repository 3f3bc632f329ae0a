package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nginit/nginit/internal/httpprobe"
	"github.com/nginit/nginit/nginxconf"
)

// exitUnhealthy is the status Docker's HEALTHCHECK and Kubernetes exec probes
// read as unhealthy. Docker reserves 2, so every failure uses 1.
const exitUnhealthy = 1

// defaultHealthPort is probed when the configuration's listen ports are not
// known.
const defaultHealthPort = 8080

// runHealth implements `nginit health`: one GET to nginx that succeeds on a
// status below 500. It serves HEALTHCHECK and exec probes in images without
// curl or a shell. By default it targets the address the running nginit
// recorded: loopback, unless nginx listens on one specific address only.
func runHealth(args []string) int {
	fs := flag.NewFlagSet("nginit health", flag.ContinueOnError)
	url := fs.String("url", "", "URL to GET, http:// with an IP address or localhost (default http://127.0.0.1:PORT/ for the configuration's first listen port)")
	timeout := fs.Duration("timeout", 2*time.Second, "time allowed for the whole request, connect included")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: nginit health [--url URL] [--timeout 2s]\n\nExit 0 when nginx responds with a status below 500, else %d.\n\n", exitUnhealthy)
		fs.PrintDefaults()
	}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err == nil && *timeout <= 0 {
		err = fmt.Errorf("invalid --timeout=%s: want a duration above zero such as 2s", *timeout)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "nginit: health: %v; see nginit health --help\n", err)
		return exitUsage
	}

	guessed := ""
	if *url == "" {
		*url, guessed = defaultHealthURL()
	}
	target, err := httpprobe.ParseURL(*url)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nginit: health: %v\n", err)
		return exitUsage
	}

	status, err := httpprobe.Get(target, *timeout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nginit: health: GET %s: %v%s\n", *url, err, guessed)
		return exitUnhealthy
	}
	if status >= 500 {
		fmt.Fprintf(os.Stderr, "nginit: health: GET %s: status %d\n", *url, status)
		return exitUnhealthy
	}
	fmt.Printf("nginit: health: GET %s: status %d\n", *url, status)
	return 0
}

// defaultHealthURL returns the URL the running nginit recorded from nginx's
// first listen directive. Without a record it returns port 8080 on loopback
// and a note for the error message, since that port is only a guess.
func defaultHealthURL() (url, note string) {
	dir := os.Getenv("NGINIT_RUNTIME_DIR")
	if dir == "" {
		dir = "/tmp/nginit"
	}
	rec, err := readCommandRecord(dir)
	if err == nil && rec.HealthURL != "" {
		return rec.HealthURL, ""
	}
	note = fmt.Sprintf(" (no running nginit recorded nginx's listen address in %s, so port %d was guessed; pass --url)", dir, defaultHealthPort)
	return "http://127.0.0.1:" + strconv.Itoa(defaultHealthPort) + "/", note
}

// healthURLFor returns the loopback URL of the plan's first HTTP listen
// port, or "" when nginx listens on no TCP port. A listen on one specific
// address is probed there, since nginx accepts connections nowhere else.
func healthURLFor(plan *nginxconf.Plan) string {
	for _, l := range plan.Listens {
		if l.Module != "http" || l.Port == 0 {
			continue
		}
		host := "127.0.0.1"
		ip, err := netip.ParseAddr(strings.Trim(l.Address, "[]"))
		switch {
		case err != nil || ip.IsUnspecified() && ip.Is4():
		case ip.IsUnspecified():
			host = "[::1]"
		case ip.Is4():
			host = ip.String()
		default:
			host = "[" + ip.String() + "]"
		}
		return "http://" + host + ":" + strconv.Itoa(l.Port) + "/"
	}
	return ""
}
