package e2e

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/nginit/nginit/internal/containertest"
)

func TestTemplatesNotIncludedRefused(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// The example configuration includes nothing from /tmp/nginit/conf.d, so
	// nginx would start with the image's site and ignore the rendered one.
	opts := nginitOptions(t)
	opts.Files = append(opts.Files,
		containertest.File{Path: "/etc/nginx/templates", Dir: true, Mode: 0o755},
		containertest.File{Path: "/etc/nginx/templates/app.conf.template", Mode: 0o644,
			Data: []byte("server { listen 127.0.0.1:${APP_PORT}; return 200 \"$uri\"; }\n")})
	opts.Env = append(opts.Env, "APP_PORT=9999")

	status, out := runToExit(t, opts)
	assertRefused(t, status, out, "templates.not-included", "/tmp/nginit/conf.d")
}

func TestNginxInheritsUmask(t *testing.T) {
	requirePrerequisites(t)
	tests := []struct {
		umask string
		want  string
	}{
		{umask: "", want: "0027"},
		{umask: "0077", want: "0077"},
	}
	for _, tt := range tests {
		t.Run("umask "+tt.want, func(t *testing.T) {
			t.Parallel()
			opts := nginitOptions(t)
			if tt.umask != "" {
				opts.Env = append(opts.Env, "NGINIT_UMASK="+tt.umask)
			}
			c, state := startNginit(t, opts)

			pids, err := c.Processes()
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, pid := range pids {
				ppid := procStatusField(t, pid, "PPid")
				if len(ppid) != 1 || ppid[0] != strconv.Itoa(state.Pid) {
					continue
				}
				checked++
				if got := procStatusField(t, pid, "Umask"); len(got) != 1 || got[0] != tt.want {
					t.Errorf("nginx master (pid %d) umask = %v, want %s", pid, got, tt.want)
				}
			}
			if checked == 0 {
				t.Fatal(fmt.Sprintf("no child of nginit (host pid %d) among %v", state.Pid, pids))
			}
		})
	}
}
