package main

import (
	"encoding/binary"
	"os"
	"os/signal"
	"syscall"
)

// receive writes a zero time stamp to fifo once it is subscribed to SIGUSR1,
// then the CLOCK_MONOTONIC time of each SIGUSR1, until SIGTERM or SIGQUIT.
// The time is taken as soon as Go's signal handling hands the signal over.
func receive(fifo string) error {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGINT)

	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()

	var stamp [8]byte
	if _, err := f.Write(stamp[:]); err != nil {
		return err
	}
	for sig := range sigs {
		now := monotonic()
		if sig != syscall.SIGUSR1 {
			return nil
		}
		binary.LittleEndian.PutUint64(stamp[:], uint64(now))
		if _, err := f.Write(stamp[:]); err != nil {
			return err
		}
	}
	return nil
}
