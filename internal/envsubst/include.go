package envsubst

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// NotIncludedError lists rendered files that nginx's configuration does not
// include, so nginx would start without them.
type NotIncludedError struct {
	Missing []Rendered
	// Fix names the include directives to add and the block each belongs
	// in, such as "include /tmp/nginit/conf.d/*.conf;" to the http block.
	Fix string
}

func (e *NotIncludedError) Error() string {
	paths := make([]string, len(e.Missing))
	for i, r := range e.Missing {
		paths[i] = r.Output
	}
	return fmt.Sprintf("check includes of rendered templates: %s not included by the configuration; add %s",
		strings.Join(paths, ", "), e.Fix)
}

// CheckIncluded returns a *NotIncludedError when a rendered file is missing
// from included, the files that nginx's configuration includes. included
// holds absolute paths; an entry with glob characters (*, ?, [) is matched as
// a pattern, like nginx's own include. A rendered file that is the main
// configuration itself counts as included when the caller lists it.
func CheckIncluded(included []string, rendered []Rendered) error {
	var missing []Rendered
	for _, r := range rendered {
		if !isIncluded(included, r.Output) {
			missing = append(missing, r)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &NotIncludedError{Missing: missing, Fix: includeFix(missing)}
}

func isIncluded(included []string, path string) bool {
	path = filepath.Clean(path)
	for _, inc := range included {
		if filepath.Clean(inc) == path {
			return true
		}
		if strings.ContainsAny(inc, "*?[") {
			if ok, err := filepath.Match(inc, path); err == nil && ok {
				return true
			}
		}
	}
	return false
}

// includeFix writes one include per output directory, with a *.conf glob when
// every missing file there ends in .conf, else one include per file.
func includeFix(missing []Rendered) string {
	type group struct {
		dir    string
		stream bool
	}
	files := map[group][]string{}
	for _, r := range missing {
		g := group{dir: filepath.Dir(r.Output), stream: r.Stream}
		files[g] = append(files[g], r.Output)
	}

	var lines []string
	for g, paths := range files {
		block := "http"
		if g.stream {
			block = "stream"
		}
		allConf := true
		for _, p := range paths {
			allConf = allConf && strings.HasSuffix(p, ".conf")
		}
		if allConf {
			lines = append(lines, fmt.Sprintf("\"include %s/*.conf;\" to the %s block", g.dir, block))
			continue
		}
		for _, p := range paths {
			lines = append(lines, fmt.Sprintf("\"include %s;\" to the %s block", p, block))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, " and ")
}
