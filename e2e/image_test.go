package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	// exampleImage is the tag of the image built from Dockerfile.example.
	exampleImage = "localhost/nginit-test/example:test"

	// exampleURL is where the example configuration listens, seen from
	// inside the container's network namespace.
	exampleURL = "http://127.0.0.1:8080"

	imageStartTimeout = 15 * time.Second

	// imageStopTimeout is what `podman stop` waits before SIGKILL. It is
	// longer than nginit's default NGINIT_STOP_TIMEOUT (30s) plus
	// NGINIT_KILL_GRACE (5s), so only nginit decides how the stop goes.
	imageStopTimeout = 40 * time.Second

	// drainFileSize is large enough that the response is still being sent
	// when the stop arrives, even with loopback socket buffers of several
	// MiB in between.
	drainFileSize = 64 << 20
)

// secureRunFlags are the flags that the documentation gives for `docker
// run`, in podman's spelling. --read-only-tmpfs=false keeps podman from
// adding the tmpfs mounts at /run, /tmp and /var/tmp that Docker does not
// add, so the container has exactly the writable mounts the flags name.
var secureRunFlags = []string{
	"--read-only",
	"--read-only-tmpfs=false",
	"--tmpfs", "/tmp",
	"--user", "101:101",
	"--cap-drop", "ALL",
	"--security-opt", "no-new-privileges",
}

// TestImage builds Dockerfile.example offline with podman, from base images
// the test assembles out of the host's Go toolchain and Debian's nginx, then
// runs it the way docs/deploying.md describes.
func TestImage(t *testing.T) {
	requireImagePrerequisites(t)
	root := imageModuleRoot(t)
	p := newPodman(t)

	goImage := importGoToolchain(t, p, root)
	nginxImage := importNginxBase(t, p)
	buildExampleImage(t, p, root, goImage, nginxImage)

	t.Run("Config", func(t *testing.T) { testImageConfig(t, p) })
	t.Run("Filesystem", func(t *testing.T) { testImageFilesystem(t, p) })
	t.Run("ServesAndDrains", func(t *testing.T) { testImageServesAndDrains(t, p, root) })
	t.Run("Compose", func(t *testing.T) { testComposeExample(t, p, root) })
}

// buildExampleImage builds Dockerfile.example with the local base images.
// chroot isolation needs no user namespace or overlay support, and podman
// allows it only with the host network; GOPROXY=off in the toolchain image
// and the registries configuration keep the build offline all the same. The
// host's Go build cache is mounted, so the build compiles only what changed.
func buildExampleImage(t *testing.T, p *podman, root, goImage, nginxImage string) {
	t.Helper()
	cache := goEnv(t, "GOCACHE")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p.must(t, "build",
		"--file", filepath.Join(root, "Dockerfile.example"),
		"--tag", exampleImage,
		"--build-arg", "GO_IMAGE="+goImage,
		"--build-arg", "NGINX_IMAGE="+nginxImage,
		"--pull=never",
		"--layers=false",
		"--isolation", "chroot",
		"--network", "host",
		"--format", "docker",
		"--volume", cache+":/root/.cache/go-build",
		root)
	t.Logf("built %s in %v", exampleImage, time.Since(start).Round(time.Millisecond))
}

// imageConfig is the part of `podman image inspect` that the test checks.
type imageConfig struct {
	Config struct {
		User       string
		Entrypoint []string
		Cmd        []string
		StopSignal string
	}
	HealthCheck struct {
		Test []string
	}
}

func inspectImage(t *testing.T, p *podman, image string) imageConfig {
	t.Helper()
	var configs []imageConfig
	if err := json.Unmarshal([]byte(p.must(t, "image", "inspect", image)), &configs); err != nil || len(configs) != 1 {
		t.Fatalf("podman image inspect %s: %v, %d images", image, err, len(configs))
	}
	return configs[0]
}

func testImageConfig(t *testing.T, p *podman) {
	c := inspectImage(t, p, exampleImage)
	checks := []struct {
		name      string
		got, want string
	}{
		{"USER", c.Config.User, "101:101"},
		{"ENTRYPOINT", strings.Join(c.Config.Entrypoint, " "), "/nginit"},
		{"CMD", strings.Join(c.Config.Cmd, "|"), "nginx|-g|daemon off;"},
		{"STOPSIGNAL", c.Config.StopSignal, "SIGTERM"},
		{"HEALTHCHECK", strings.Join(c.HealthCheck.Test, " "), "CMD /nginit health"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("image %s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

// testImageFilesystem checks that nothing nginx reads is writable by uid
// 101 or by group 0, which OpenShift's arbitrary uids are members of.
func testImageFilesystem(t *testing.T, p *podman) {
	mnt := p.must(t, "image", "mount", exampleImage)
	t.Cleanup(func() { p.run("image", "unmount", exampleImage) })

	checkRootOwned := func(path string, wantMode fs.FileMode) {
		t.Helper()
		info, err := os.Lstat(filepath.Join(mnt, path))
		if err != nil {
			t.Error(err)
			return
		}
		st := info.Sys().(*syscall.Stat_t)
		if st.Uid != 0 || st.Gid != 0 {
			t.Errorf("%s owner = %d:%d, want 0:0", path, st.Uid, st.Gid)
		}
		if info.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != wantMode {
			t.Errorf("%s mode = %v, want %v", path, info.Mode(), wantMode)
		}
	}
	checkRootOwned("/nginit", 0o755)
	checkRootOwned("/etc/nginx/nginx.conf", 0o644)
	// The image must not chmod /tmp: a mode without the sticky bit lets
	// any user remove another's files there.
	checkRootOwned("/tmp", fs.ModeSticky|0o777)

	html := filepath.Join(mnt, "usr/share/nginx/html")
	err := filepath.WalkDir(html, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(mnt, path)
		if d.IsDir() {
			checkRootOwned("/"+rel, 0o755)
		} else {
			checkRootOwned("/"+rel, 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testImageServesAndDrains(t *testing.T, p *podman, root string) {
	drainDir := writeDrainFile(t)
	flags := append(append([]string{}, secureRunFlags...),
		"--volume", drainDir+":/usr/share/nginx/html/drain:ro")
	name := p.startContainer(t, exampleImage, flags)
	pid := p.containerPID(t, name)
	client := netnsClient(pid)
	waitImageHTTP(t, p, name, client)

	for _, path := range []string{"index.html", "assets/about.html"} {
		want, err := os.ReadFile(filepath.Join(root, "examples/site", path))
		if err != nil {
			t.Fatal(err)
		}
		if got := getBody(t, client, "/"+path); !bytes.Equal(got, want) {
			t.Errorf("GET /%s = %q, want the content of examples/site/%s", path, got, path)
		}
	}

	checkProcessStatus(t, pid, map[string]string{
		"Uid":        "101\t101\t101\t101",
		"Gid":        "101\t101\t101\t101",
		"CapEff":     "0000000000000000",
		"NoNewPrivs": "1",
	})

	// The HEALTHCHECK's own command, run the way the engine runs it.
	if out, err := p.run("exec", name, "/nginit", "health"); err != nil {
		t.Errorf("/nginit health in a serving container: %v\n%s", err, out)
	}

	testStopDrains(t, p, name, client)
}

// testStopDrains starts a download, stops the container while the response
// is still being sent, and checks that the download completes and the
// container exits 0: nginit turned `podman stop`'s SIGTERM into nginx's
// graceful SIGQUIT. nginx's own SIGTERM handling would cut the response.
func testStopDrains(t *testing.T, p *podman, name string, client *http.Client) {
	resp, err := client.Get(exampleURL + "/drain/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /drain/big.bin status = %d, want 200", resp.StatusCode)
	}
	first := make([]byte, 1<<20)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatalf("read the first MiB of /drain/big.bin: %v", err)
	}

	stopped := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := p.run("stop", "--time", fmt.Sprint(int(imageStopTimeout.Seconds())), name)
		stopped <- err
	}()

	// Reading nothing for a while keeps the response in flight while the
	// stop request reaches nginit and nginx.
	time.Sleep(2 * time.Second)
	rest, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		t.Errorf("download during the stop failed after %d bytes: %v", len(first)+int(rest), err)
	}
	if got := int64(len(first)) + rest; got != drainFileSize {
		t.Errorf("download during the stop got %d bytes, want %d", got, drainFileSize)
	}

	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if code := p.must(t, "inspect", "--format", "{{.State.ExitCode}}", name); code != "0" {
		t.Errorf("exit code after podman stop = %s, want 0", code)
	}
	if elapsed > imageStopTimeout/2 {
		t.Errorf("podman stop took %v, want a drain well within %v", elapsed, imageStopTimeout)
	}
}

// writeDrainFile writes drainFileSize random bytes as big.bin into a
// directory that uid 101 can read, and returns the directory.
func writeDrainFile(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, drainFileSize)
	rand.Read(data)
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// waitImageHTTP waits until nginx responds in container name, and fails
// early when the container stops first.
func waitImageHTTP(t *testing.T, p *podman, name string, client *http.Client) {
	t.Helper()
	deadline := time.Now().Add(imageStartTimeout)
	for {
		resp, err := client.Get(exampleURL + "/")
		if err == nil {
			resp.Body.Close()
			return
		}
		if running, _ := p.run("inspect", "--format", "{{.State.Running}}", name); strings.TrimSpace(running) != "true" {
			t.Fatalf("container %s stopped before nginx answered: %v", name, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx in container %s did not answer within %v: %v", name, imageStartTimeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// getBody requests path and returns the body of a 200 response.
func getBody(t *testing.T, client *http.Client, path string) []byte {
	t.Helper()
	resp, err := client.Get(exampleURL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s status = %d, want 200", path, resp.StatusCode)
	}
	return body
}

// checkProcessStatus compares fields of /proc/pid/status with want.
func checkProcessStatus(t *testing.T, pid int, want map[string]string) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if key, value, ok := strings.Cut(line, ":"); ok {
			got[key] = strings.TrimSpace(value)
		}
	}
	for key, value := range want {
		if got[key] != value {
			t.Errorf("container init %s = %q, want %q", key, got[key], value)
		}
	}
}

// imageModuleRoot returns the directory of the module's go.mod.
func imageModuleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("go env GOMOD: the test does not run inside the module")
	}
	return filepath.Dir(gomod)
}
