package testproc

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

func TestZombiesFindsUnwaitedChild(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Wait() })

	// Until Wait, the exited child stays a zombie of this process.
	deadline := time.Now().Add(5 * time.Second)
	for {
		zombies, err := Zombies(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(zombies, cmd.Process.Pid) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Zombies(%d) = %v, want it to contain the exited child %d", os.Getpid(), zombies, cmd.Process.Pid)
		}
		time.Sleep(10 * time.Millisecond)
	}

	cmd.Wait()
	zombies, _ := Zombies(os.Getpid())
	if slices.Contains(zombies, cmd.Process.Pid) {
		t.Errorf("Zombies after Wait = %v, still contains %d", zombies, cmd.Process.Pid)
	}
}
