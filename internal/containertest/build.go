package containertest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModuleRoot returns the directory of the go.mod that encloses the current
// directory, as `go env GOMOD` reports it.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("go env GOMOD: not inside a module")
	}
	return filepath.Dir(gomod), nil
}

// BuildNginit builds ./cmd/nginit of the module at moduleRoot into dir the
// way the image does: static, trimmed and stripped. It returns the binary's
// path, or an error that includes the compiler's output. The binary reports
// nginit's default version, "dev".
func BuildNginit(moduleRoot, dir string) (string, error) {
	return BuildNginitVersion(moduleRoot, dir, "")
}

// BuildNginitVersion is BuildNginit with main.version set to version, as the
// Makefile sets it with -ldflags -X. An empty version keeps the default.
func BuildNginitVersion(moduleRoot, dir, version string) (string, error) {
	ldflags := "-s -w"
	if version != "" {
		ldflags += " -X main.version=" + version
	}
	out := filepath.Join(dir, "nginit")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags="+ldflags, "-o", out, "./cmd/nginit")
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build ./cmd/nginit in %s: %w\n%s", moduleRoot, err, output.String())
	}
	return out, nil
}

// Prerequisite is a host requirement of the container tests that is missing,
// with how to install it.
type Prerequisite struct {
	Missing string
	Fix     string
}

func (p Prerequisite) String() string { return p.Missing + ": " + p.Fix }

// CheckPrerequisites returns what the container tests need and the host
// lacks: root, runc, nginx and ldd.
func CheckPrerequisites() []Prerequisite {
	var missing []Prerequisite
	if os.Geteuid() != 0 {
		missing = append(missing, Prerequisite{
			Missing: fmt.Sprintf("root (running as uid %d)", os.Geteuid()),
			Fix:     "run the tests as root, for example `sudo -E go test ./e2e`",
		})
	}
	tools := []struct{ name, fix string }{
		{"runc", "apt-get install -y runc"},
		{"ldd", "apt-get install -y libc-bin"},
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool.name); err != nil {
			missing = append(missing, Prerequisite{Missing: tool.name + " not found in PATH", Fix: tool.fix})
		}
	}
	for _, path := range []string{hostNginx, hostMimeTypes} {
		if _, err := os.Stat(path); err != nil {
			missing = append(missing, Prerequisite{Missing: path + " not found", Fix: "apt-get install -y nginx"})
		}
	}
	return missing
}
