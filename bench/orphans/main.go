// Command orphans measures how fast its parent, an init, reaps orphans. It
// starts copies of itself that fork N children and exit, so the children
// are reparented to the nearest subreaper or to PID 1 of the pid namespace.
// Then it closes the pipe that every child blocks on, so all of them exit at
// once, and polls with kill(pid, 0) until no pid is left, because a zombie
// still exists until its parent reaps it.
//
//	INIT -- orphans [-n 10000] [-out FILE]
//
// It prints, and appends to FILE, the milliseconds from the release of the
// orphans until the last one was reaped. It fails when the orphans were not
// reparented to its own parent, which means the init is neither PID 1 nor a
// subreaper.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pollInterval leaves the CPU to the init between two rounds of kill(pid, 0).
const pollInterval = time.Millisecond

// spawners is the number of processes that fork the orphans. The cost of a
// fork grows with the number of earlier forks of the same process, because
// the kernel links every copy-on-write mapping to each copy's anon_vma, so
// 10,000 forks of one process took 6 to 13 s and 20 spawners take about 1 s.
const spawners = 20

func main() {
	var err error
	if len(os.Args) == 3 && os.Args[1] == "spawn" {
		err = spawn(os.Args[2])
	} else {
		err = measure()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "orphans:", err)
		os.Exit(1)
	}
}

func measure() error {
	n := flag.Int("n", 10000, "number of orphans")
	out := flag.String("out", "", "file that the result in milliseconds is appended to")
	flag.Parse()

	release, releaseWriter, err := os.Pipe()
	if err != nil {
		return err
	}

	// Each spawner gets the read end of the release pipe as descriptor 3
	// and a pipe of its own as stdout, for the pids it forked.
	spawnStart := time.Now()
	var cmds []*exec.Cmd
	var pidReaders []*os.File
	for i := 0; i < spawners; i++ {
		pidReader, pidWriter, err := os.Pipe()
		if err != nil {
			return err
		}
		count := *n / spawners
		if i < *n%spawners {
			count++
		}
		cmd := exec.Command("/proc/self/exe", "spawn", strconv.Itoa(count))
		cmd.ExtraFiles = []*os.File{release}
		cmd.Stdout = pidWriter
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start spawner: %w", err)
		}
		pidWriter.Close()
		cmds = append(cmds, cmd)
		pidReaders = append(pidReaders, pidReader)
	}
	release.Close()

	var pids []int
	for i, cmd := range cmds {
		forked, err := readPids(pidReaders[i])
		if err != nil {
			return err
		}
		pids = append(pids, forked...)
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("spawner: %w", err)
		}
	}
	spawned := time.Since(spawnStart)

	reaper, err := parentOf(pids[0])
	if err != nil {
		return err
	}
	if reaper != os.Getppid() {
		releaseWriter.Close()
		return fmt.Errorf("orphan %d was reparented to pid %d, not to the init (pid %d): the init is neither PID 1 nor a subreaper",
			pids[0], reaper, os.Getppid())
	}

	start := time.Now()
	releaseWriter.Close()
	left := pids
	for len(left) > 0 {
		time.Sleep(pollInterval)
		left = alive(left)
	}
	elapsed := time.Since(start)

	ms := float64(elapsed.Microseconds()) / 1000
	fmt.Printf("reaped %d orphans in %.3f ms (spawned in %.0f ms)\n", len(pids), ms, float64(spawned.Milliseconds()))
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := fmt.Fprintf(f, "%.3f\n", ms); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
	}
	return nil
}

// readPids reads the spawner's pids, one a line, up to the line "done".
func readPids(r *os.File) ([]int, error) {
	var pids []int
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		if scanner.Text() == "done" {
			return pids, nil
		}
		pid, err := strconv.Atoi(scanner.Text())
		if err != nil {
			return nil, fmt.Errorf("read spawner output: %w", err)
		}
		pids = append(pids, pid)
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read spawner output: %w", err)
	}
	return nil, errors.New("read spawner output: spawner stopped before it forked every orphan")
}

// parentOf returns the parent pid of pid from /proc/PID/stat.
func parentOf(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name in brackets may contain spaces, so parse after it.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(fields) < 2 {
		return 0, fmt.Errorf("parse /proc/%d/stat: too few fields", pid)
	}
	return strconv.Atoi(fields[1])
}

// alive returns the pids that still exist, zombies included.
func alive(pids []int) []int {
	left := pids[:0]
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			left = append(left, pid)
		}
	}
	return left
}
