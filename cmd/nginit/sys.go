package main

import (
	"syscall"

	"golang.org/x/sys/unix"
)

func setUmask(mask int) { unix.Umask(mask) }

func unixSignal(s signalName) syscall.Signal { return syscall.Signal(s) }
