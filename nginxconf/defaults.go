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
// when some request can reach the static module with it. That rules out a
// server that returns or redirects every request at server level, and one
// whose every location sets its own root or alias or has a content handler.
func (a *analyzer) addDefaultRoot(server *Directive, sc scope) {
	if lastDirect(server.Block, "root") != nil || (a.plan.Facts.HTTP != nil && lastDirect(a.plan.Facts.HTTP.Block, "root") != nil) {
		return
	}
	if respondsToEveryRequest(server.Block, false) {
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
		Index: sc.index, IndexSet: sc.indexSet, Implicit: true,
		Source: "default root of the server at " + server.Source(),
	})
}

// handlesRequest reports whether a location handles requests without the
// server's root, because it sets its own root or alias, has a content
// handler, or rewrites every request.
func handlesRequest(block []*Directive) bool {
	for _, d := range block {
		if d.Name == "root" || d.Name == "alias" {
			return true
		}
	}
	return hasContentHandler(block) || respondsToEveryRequest(block, true)
}

// contentHandlers are directives of nginx 1.22 and common modules
// (ngx_lua, ngx_echo, njs, ngx_http_perl) that produce a response without
// the static module, besides the *_pass directives.
var contentHandlers = map[string]bool{
	"return": true, "stub_status": true, "empty_gif": true,
	"content_by_lua": true, "content_by_lua_block": true, "content_by_lua_file": true,
	"echo": true, "js_content": true, "perl": true,
}

// hasContentHandler reports whether a location's content comes from a
// handler other than the static module, so its root only sets
// $document_root.
func hasContentHandler(block []*Directive) bool {
	for _, d := range block {
		if contentHandlers[d.Name] || strings.HasSuffix(d.Name, "_pass") {
			return true
		}
	}
	return false
}

// matchesEveryURI are rewrite patterns that match every request URI, which
// starts with "/".
var matchesEveryURI = map[string]bool{
	"^": true, "^/": true, ".*": true, "^.*": true, "^.*$": true, "(.*)": true,
	"^(.*)": true, "^(.*)$": true, "^/(.*)": true, "^/(.*)$": true, "^(.+)$": true,
}

// respondsToEveryRequest reports whether a block returns or redirects every
// request before the content phase: a direct return, or a rewrite of every
// URI that redirects. In a location (inLocation), a rewrite with "last"
// counts too, because the rewritten request leaves the location.
func respondsToEveryRequest(block []*Directive, inLocation bool) bool {
	for _, d := range block {
		if d.Name == "return" {
			return true
		}
		if d.Name != "rewrite" || len(d.Args) < 2 || !matchesEveryURI[d.Args[0]] {
			continue
		}
		flag := ""
		if len(d.Args) > 2 {
			flag = d.Args[2]
		}
		redirects := hasAnyPrefix(d.Args[1], "http://", "https://", "$scheme")
		if flag == "redirect" || flag == "permanent" || (redirects && flag != "break") || (inLocation && flag == "last") {
			return true
		}
	}
	return false
}

// serverRootUnused reports whether no request reaches a server's own root.
// That is so when the server returns or redirects every request. It is so
// too when a "location /" catches every URI that no other location matches
// and every location sets its own root or alias or has a content handler.
func serverRootUnused(block []*Directive) bool {
	if respondsToEveryRequest(block, false) {
		return true
	}
	catchAll := false
	for _, d := range block {
		if d.Name != "location" || d.Block == nil {
			continue
		}
		if !handlesRequest(d.Block) {
			return false
		}
		if len(d.Args) == 1 && d.Args[0] == "/" {
			catchAll = true
		}
	}
	return catchAll
}
