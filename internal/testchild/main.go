// Command testchild is a helper child for initd's black-box tests. It plays
// the nginx master: it exits, dies by a signal, records the signals it
// receives, leaves orphans, or leaves workers in its process group.
//
//	testchild exit N                 exit with status N
//	testchild kill SIG               die by signal SIG (name or number)
//	testchild sleep DURATION         sleep, then exit 0
//	testchild record FILE [flags]    append each signal's name to FILE, one a line
//	testchild worker [flags]         start a worker in this process group, then exit or die
//	testchild spawn-orphans N        start N copies of "exit 0" and exit without waiting
//	testchild ignore-exec SIG PROG...  set SIG to SIG_IGN with rt_sigaction, then exec PROG
//
// record creates FILE.ready, holding its pid, once its handlers are in place.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/nginit/nginit/initd"
)

func main() {
	if len(os.Args) < 2 {
		fatalf("usage: testchild exit|kill|sleep|record|worker|spawn-orphans ...")
	}
	mode, args := os.Args[1], os.Args[2:]

	switch mode {
	case "exit":
		os.Exit(atoi(arg(args, 0)))
	case "kill":
		dieBySignal(parseSignal(arg(args, 0)))
	case "sleep":
		d, err := time.ParseDuration(arg(args, 0))
		if err != nil {
			fatalf("sleep: %v", err)
		}
		time.Sleep(d)
	case "record":
		record(args)
	case "worker":
		worker(args)
	case "ignore-exec":
		ignoreAndExec(atoi(arg(args, 0)), args[1:])
	case "spawn-orphans":
		n := atoi(arg(args, 0))
		for range n {
			startSelf("exit", "0")
		}
	default:
		fatalf("unknown mode %q", mode)
	}
}

// record appends the name of each signal it receives to a file.
func record(args []string) {
	fs := flag.NewFlagSet("record", flag.ExitOnError)
	exitOn := fs.String("exit-on", "SIGTERM,SIGQUIT", "signals that end the process after they are recorded")
	exitCode := fs.Int("exit-code", 0, "exit status after a signal in -exit-on")
	ignore := fs.String("ignore", "", "signals set to SIG_IGN, so they are never delivered")
	keepDefault := fs.String("default", "", "signals left at their default action, such as SIGTSTP, which then stops the process")
	orphans := fs.Int("orphans", 0, "orphans to leave before ready: an intermediate child starts them and exits")
	workerFile := fs.String("worker", "", "start a worker in this process group that records to this file (and never exits on a signal)")
	sendParent := fs.String("send-parent", "", "signals to send to the parent once ready, each after the previous one came back")
	file := arg(args, 0)
	if err := fs.Parse(args[1:]); err != nil {
		fatalf("record: %v", err)
	}

	for _, sig := range parseSignals(*ignore) {
		signal.Ignore(sig)
	}
	ch := make(chan os.Signal, 64)
	for n := 1; n <= 64; n++ {
		sig := syscall.Signal(n)
		switch {
		case sig == syscall.SIGKILL, sig == syscall.SIGSTOP, sig == syscall.SIGURG, sig == syscall.SIGPROF, sig == syscall.SIGCHLD, n >= 32 && n <= 34:
		case contains(parseSignals(*ignore), sig), contains(parseSignals(*keepDefault), sig):
		default:
			signal.Notify(ch, sig)
		}
	}

	out, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fatalf("record: %v", err)
	}

	if *orphans > 0 {
		pid := startSelf("spawn-orphans", strconv.Itoa(*orphans))
		var ws syscall.WaitStatus
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
			fatalf("wait for spawn-orphans: %v", err)
		}
	}
	if *workerFile != "" {
		startSelf("record", *workerFile, "-exit-on", "")
		waitForFile(*workerFile + ".ready")
	}

	if err := os.WriteFile(file+".ready", []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		fatalf("record: %v", err)
	}

	recorded := make(chan syscall.Signal, 64)
	if *sendParent != "" {
		go func() {
			for _, sig := range parseSignals(*sendParent) {
				if err := syscall.Kill(os.Getppid(), sig); err != nil {
					fatalf("send %v to parent: %v", sig, err)
				}
				select {
				case <-recorded:
				case <-time.After(10 * time.Second):
					fatalf("%v sent to the parent never came back", sig)
				}
			}
		}()
	}

	exits := parseSignals(*exitOn)
	for s := range ch {
		sig := s.(syscall.Signal)
		fmt.Fprintln(out, initd.SignalName(sig))
		if contains(exits, sig) {
			os.Exit(*exitCode)
		}
		select {
		case recorded <- sig:
		default:
		}
	}
}

// worker starts a process in this process group that outlives this one,
// writes its pid to a file, then exits or dies by a signal.
func worker(args []string) {
	fs := flag.NewFlagSet("worker", flag.ExitOnError)
	pidFile := fs.String("pid-file", "", "file to write the worker's pid to")
	then := fs.String("then", "exit:0", "what to do once the worker runs: exit:N or kill:SIG")
	ignoreTerm := fs.Bool("ignore-term", false, "the worker ignores SIGTERM, so only SIGKILL ends it")
	if err := fs.Parse(args); err != nil {
		fatalf("worker: %v", err)
	}

	workerArgs := []string{"record", *pidFile + ".signals", "-exit-on", "SIGTERM"}
	if *ignoreTerm {
		workerArgs = append(workerArgs, "-ignore", "SIGTERM")
	}
	pid := startSelf(workerArgs...)
	waitForFile(*pidFile + ".signals.ready")
	if err := os.WriteFile(*pidFile, []byte(strconv.Itoa(pid)), 0o644); err != nil {
		fatalf("worker: %v", err)
	}

	action, value, _ := strings.Cut(*then, ":")
	switch action {
	case "exit":
		os.Exit(atoi(value))
	case "kill":
		dieBySignal(parseSignal(value))
	}
	fatalf("worker: invalid -then %q", *then)
}

// startSelf starts this program with args in the same process group and does
// not wait for it.
func startSelf(args ...string) int {
	argv := append([]string{"testchild"}, args...)
	pid, err := syscall.ForkExec("/proc/self/exe", argv, &syscall.ProcAttr{Files: []uintptr{0, 1, 2}})
	if err != nil {
		fatalf("start %v: %v", args, err)
	}
	return pid
}

// dieBySignal sets sig's action to the default with rt_sigaction, since the Go
// runtime catches most signals (and dumps goroutines on SIGQUIT), then sends
// sig to this process.
func dieBySignal(sig syscall.Signal) {
	var act struct {
		handler  uintptr // SIG_DFL
		flags    uint64
		restorer uintptr
		mask     uint64
	}
	if sig == syscall.SIGKILL || sig == syscall.SIGSTOP {
		syscall.Kill(os.Getpid(), sig)
	}
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0); errno != 0 {
		fatalf("rt_sigaction %v: %v", sig, errno)
	}
	syscall.Kill(os.Getpid(), sig)
	time.Sleep(10 * time.Second)
	fatalf("still alive after %v", sig)
}

func waitForFile(path string) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(time.Millisecond)
	}
	fatalf("%s never appeared", path)
}

func parseSignals(list string) []syscall.Signal {
	var sigs []syscall.Signal
	for _, name := range strings.Split(list, ",") {
		if name != "" {
			sigs = append(sigs, parseSignal(name))
		}
	}
	return sigs
}

func parseSignal(value string) syscall.Signal {
	if n, err := strconv.Atoi(value); err == nil {
		return syscall.Signal(n)
	}
	sig := unix.SignalNum(value)
	if sig == 0 {
		fatalf("unknown signal %q", value)
	}
	return sig
}

func contains(sigs []syscall.Signal, sig syscall.Signal) bool {
	for _, s := range sigs {
		if s == sig {
			return true
		}
	}
	return false
}

func arg(args []string, i int) string {
	if i >= len(args) {
		fatalf("missing argument %d", i+1)
	}
	return args[i]
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fatalf("invalid number %q", s)
	}
	return n
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "testchild: "+format+"\n", args...)
	os.Exit(99)
}

// ignoreAndExec ignores signal sig with a raw rt_sigaction, which works for
// the signals 32 to 34 that the Go runtime and glibc keep to themselves, and
// execs argv, which inherits the ignored disposition.
func ignoreAndExec(sig int, argv []string) {
	if len(argv) == 0 {
		fatalf("ignore-exec: no program")
	}
	act := struct {
		handler  uintptr
		flags    uint64
		restorer uintptr
		mask     uint64
	}{handler: 1} // SIG_IGN
	if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0); errno != 0 {
		fatalf("ignore-exec: rt_sigaction %d: %v", sig, errno)
	}
	fatalf("ignore-exec: %v", unix.Exec(argv[0], argv, os.Environ()))
}
