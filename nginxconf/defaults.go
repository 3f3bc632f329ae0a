package nginxconf

import "strings"

// addHTTPDefaults records the compile-time temp paths and access log that
// apply to the http block. nginx adds a default while it merges each server
// with the http level, so the default applies when the http level lacks the
// directive and at least one server lacks it too.
func (a *analyzer) addHTTPDefaults(http *Directive) {
	for _, t := range tempPathDirectives {
		if needsDefault(http, t.directive) {
			a.addWrite(Write{
				Kind: WriteTempDir, Path: t.fallback(a.loc.Build), Directive: t.directive,
				Source: "compile-time default (" + t.arg + ")",
			})
		}
	}
	if needsDefault(http, "access_log") {
		a.addWrite(Write{
			Kind: WriteAccessLog, Path: a.loc.Build.HTTPLogPath, Directive: "access_log",
			Source: "compile-time default (--http-log-path)",
		})
	}
}

func needsDefault(http *Directive, name string) bool {
	if lastDirect(http.Block, name) != nil {
		return false
	}
	for _, server := range http.Block {
		if server.Name == "server" && server.Block != nil && lastDirect(server.Block, name) == nil {
			return true
		}
	}
	return false
}

// addDefaultRoot records nginx's default root, "html" under the prefix, for
// an http server without root at server or http level. It is recorded only
// when the server has no location, or a location without root, alias,
// return or a *_pass directive, since only such a location serves files from
// the default root.
func (a *analyzer) addDefaultRoot(server *Directive, sc scope) {
	if lastDirect(server.Block, "root") != nil || (a.plan.Facts.HTTP != nil && lastDirect(a.plan.Facts.HTTP.Block, "root") != nil) {
		return
	}

	serves := true
	for _, d := range server.Block {
		if d.Name != "location" || d.Block == nil {
			continue
		}
		serves = false
		if !handlesRequest(d.Block) {
			serves = true
			break
		}
	}
	if !serves {
		return
	}

	if index := lastDirect(server.Block, "index"); index != nil {
		sc.index = index.Args
		sc.indexSet = true
	}
	a.addRead(Read{
		Kind: ReadStaticRoot, Path: a.prefixed("html"), Directive: "root",
		Index: sc.index, IndexSet: sc.indexSet,
		Source: "default root of the server at " + server.Source(),
	})
}

// handlesRequest reports whether a location handles requests without the
// server's root, because it sets its own root or alias, returns, or passes
// to a backend.
func handlesRequest(block []*Directive) bool {
	for _, d := range block {
		if d.Name == "root" || d.Name == "alias" || d.Name == "return" || strings.HasSuffix(d.Name, "_pass") {
			return true
		}
	}
	return false
}
