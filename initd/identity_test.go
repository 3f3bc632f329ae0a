package initd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseStatusCaptured(t *testing.T) {
	tests := []struct {
		file       string
		noNewPrivs bool
		capEff     uint64
		capPrm     uint64
		capBnd     uint64
	}{
		// cat /proc/self/status as root.
		{"status-root.txt", false, 0x1fffeffffff, 0x1fffeffffff, 0x1fffeffffff},
		// setpriv --reuid=101 --regid=101 --clear-groups --no-new-privs cat /proc/self/status
		{"status-nonroot-nnp.txt", true, 0, 0, 0x1fffeffffff},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()

			var id Identity
			if err := parseStatus(f, &id); err != nil {
				t.Fatalf("parseStatus: %v", err)
			}
			if id.NoNewPrivs != tt.noNewPrivs {
				t.Errorf("NoNewPrivs = %t, want %t", id.NoNewPrivs, tt.noNewPrivs)
			}
			if id.CapEff != tt.capEff {
				t.Errorf("CapEff = %#x, want %#x", id.CapEff, tt.capEff)
			}
			if id.CapPrm != tt.capPrm {
				t.Errorf("CapPrm = %#x, want %#x", id.CapPrm, tt.capPrm)
			}
			if id.CapBnd != tt.capBnd {
				t.Errorf("CapBnd = %#x, want %#x", id.CapBnd, tt.capBnd)
			}
			if id.CapAmb != 0 {
				t.Errorf("CapAmb = %#x, want 0", id.CapAmb)
			}
		})
	}
}

func TestParseStatusMalformed(t *testing.T) {
	tests := map[string]string{
		"capability not hex": "CapEff:\tzzzz\n",
		"capability too big": "CapEff:\t1ffffffffffffffff\n",
		"no_new_privs word":  "NoNewPrivs:\tyes\n",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			var id Identity
			if err := parseStatus(strings.NewReader(text), &id); err == nil {
				t.Errorf("parseStatus(%q) = nil, want an error", text)
			}
		})
	}
}

func FuzzParseStatus(f *testing.F) {
	for _, name := range []string{"status-root.txt", "status-nonroot-nnp.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, text string) {
		var id Identity
		_ = parseStatus(strings.NewReader(text), &id)
	})
}

func TestReadIdentity(t *testing.T) {
	id, err := ReadIdentity()
	if err != nil {
		t.Fatalf("ReadIdentity: %v", err)
	}
	if id.PID != os.Getpid() {
		t.Errorf("PID = %d, want %d", id.PID, os.Getpid())
	}
	if id.UID != os.Getuid() || id.EUID != os.Geteuid() {
		t.Errorf("UID, EUID = %d, %d, want %d, %d", id.UID, id.EUID, os.Getuid(), os.Geteuid())
	}
	if id.CapBnd == 0 {
		t.Errorf("CapBnd = 0, want the bounding set from /proc/self/status")
	}
}

func TestCheckIdentityRoot(t *testing.T) {
	tests := map[string]Identity{
		"real uid 0":      {UID: 0, EUID: 101},
		"effective uid 0": {UID: 101, EUID: 0},
	}
	for name, id := range tests {
		t.Run(name, func(t *testing.T) {
			err := CheckIdentity(id, "")
			if !errors.Is(err, ErrRoot) {
				t.Fatalf("CheckIdentity = %v, want ErrRoot", err)
			}
			for _, fix := range []string{"USER 101:101", "runAsUser: 101", "runAsNonRoot: true"} {
				if !strings.Contains(err.Error(), fix) {
					t.Errorf("message %q does not name the fix %q", err, fix)
				}
			}
		})
	}
}

func TestCheckIdentityArbitraryUID(t *testing.T) {
	// OpenShift runs images as an arbitrary uid with gid 0.
	id := Identity{UID: 1000680000, EUID: 1000680000, GID: 0, EGID: 0}
	if err := CheckIdentity(id, ""); err != nil {
		t.Errorf("CheckIdentity = %v, want nil", err)
	}
}

func TestCheckIdentitySetuidBinary(t *testing.T) {
	nonRoot := Identity{UID: 101, EUID: 101, GID: 101, EGID: 101}
	tests := []struct {
		name string
		mode os.FileMode
		want error
		text []string // parts of the message
	}{
		{"plain", 0o755, nil, nil},
		{"setuid", 0o755 | os.ModeSetuid, ErrSetuidBinary, []string{"the setuid bit", "mode 4755", "-rwsr-xr-x", "chmod ug-s"}},
		{"setgid", 0o755 | os.ModeSetgid, ErrSetuidBinary, []string{"the setgid bit", "mode 2755", "-rwxr-sr-x", "chmod ug-s"}},
		{"both", 0o750 | os.ModeSetuid | os.ModeSetgid, ErrSetuidBinary, []string{"the setuid bit", "the setgid bit", "mode 6750", "-rwsr-s---", "remove both bits"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			self := filepath.Join(t.TempDir(), "nginit")
			if err := os.WriteFile(self, nil, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(self, tt.mode); err != nil {
				t.Fatal(err)
			}
			err := CheckIdentity(nonRoot, self)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("CheckIdentity(mode %s) = %v, want %v", tt.mode, err, tt.want)
			}
			for _, part := range tt.text {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("message %q does not contain %q", err, part)
				}
			}
		})
	}
}

func TestCheckIdentitySetuidRootCopy(t *testing.T) {
	// A setuid-root copy started by uid 101 runs with euid 0. The error names
	// the setuid bit, the cause, instead of only the root identity.
	self := filepath.Join(t.TempDir(), "nginit")
	if err := os.WriteFile(self, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(self, 0o755|os.ModeSetuid); err != nil {
		t.Fatal(err)
	}
	id := Identity{UID: 101, EUID: 0, GID: 101, EGID: 101}

	err := CheckIdentity(id, self)
	if !errors.Is(err, ErrSetuidBinary) {
		t.Fatalf("CheckIdentity = %v, want ErrSetuidBinary", err)
	}
	for _, part := range []string{"the setuid bit", "chmod ug-s " + self} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("message %q does not contain %q", err, part)
		}
	}
}

func TestCheckIdentityEffectiveIDsDiffer(t *testing.T) {
	// The file check cannot see these: the binary at self has no special bit,
	// as after the file was replaced, or a launcher set only the effective ids.
	self := filepath.Join(t.TempDir(), "nginit")
	if err := os.WriteFile(self, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		id       Identity
		wantRoot bool
	}{
		{"euid differs", Identity{UID: 101, EUID: 102, GID: 101, EGID: 101}, false},
		{"egid differs", Identity{UID: 101, EUID: 101, GID: 101, EGID: 0}, false},
		{"euid 0", Identity{UID: 101, EUID: 0, GID: 101, EGID: 101}, true},
		{"real uid 0", Identity{UID: 0, EUID: 101, GID: 101, EGID: 101}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{self, ""} {
				err := CheckIdentity(tt.id, path)
				if !errors.Is(err, ErrSetuidBinary) {
					t.Fatalf("CheckIdentity(%+v, %q) = %v, want ErrSetuidBinary", tt.id, path, err)
				}
				if got := errors.Is(err, ErrRoot); got != tt.wantRoot {
					t.Errorf("CheckIdentity(%+v, %q) wraps ErrRoot = %t, want %t", tt.id, path, got, tt.wantRoot)
				}
				if !strings.Contains(err.Error(), "real and effective ids differ") {
					t.Errorf("message %q does not name the differing ids", err)
				}
				if !strings.Contains(err.Error(), "chmod ug-s") {
					t.Errorf("message %q does not name the fix `chmod ug-s`", err)
				}
			}
		})
	}
}

func TestSymbolicMode(t *testing.T) {
	tests := []struct {
		mode uint32
		want string
	}{
		{0o100755, "-rwxr-xr-x"},
		{0o104755, "-rwsr-xr-x"},
		{0o102755, "-rwxr-sr-x"},
		{0o104644, "-rwSr--r--"},
		{0o041777, "drwxrwxrwt"},
		{0o041770, "drwxrwx--T"},
		{0o042770, "drwxrws---"},
		{0o120777, "lrwxrwxrwx"},
	}
	for _, tt := range tests {
		if got := symbolicMode(tt.mode); got != tt.want {
			t.Errorf("symbolicMode(%#o) = %q, want %q", tt.mode, got, tt.want)
		}
	}
}
