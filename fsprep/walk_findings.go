package fsprep

import (
	"slices"
	"sort"
	"strings"
)

// add records a finding, keeping at most maxPerKind of each kind.
func (w *walker) add(f Finding) {
	if !w.keep(f.Kind) {
		return
	}
	if f.Detail == "" {
		f.Detail = findingDetail(f.Kind, w.id)
	}
	if f.Fix == "" {
		f.Fix = findingFix(f.Kind)
	}
	f.Severity = w.severity(f.Kind, f.Path)
	w.findingsMu.Lock()
	w.findings = append(w.findings, f)
	w.findingsMu.Unlock()
}

// keep counts a finding of kind and reports whether the report keeps it.
// Counting is lock-free because a tree the runtime user owns has one
// writable finding per file.
func (w *walker) keep(kind FindingKind) bool {
	return w.counts[kind].Add(1) <= int64(w.maxPerKind)
}

// addStat records a finding about the entry name in dir, or about dir
// itself when name is "". An empty detail or fix takes the kind's standard
// text.
func (w *walker) addStat(kind FindingKind, dir, name string, st *entryStat, detail, fix string) {
	if !w.keep(kind) {
		return
	}
	path := dir
	if name != "" {
		path = dir + "/" + name
	}
	w.appendStat(kind, path, st, detail, fix)
}

// addEntry records a finding about a directory entry, converting its name
// to a path only when the report keeps the finding.
func (w *walker) addEntry(kind FindingKind, dir string, nameNUL []byte, st *entryStat) {
	if !w.keep(kind) {
		return
	}
	w.appendStat(kind, dir+"/"+string(nameNUL[:len(nameNUL)-1]), st, "", "")
}

func (w *walker) appendStat(kind FindingKind, path string, st *entryStat, detail, fix string) {
	if detail == "" {
		detail = findingDetail(kind, w.id)
	}
	if fix == "" {
		fix = findingFix(kind)
	}
	w.findingsMu.Lock()
	w.findings = append(w.findings, Finding{
		Kind: kind, Path: path, Severity: w.severity(kind, path),
		Owner: st.Uid, Group: st.Gid, Mode: fileMode(st.Mode), Detail: detail, Fix: fix,
	})
	w.findingsMu.Unlock()
}

// severity returns the severity of a finding of kind about path: the kind's
// own for the root, its ancestors and its index files, and at most a
// warning below the root, where nginx fails only the requests for that path.
func (w *walker) severity(kind FindingKind, path string) Severity {
	sev := kind.Severity()
	if sev < SeverityError || !pathHasPrefix(path, w.root) || path == w.root {
		return sev
	}
	if name, ok := strings.CutPrefix(path, strings.TrimSuffix(w.root, "/")+"/"); ok && slices.Contains(w.index, name) {
		return sev // a 403 for the index file is a 403 for "/"
	}
	return SeverityWarning
}

func (w *walker) countsByKind() map[FindingKind]int {
	counts := map[FindingKind]int{}
	for kind := range w.counts {
		if n := w.counts[kind].Load(); n > 0 {
			counts[FindingKind(kind)] = int(n)
		}
	}
	return counts
}

func (w *walker) sortedFindings() []Finding {
	w.findingsMu.Lock()
	defer w.findingsMu.Unlock()
	sort.Slice(w.findings, func(i, j int) bool {
		a, b := w.findings[i], w.findings[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Kind < b.Kind
	})
	return w.findings
}
