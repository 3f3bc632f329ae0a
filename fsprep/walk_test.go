package fsprep

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func init() {
	// args: root, limit, "verify" or "", index names joined by "," or "-"
	// for nil.
	childFuncs["walk"] = func(args []string) (any, error) {
		limit, err := strconv.Atoi(args[1])
		if err != nil {
			return nil, err
		}
		opts := WalkOptions{Limit: limit, VerifyFiles: args[2] == "verify"}
		if args[3] != "-" {
			opts.Index = strings.Split(args[3], ",")
		}
		return WalkRoot(args[0], opts)
	}
}

// walkAsRuntimeUser walks root as uid 101 and returns the report and the
// error text.
func walkAsRuntimeUser(t *testing.T, root string, limit int, verify bool, index string) (WalkReport, string) {
	t.Helper()
	var rep WalkReport
	v := ""
	if verify {
		v = "verify"
	}
	got := runAsRuntimeUser(t, "walk", &rep, root, strconv.Itoa(limit), v, index)
	return rep, got.Err
}

// findingSet formats findings as "kind path" with paths relative to base,
// sorted.
func findingSet(base string, findings []Finding) []string {
	var set []string
	for _, f := range findings {
		rel, _ := filepath.Rel(base, f.Path)
		set = append(set, f.Kind.String()+" "+rel)
	}
	sort.Strings(set)
	return set
}

// setACLDenyUser gives path a POSIX access ACL whose named-user entry denies
// uid everything while the mode still grants others read. It writes the
// system.posix_acl_access xattr directly, in the kernel's
// posix_acl_xattr format: a version word, then tag, perm and id per entry.
func setACLDenyUser(path string, uid uint32) error {
	const (
		aclUserObj  = 0x01
		aclUser     = 0x02
		aclGroupObj = 0x04
		aclMask     = 0x10
		aclOther    = 0x20
		undefinedID = 0xffffffff
	)
	entries := []struct {
		tag, perm uint16
		id        uint32
	}{
		{aclUserObj, 6, undefinedID},
		{aclUser, 0, uid},
		{aclGroupObj, 4, undefinedID},
		{aclMask, 4, undefinedID},
		{aclOther, 4, undefinedID},
	}
	buf := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range entries {
		buf = binary.LittleEndian.AppendUint16(buf, e.tag)
		buf = binary.LittleEndian.AppendUint16(buf, e.perm)
		buf = binary.LittleEndian.AppendUint32(buf, e.id)
	}
	return unix.Setxattr(path, "system.posix_acl_access", buf, 0)
}

func TestWalkRootFindings(t *testing.T) {
	base := fixtureDir(t)
	buildTree(t, base, []entry{
		{path: "site/", mode: 0o755},
		{path: "site/ok.html", mode: 0o644},
		{path: "site/secret.html", mode: 0o600},
		// The owner class applies to the owner although others may read.
		{path: "site/owner-denied.txt", mode: 0o044, uid: runtimeUID, gid: runtimeGID},
		// The group class applies to members although others may read.
		{path: "site/group-class-denied.txt", mode: 0o604, gid: runtimeGID},
		{path: "site/group-ok.txt", mode: 0o640, gid: runtimeGID},
		{path: "site/supplementary-ok.txt", mode: 0o640, gid: extraGroup},
		{path: "site/private/", mode: 0o700},
		{path: "site/private/hidden.html", mode: 0o644},
		{path: "site/listonly/", mode: 0o711},
		{path: "site/fifo", mode: 0o644, fifo: true},
		{path: "site/null", mode: 0o666, charDevice: true},
		{path: "site/socket", mode: 0o777, socket: true},
		{path: "site/out", linkTarget: "/etc"},
		{path: "site/dangling", linkTarget: "nowhere"},
		{path: "site/inside", linkTarget: "ok.html"},
		{path: "site/mine.txt", mode: 0o644, uid: runtimeUID, gid: runtimeGID},
		{path: "site/sub/", mode: 0o755},
		{path: "site/sub/deep.css", mode: 0o644},
		{path: "site/sub/deeper/", mode: 0o755},
		{path: "site/sub/deeper/app.js", mode: 0o644},
		{path: "site/acl.txt", mode: 0o644},
	})
	want := []string{
		"dangling-symlink site/dangling",
		"missing-index site",
		"special-file site/fifo",
		"special-file site/null",
		"special-file site/socket",
		"symlink-outside-root site/out",
		"unreadable-dir site/listonly",
		"unreadable-file site/group-class-denied.txt",
		"unreadable-file site/owner-denied.txt",
		"unreadable-file site/secret.html",
		"unsearchable-dir site/private",
		"writable site/mine.txt",
	}
	if err := setACLDenyUser(filepath.Join(base, "site/acl.txt"), runtimeUID); err != nil {
		t.Logf("no ACL on the fixture, so no kernel-denied finding is expected: %v", err)
	} else {
		want = append(want, "kernel-denied site/acl.txt")
		sort.Strings(want)
	}

	rep, errText := walkAsRuntimeUser(t, filepath.Join(base, "site"), 0, true, "-")
	if errText != "" {
		t.Fatalf("WalkRoot error = %q, want nil", errText)
	}
	got := findingSet(base, rep.Findings)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("WalkRoot findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.Files != 10 || rep.Dirs != 4 || rep.Others != 6 {
		t.Errorf("WalkRoot counted %d files, %d dirs, %d others, want 10, 4, 6", rep.Files, rep.Dirs, rep.Others)
	}
	if rep.Bytes == 0 || rep.Truncated {
		t.Errorf("WalkRoot Bytes = %d, Truncated = %v, want bytes and no truncation", rep.Bytes, rep.Truncated)
	}
	for _, f := range rep.Findings {
		if f.Detail == "" {
			t.Errorf("finding %s %s has no detail", f.Kind, f.Path)
		}
		if f.Kind == FindingUnreadableFile && !strings.Contains(f.Detail, "uid 101 gid 101") {
			t.Errorf("finding %s detail %q does not name the runtime user", f.Path, f.Detail)
		}
		if f.Fix == "" {
			t.Errorf("finding %s %s has no fix", f.Kind, f.Path)
		}
		if strings.Contains(f.Detail, "chmod") || strings.Contains(f.Detail, f.Fix) {
			t.Errorf("finding %s %s detail %q contains the fix", f.Kind, f.Path, f.Detail)
		}
	}

	// Without VerifyFiles the ACL goes unnoticed, because the mode grants read.
	rep, _ = walkAsRuntimeUser(t, filepath.Join(base, "site"), 0, false, "ok.html")
	for _, f := range rep.Findings {
		if f.Kind == FindingKernelDenied || f.Kind == FindingMissingIndex {
			t.Errorf("WalkRoot without VerifyFiles, index ok.html: unexpected finding %s", f)
		}
	}
}

func TestWalkRootAncestorNotSearchable(t *testing.T) {
	base := fixtureDir(t)
	buildTree(t, base, []entry{
		{path: "locked/", mode: 0o700},
		{path: "locked/site/", mode: 0o755},
		{path: "locked/site/index.html", mode: 0o644},
	})
	rep, errText := walkAsRuntimeUser(t, filepath.Join(base, "locked/site"), 0, false, "-")
	if !strings.Contains(errText, "permission denied") {
		t.Errorf("WalkRoot under a 0700 root-owned ancestor: error %q, want permission denied", errText)
	}
	got := findingSet(base, rep.Findings)
	if strings.Join(got, ",") != "unsearchable-ancestor locked" {
		t.Errorf("WalkRoot findings = %v, want [unsearchable-ancestor locked]", got)
	}
	for _, f := range rep.Findings {
		if f.Severity != SeverityError {
			t.Errorf("WalkRoot finding %s severity = %v, want error", f.Path, f.Severity)
		}
	}
}

func TestWalkRootMountPoint(t *testing.T) {
	base := fixtureDir(t)
	buildTree(t, base, []entry{{path: "html/", mode: 0o755}, {path: "html/index.html", mode: 0o644}})
	root := filepath.Join(base, "html")
	mountTmpfs(t, root, 0, "mode=0755")

	rep, errText := walkAsRuntimeUser(t, root, 0, false, "-")
	if errText != "" {
		t.Fatalf("WalkRoot error = %q", errText)
	}
	got := findingSet(base, rep.Findings)
	want := []string{"missing-index html", "mount-point html"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("WalkRoot findings = %v, want %v", got, want)
	}
	for _, f := range rep.Findings {
		if !strings.Contains(f.Detail, "mount point") {
			t.Errorf("finding %s detail %q does not say the root is a mount point", f.Kind, f.Detail)
		}
	}
}

func TestWalkRootLimit(t *testing.T) {
	base := fixtureDir(t)
	var entries []entry
	entries = append(entries, entry{path: "site/", mode: 0o755}, entry{path: "site/index.html", mode: 0o644})
	for i := range 5 {
		entries = append(entries, entry{path: fmt.Sprintf("site/d%d/", i), mode: 0o755})
		for j := range 20 {
			entries = append(entries, entry{path: fmt.Sprintf("site/d%d/f%d", i, j), mode: 0o644})
		}
	}
	buildTree(t, base, entries)
	root := filepath.Join(base, "site")

	rep, err := WalkRoot(root, WalkOptions{Limit: 30})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Truncated || !strings.Contains(rep.TruncatedReason, "30 entries") {
		t.Errorf("WalkRoot with Limit 30: Truncated = %v, reason %q", rep.Truncated, rep.TruncatedReason)
	}
	if n := rep.Files + rep.Dirs + rep.Others; n > 30 {
		t.Errorf("WalkRoot with Limit 30 examined %d entries", n)
	}

	rep, err = WalkRoot(root, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Truncated || rep.Files != 101 || rep.Dirs != 5 {
		t.Errorf("WalkRoot = %d files, %d dirs, truncated %v, want 101, 5, false", rep.Files, rep.Dirs, rep.Truncated)
	}
}

func TestWalkRootErrors(t *testing.T) {
	base := fixtureDir(t)
	buildTree(t, base, []entry{{path: "file", mode: 0o644}})
	for _, root := range []string{"relative", filepath.Join(base, "missing"), filepath.Join(base, "file")} {
		if _, err := WalkRoot(root, WalkOptions{}); err == nil {
			t.Errorf("WalkRoot(%s) error = nil, want an error", root)
		}
	}
}

func TestIdentityAllows(t *testing.T) {
	id := Identity{UID: 101, GID: 101, Groups: []uint32{102}}
	const file = unix.S_IFREG
	tests := []struct {
		name         string
		owner, group uint32
		mode, want   uint32
		allowed      bool
	}{
		{"owner read", 101, 0, file | 0o400, AccessRead, true},
		{"owner class first", 101, 101, file | 0o077, AccessRead, false},
		{"primary group", 0, 101, file | 0o040, AccessRead, true},
		{"supplementary group", 0, 102, file | 0o040, AccessRead, true},
		{"group class first", 0, 101, file | 0o604, AccessRead, false},
		{"other", 0, 0, file | 0o004, AccessRead, true},
		{"other denied", 0, 0, file | 0o640, AccessRead, false},
		{"write and search", 0, 102, unix.S_IFDIR | 0o070, AccessWrite | AccessExecute, true},
		{"write without search", 0, 102, unix.S_IFDIR | 0o060, AccessWrite | AccessExecute, false},
	}
	for _, tt := range tests {
		if got := id.Allows(tt.owner, tt.group, tt.mode, tt.want); got != tt.allowed {
			t.Errorf("%s: Allows(%d, %d, %o, %d) = %v, want %v", tt.name, tt.owner, tt.group, tt.mode, tt.want, got, tt.allowed)
		}
	}
}

func TestWalkRootFindingCap(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, for whom every file is writable")
	}
	base := fixtureDir(t)
	entries := []entry{{path: "site/", mode: 0o755}, {path: "site/index.html", mode: 0o644}}
	for i := range 20 {
		entries = append(entries, entry{path: fmt.Sprintf("site/f%d", i), mode: 0o644})
	}
	buildTree(t, base, entries)

	rep, err := WalkRoot(filepath.Join(base, "site"), WalkOptions{MaxFindingsPerKind: 5})
	if err != nil {
		t.Fatal(err)
	}
	// Root may write the 21 files and the root directory itself.
	if got := rep.Counts[FindingWritable]; got != 22 {
		t.Errorf("Counts[writable] = %d, want 22", got)
	}
	if len(rep.Findings) != 5 {
		t.Errorf("WalkRoot kept %d findings, want 5", len(rep.Findings))
	}
}

func TestWalkRootWorkersAgree(t *testing.T) {
	base := fixtureDir(t)
	var entries []entry
	entries = append(entries, entry{path: "site/", mode: 0o755}, entry{path: "site/index.html", mode: 0o644})
	for i := range 8 {
		entries = append(entries, entry{path: fmt.Sprintf("site/d%d/", i), mode: 0o755})
		entries = append(entries, entry{path: fmt.Sprintf("site/d%d/e/", i), mode: 0o755})
		for j := range 30 {
			entries = append(entries, entry{path: fmt.Sprintf("site/d%d/e/f%d", i, j), mode: 0o644})
		}
	}
	buildTree(t, base, entries)
	for _, workers := range []int{1, 2, 8, 64} {
		rep, err := WalkRoot(filepath.Join(base, "site"), WalkOptions{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Files != 241 || rep.Dirs != 16 || rep.Truncated {
			t.Errorf("WalkRoot with %d workers = %d files, %d dirs, truncated %v, want 241, 16, false", workers, rep.Files, rep.Dirs, rep.Truncated)
		}
	}
}

func TestWalkRootFollowsRootSymlink(t *testing.T) {
	base := fixtureDir(t)
	buildTree(t, base, []entry{
		{path: "real/", mode: 0o755},
		{path: "real/index.html", mode: 0o644},
		{path: "real/link-inside", linkTarget: "index.html"},
		{path: "html", linkTarget: "real"},
	})
	rep, err := WalkRoot(filepath.Join(base, "html"), WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 1 || rep.Others != 1 {
		t.Errorf("WalkRoot through a symlinked root = %d files, %d others, want 1, 1", rep.Files, rep.Others)
	}
	for _, f := range rep.Findings {
		if f.Kind == FindingSymlinkOutside || f.Kind == FindingMissingIndex {
			t.Errorf("WalkRoot through a symlinked root: unexpected finding %s", f)
		}
	}
}

func TestFindingFixEveryKind(t *testing.T) {
	for kind := FindingKind(1); kind < findingKindCount; kind++ {
		if findingFix(kind) == "" {
			t.Errorf("findingFix(%s) is empty", kind)
		}
	}
}

func TestWalkRootSeverityByPlace(t *testing.T) {
	base := fixtureDir(t)
	buildTree(t, base, []entry{
		{path: "site/", mode: 0o755},
		{path: "site/index.html", mode: 0o600},
		{path: "site/.htpasswd", mode: 0o600},
		{path: "site/.git/", mode: 0o700},
		{path: "site/fifo", mode: 0o644, fifo: true},
		{path: "site/sub/", mode: 0o755},
		{path: "site/sub/index.html", mode: 0o600},
		{path: "private/", mode: 0o700},
	})
	want := map[string]Severity{
		"unreadable-file site/index.html":     SeverityError, // 403 for "/"
		"unreadable-file site/.htpasswd":      SeverityWarning,
		"unsearchable-dir site/.git":          SeverityWarning,
		"special-file site/fifo":              SeverityWarning,
		"unreadable-file site/sub/index.html": SeverityWarning,
	}
	rep, errText := walkAsRuntimeUser(t, filepath.Join(base, "site"), 0, false, "-")
	if errText != "" {
		t.Fatalf("WalkRoot error = %q, want nil", errText)
	}
	got := map[string]Severity{}
	for _, f := range rep.Findings {
		rel, _ := filepath.Rel(base, f.Path)
		got[f.Kind.String()+" "+rel] = f.Severity
	}
	for key, sev := range want {
		if got[key] != sev {
			t.Errorf("WalkRoot finding %q severity = %v, want %v (findings %v)", key, got[key], sev, got)
		}
	}

	// The root itself stays an error: nginx responds 403 to every request.
	rep, _ = walkAsRuntimeUser(t, filepath.Join(base, "private"), 0, false, "-")
	if len(rep.Findings) != 1 || rep.Findings[0].Severity != SeverityError {
		t.Errorf("WalkRoot of a 0700 root: findings %v, want one error", rep.Findings)
	}
}
