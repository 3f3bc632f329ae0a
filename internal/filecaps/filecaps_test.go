package filecaps

import (
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		value string // hex, as getfattr -e hex prints it
		want  Set
	}{
		// Written by setcap cap_net_bind_service=+ep on Linux 6.18.
		{"revision 2 effective", "0100000200040000000000000000000000000000",
			Set{Permitted: 0x400, Effective: true, Revision: 2}},
		// setcap cap_net_bind_service=+p: permitted but not effective.
		{"revision 2 permitted only", "0000000200040000000000000000000000000000",
			Set{Permitted: 0x400, Revision: 2}},
		// CAP_CHECKPOINT_RESTORE (40) lives in the upper word.
		{"revision 2 upper word", "0100000200040000020000000001000000000000",
			Set{Permitted: 0x400 | 1<<40, Inheritable: 0x2, Effective: true, Revision: 2}},
		{"revision 3 with root id", "0100000300040000000000000000000000000000a0860100",
			Set{Permitted: 0x400, Effective: true, RootID: 100000, Revision: 3}},
		{"revision 1", "010000010004000000000000",
			Set{Permitted: 0x400, Effective: true, Revision: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := hex.DecodeString(tt.value)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse(%s) error: %v", tt.value, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%s) = %+v, want %+v", tt.value, got, tt.want)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name  string
		value string
	}{
		{"empty", ""},
		{"header cut short", "010000"},
		{"revision 2 too short", "01000002000400000000000000000000"},
		{"revision 2 too long", "0100000200040000000000000000000000000000a0860100"},
		{"revision 3 too short", "0100000300040000000000000000000000000000"},
		{"revision 1 too long", "0100000100040000000000000000000000000000"},
		{"unknown revision", "0100000400040000000000000000000000000000"},
		{"revision 0", "0100000000040000000000000000000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tt.value)
			got, err := Parse(b)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%q) = %+v, %v, want ErrInvalid", tt.value, got, err)
			}
		})
	}
}

func TestSetMethods(t *testing.T) {
	s := Set{Permitted: 0x400, Effective: true, Revision: 2}
	if s.IsZero() {
		t.Errorf("%+v.IsZero() = true, want false", s)
	}
	if !s.Permits(10) {
		t.Errorf("%+v.Permits(10) = false, want true", s)
	}
	if s.Permits(12) || s.Permits(64) {
		t.Errorf("%+v.Permits(12 or 64) = true, want false", s)
	}
	if got, want := s.String(), "permitted 0x400, effective"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !(Set{}).IsZero() {
		t.Errorf("Set{}.IsZero() = false, want true")
	}
}

func TestReadWithoutCapabilities(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil || !got.IsZero() {
		t.Errorf("Read(%s) = %+v, %v, want the zero Set and no error", path, got, err)
	}
}

func TestReadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing")
	if _, err := Read(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read(%s) error = %v, want one wrapping ENOENT", path, err)
	}
}

// TestReadSetcap reads what the real setcap wrote on a copy of nginx.
func TestReadSetcap(t *testing.T) {
	if os.Geteuid() != 0 {
		requireOrSkip(t, "setcap needs root")
	}
	setcap, err := exec.LookPath("setcap")
	if err != nil {
		requireOrSkip(t, "setcap not installed (Debian package libcap2-bin)")
	}
	source := "/usr/sbin/nginx"
	if _, err := os.Stat(source); err != nil {
		source = "/bin/true"
	}
	b, err := os.ReadFile(source)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "nginx")
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		spec string
		want Set
	}{
		{"cap_net_bind_service=+ep", Set{Permitted: 0x400, Effective: true, Revision: 2}},
		{"cap_net_bind_service=+p", Set{Permitted: 0x400, Revision: 2}},
		{"cap_net_bind_service,cap_chown=+p cap_kill=+i", Set{Permitted: 0x401, Inheritable: 0x20, Revision: 2}},
	}
	for _, tt := range tests {
		if out, err := exec.Command(setcap, tt.spec, path).CombinedOutput(); err != nil {
			t.Fatalf("setcap %s %s: %v\n%s", tt.spec, path, err, out)
		}
		got, err := Read(path)
		if err != nil || got != tt.want {
			t.Errorf("after setcap %s: Read = %+v, %v, want %+v", tt.spec, got, err, tt.want)
		}
	}
}

func requireOrSkip(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("NGINIT_E2E") == "required" {
		t.Fatalf("%s, and NGINIT_E2E=required", reason)
	}
	t.Skip(reason)
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"0100000200040000000000000000000000000000",
		"0100000300040000000000000000000000000000a0860100",
		"010000010004000000000000",
	} {
		b, _ := hex.DecodeString(seed)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		set, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%x) error %v does not wrap ErrInvalid", b, err)
			}
			return
		}
		if set.Revision < 1 || set.Revision > 3 {
			t.Errorf("Parse(%x) revision = %d, want 1 to 3", b, set.Revision)
		}
	})
}
