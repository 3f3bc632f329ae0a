package fsprep

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func init() {
	// args: path, maxSubdirs, then the levels.
	childFuncs["probe"] = func(args []string) (any, error) {
		maxSubdirs, err := strconv.Atoi(args[1])
		if err != nil {
			return nil, err
		}
		var levels []int
		for _, a := range args[2:] {
			l, err := strconv.Atoi(a)
			if err != nil {
				return nil, err
			}
			levels = append(levels, l)
		}
		res, err := ProbeWritable(args[0], levels, maxSubdirs)
		var failed []string
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			for _, e := range joined.Unwrap() {
				var fe *Error
				if errors.As(e, &fe) {
					failed = append(failed, fe.Path)
				}
			}
		}
		value, _ := json.Marshal(res)
		return map[string]any{"result": json.RawMessage(value), "failed": failed}, err
	}
}

func TestProbeWritable(t *testing.T) {
	base := fixtureDir(t)
	own := func(p string) entry { return entry{path: p, mode: 0o700, uid: runtimeUID, gid: runtimeGID} }
	buildTree(t, base, []entry{
		// An existing client_body_temp_path that root created 0700: nginx
		// starts, and the first request body written to disk fails.
		{path: "client_temp/", mode: 0o700},
		own("proxy_temp/"),
		own("proxy_temp/1/"),
		own("proxy_temp/1/00/"),
		{path: "proxy_temp/1/01/", mode: 0o755},
		own("proxy_temp/2/"),
		own("proxy_temp/notlevel/"),
		{path: "proxy_temp/3", linkTarget: "/tmp"},
		{path: "link_temp", linkTarget: "proxy_temp"},
		{path: "foreign_link_temp", linkTarget: "proxy_temp", uid: otherUID, gid: otherUID},
		{path: "open_temp/", mode: 0o777},
		{path: "open/", mode: 0o777},
		own("open/temp/"),
		{path: "sticky/", mode: os.ModeSticky | 0o777},
		own("sticky/temp/"),
		own("open_levels/"),
		{path: "open_levels/1/", mode: 0o777},
	})

	type probeValue struct {
		Result ProbeResult
		Failed []string
	}
	tests := []struct {
		name       string
		path       string
		maxSubdirs int
		levels     []string
		wantIs     string
		wantFailed []string
		wantProbed int
		truncated  bool
	}{
		{name: "root-owned 0700 temp dir", path: "client_temp", wantIs: "EACCES", wantProbed: 1},
		{name: "own dir without levels", path: "proxy_temp", wantProbed: 1},
		{name: "levels 1 2", path: "proxy_temp", levels: []string{"1", "2"}, wantIs: "EACCES",
			wantFailed: []string{"proxy_temp/1/01", "proxy_temp/3"}, wantProbed: 5},
		{name: "levels bounded", path: "proxy_temp", maxSubdirs: 1, levels: []string{"1", "2"}, wantProbed: 2, truncated: true},
		// A root-owned link in a root-owned 0755 directory is trusted, as
		// /var/run -> /run is in a base image; another uid's link is not.
		{name: "trusted symlink to temp dir", path: "link_temp", wantProbed: 1},
		{name: "foreign symlink to temp dir", path: "foreign_link_temp", wantIs: "ErrSymlink"},
		{name: "world-writable temp dir", path: "open_temp", wantIs: "ErrWorldWritable"},
		{name: "world-writable parent", path: "open/temp", wantIs: "ErrWorldWritable"},
		{name: "sticky world-writable parent", path: "sticky/temp", wantProbed: 1},
		{name: "world-writable level", path: "open_levels", levels: []string{"1"}, wantIs: "ErrWorldWritable",
			wantFailed: []string{"open_levels/1"}},
		{name: "invalid level", path: "proxy_temp", levels: []string{"3"}, wantIs: "ErrInvalidDir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(base, tt.path)
			var v probeValue
			got := runAsRuntimeUser(t, "probe", &v, append([]string{path, strconv.Itoa(tt.maxSubdirs)}, tt.levels...)...)
			if tt.wantIs == "" && got.Err != "" {
				t.Fatalf("ProbeWritable(%s) error = %q, want nil", path, got.Err)
			}
			if tt.wantIs != "" && !got.is(tt.wantIs) {
				t.Fatalf("ProbeWritable(%s) error = %q matching %v, want %s", path, got.Err, got.Is, tt.wantIs)
			}
			var wantFailed []string
			for _, f := range tt.wantFailed {
				wantFailed = append(wantFailed, filepath.Join(base, f))
			}
			if strings.Join(v.Failed, ",") != strings.Join(wantFailed, ",") {
				t.Errorf("ProbeWritable(%s) failed dirs = %v, want %v", path, v.Failed, wantFailed)
			}
			if tt.wantProbed != 0 && len(v.Result.Probed) != tt.wantProbed {
				t.Errorf("ProbeWritable(%s) probed %v, want %d dirs", path, v.Result.Probed, tt.wantProbed)
			}
			if v.Result.Truncated != tt.truncated {
				t.Errorf("ProbeWritable(%s).Truncated = %v, want %v", path, v.Result.Truncated, tt.truncated)
			}
		})
	}
}
