// Command siglatency measures how long an init takes to forward a signal to
// its child. It starts `INIT... siglatency receive FIFO`, sends SIGUSR1 to
// the init N times, one at a time, and reads from the FIFO the
// CLOCK_MONOTONIC time at which the child received each one. CLOCK_MONOTONIC
// is one clock for every process of the machine, so the difference is the
// latency.
//
//	siglatency [-n 1000] [-out FILE] -- INIT [ARG...]
//
// With no INIT, the signals go straight to the receiver, which measures the
// floor: the kernel's delivery and Go's signal handling in the receiver.
// It prints p50, p99, min and max in microseconds and writes every sample,
// one a line, to FILE.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// replyTimeout bounds the wait for one signal to arrive.
const replyTimeout = 5 * time.Second

func main() {
	var err error
	if len(os.Args) == 3 && os.Args[1] == "receive" {
		err = receive(os.Args[2])
	} else {
		err = measure()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "siglatency:", err)
		os.Exit(1)
	}
}

func measure() error {
	n := flag.Int("n", 1000, "number of signals")
	out := flag.String("out", "", "file for the samples in microseconds, one a line")
	flag.Parse()

	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "siglatency-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The receiver may run as another uid.
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o666); err != nil {
		return &os.PathError{Op: "mkfifo", Path: fifo, Err: err}
	}
	if err := os.Chmod(fifo, 0o666); err != nil {
		return err
	}

	args := append(flag.Args(), self, "receive", fifo)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", args[0], err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()

	// Opening a FIFO for reading blocks until the receiver opens it for
	// writing, which it does once it is subscribed to SIGUSR1.
	f, err := os.OpenFile(fifo, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	var stamp [8]byte
	if err := readReply(f, stamp[:]); err != nil {
		return fmt.Errorf("wait for the receiver: %w", err)
	}

	samples := make([]float64, 0, *n)
	for i := 0; i < *n; i++ {
		sent := monotonic()
		if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
			return fmt.Errorf("send signal %d: %w", i, err)
		}
		if err := readReply(f, stamp[:]); err != nil {
			return fmt.Errorf("signal %d: %w", i, err)
		}
		received := int64(binary.LittleEndian.Uint64(stamp[:]))
		samples = append(samples, float64(received-sent)/1e3)
	}

	if *out != "" {
		w, err := os.Create(*out)
		if err != nil {
			return err
		}
		for _, s := range samples {
			fmt.Fprintf(w, "%.3f\n", s)
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	slices.Sort(samples)
	fmt.Printf("p50 %.1f us  p99 %.1f us  min %.1f  max %.1f  (n=%d)\n",
		percentile(samples, 50), percentile(samples, 99), samples[0], samples[len(samples)-1], len(samples))
	return nil
}

// readReply reads one 8-byte time stamp, or times out.
func readReply(f *os.File, buf []byte) error {
	if err := f.SetReadDeadline(time.Now().Add(replyTimeout)); err != nil && !errors.Is(err, os.ErrNoDeadline) {
		return err
	}
	_, err := io.ReadFull(f, buf)
	return err
}

// percentile returns the p-th percentile of sorted samples, nearest rank.
func percentile(sorted []float64, p float64) float64 {
	rank := int(p / 100 * float64(len(sorted)))
	if rank >= len(sorted) {
		rank = len(sorted) - 1
	}
	return sorted[rank]
}

func monotonic() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}
