package initd_test

import (
	"github.com/nginit/nginit/internal/testproc"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY returns the controller and the terminal side of a new
// pseudo-terminal.
func openPTY(t *testing.T) (controller, terminal *os.File) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("open /dev/ptmx: %v", err)
	}
	controller = os.NewFile(uintptr(fd), "/dev/ptmx")
	t.Cleanup(func() { controller.Close() })

	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("get pty number: %v", err)
	}
	terminal, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return controller, terminal
}

func TestTerminalForegroundAndCtrlC(t *testing.T) {
	// testinit runs as a session leader with the terminal as its controlling
	// terminal, as under docker run -it. The child's process group must
	// become the foreground group, so that Ctrl-C reaches the child.
	controller, terminal := openPTY(t)

	p := &initProcess{t: t, done: make(chan struct{})}
	p.cmd = newCommand(t, []string{"NGINIT_DEBUG=1"}, testinitBin, "sh", "-c", "cat /proc/self/stat; exec sleep 30")
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = terminal, terminal, terminal
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	p.start(t)
	terminal.Close()

	var output testproc.Buffer
	go io.Copy(&output, controller) // ends with EIO once no process holds the terminal

	var stat string
	waitFor(t, 10*time.Second, "the child's /proc/self/stat on the terminal", func() bool {
		for _, line := range strings.Split(output.String(), "\n") {
			if strings.Contains(line, "(cat)") {
				stat = strings.TrimSpace(line)
				return true
			}
		}
		return false
	})
	// Fields after the command name: state, ppid, pgrp, session, tty_nr, tpgid.
	fields := strings.Fields(stat[strings.LastIndexByte(stat, ')')+1:])
	if pgrp, tpgid := fields[2], fields[5]; pgrp != tpgid {
		t.Errorf("child's process group %s is not the terminal's foreground group %s", pgrp, tpgid)
	}

	if _, err := controller.Write([]byte{0x03}); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	if got, want := p.wait(10*time.Second), 128+int(syscall.SIGINT); got != want {
		t.Errorf("exit status = %d, want %d", got, want)
	}
	assertNoGoroutineDump(t, output.String())
	if strings.Contains(output.String(), "restore the terminal") {
		t.Errorf("nginit failed to take the terminal back:\n%s", output.String())
	}
}
