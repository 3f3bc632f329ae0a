package fsprep

import (
	"os"
	"strings"
	"testing"
)

func TestParseMountinfoCaptured(t *testing.T) {
	tests := []struct {
		file       string
		mountPoint string
		want       MountEntry
		options    map[string]string
	}{
		{
			// A runc container with a read-only root, a tmpfs on /tmp and a
			// read-only bind mount over the web root.
			file:       "testdata/mountinfo-runc.txt",
			mountPoint: "/",
			want: MountEntry{ID: 68, ParentID: 46, Major: 254, Minor: 0, Root: "/tmp/runcb/rootfs", MountPoint: "/",
				Options: "ro,relatime", FSType: "ext4", Source: "/dev/vda", SuperOptions: "rw,discard,resv_strict,resuid=65534,resgid=65534"},
			options: map[string]string{"ro": "", "resuid": "65534"},
		},
		{
			file:       "testdata/mountinfo-runc.txt",
			mountPoint: "/usr/share/nginx/html",
			want: MountEntry{ID: 86, ParentID: 68, Major: 0, Minor: 47, Root: "/", MountPoint: "/usr/share/nginx/html",
				Options: "ro,relatime", FSType: "tmpfs", Source: "tmpfs", SuperOptions: "rw,size=65536k"},
			options: map[string]string{"size": "65536k"},
		},
		{
			file:       "testdata/mountinfo-runc.txt",
			mountPoint: "/dev",
			want: MountEntry{ID: 70, ParentID: 68, Major: 0, Minor: 42, Root: "/", MountPoint: "/dev",
				Options: "rw,nosuid", FSType: "tmpfs", Source: "tmpfs", SuperOptions: "rw,size=65536k,mode=755"},
			options: map[string]string{"mode": "755"},
		},
		{
			// A tmpfs mounted with uid=, gid= and mode= on a path with a
			// space, which the kernel escapes as \040.
			file:       "testdata/mountinfo-host.txt",
			mountPoint: "/tmp/fsprep capture",
			want: MountEntry{ID: 45, ParentID: 27, Major: 0, Minor: 40, Root: "/", MountPoint: "/tmp/fsprep capture",
				Options: "rw,nosuid,nodev,noexec,relatime", FSType: "tmpfs", Source: "tmpfs",
				SuperOptions: "rw,size=1024k,mode=700,uid=101,gid=101"},
			options: map[string]string{"mode": "700", "uid": "101", "gid": "101", "noexec": ""},
		},
	}
	for _, tt := range tests {
		f, err := os.Open(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := ParseMountinfo(f)
		f.Close()
		if err != nil {
			t.Fatalf("ParseMountinfo(%s): %v", tt.file, err)
		}
		var got *MountEntry
		for i := range entries {
			if entries[i].MountPoint == tt.mountPoint {
				got = &entries[i]
			}
		}
		if got == nil {
			t.Errorf("ParseMountinfo(%s) has no mount on %s", tt.file, tt.mountPoint)
			continue
		}
		got.Optional = nil
		if !mountEntryEqual(*got, tt.want) {
			t.Errorf("ParseMountinfo(%s) entry for %s = %+v\nwant %+v", tt.file, tt.mountPoint, *got, tt.want)
		}
		for name, want := range tt.options {
			if value, ok := got.Option(name); !ok || value != want {
				t.Errorf("%s on %s: Option(%q) = %q, %v, want %q, true", tt.file, tt.mountPoint, name, value, ok, want)
			}
		}
		if _, ok := got.Option("absent"); ok {
			t.Errorf("%s on %s: Option(\"absent\") found", tt.file, tt.mountPoint)
		}
	}
}

func mountEntryEqual(a, b MountEntry) bool {
	a.Optional, b.Optional = nil, nil
	return a.ID == b.ID && a.ParentID == b.ParentID && a.Major == b.Major && a.Minor == b.Minor &&
		a.Root == b.Root && a.MountPoint == b.MountPoint && a.Options == b.Options && a.FSType == b.FSType &&
		a.Source == b.Source && a.SuperOptions == b.SuperOptions
}

func TestParseMountinfoLines(t *testing.T) {
	tests := []struct {
		name     string
		line     string
		wantErr  bool
		optional []string
	}{
		{name: "optional fields", line: "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue", optional: []string{"master:1", "shared:2"}},
		{name: "no super options", line: "36 35 98:0 / /mnt rw - tmpfs tmpfs"},
		{name: "missing separator", line: "36 35 98:0 / /mnt rw tmpfs tmpfs rw", wantErr: true},
		{name: "bad device", line: "36 35 98 / /mnt rw - tmpfs tmpfs rw", wantErr: true},
		{name: "bad id", line: "x 35 98:0 / /mnt rw - tmpfs tmpfs rw", wantErr: true},
		{name: "too short", line: "36 35 98:0 /", wantErr: true},
	}
	for _, tt := range tests {
		entries, err := ParseMountinfo(strings.NewReader(tt.line + "\n"))
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: ParseMountinfo error = %v, want error %v", tt.name, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if len(entries) != 1 {
			t.Fatalf("%s: ParseMountinfo returned %d entries, want 1", tt.name, len(entries))
		}
		if strings.Join(entries[0].Optional, " ") != strings.Join(tt.optional, " ") {
			t.Errorf("%s: Optional = %v, want %v", tt.name, entries[0].Optional, tt.optional)
		}
	}
	if entries, err := ParseMountinfo(strings.NewReader("")); err != nil || len(entries) != 0 {
		t.Errorf("ParseMountinfo(\"\") = %v, %v, want no entries and no error", entries, err)
	}
}

func TestUnescapeMountPath(t *testing.T) {
	tests := map[string]string{
		`/tmp/a\040b`:    "/tmp/a b",
		`/a\011\012\134`: "/a\t\n\\",
		`/plain`:         "/plain",
		`/trailing\04`:   `/trailing\04`,
		`/not\999octal`:  `/not\999octal`,
	}
	for in, want := range tests {
		if got := unescapeMountPath(in); got != want {
			t.Errorf("unescapeMountPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseMountinfo(f *testing.F) {
	for _, file := range []string{"testdata/mountinfo-runc.txt", "testdata/mountinfo-host.txt"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n")
	f.Add("1 2 3:4 / / - - - -\n")
	f.Fuzz(func(t *testing.T, text string) {
		entries, err := ParseMountinfo(strings.NewReader(text))
		if err != nil {
			return
		}
		// Every field comes from strings.Fields, so none may be empty.
		for _, e := range entries {
			if e.FSType == "" || e.MountPoint == "" || e.Root == "" || e.Source == "" {
				t.Errorf("ParseMountinfo(%q) entry %+v has an empty field", text, e)
			}
			e.Option("mode")
		}
	})
}
