package nginxconf

import "strings"

// isLuaBlock reports whether a block directive contains Lua code rather than
// directives, as content_by_lua_block and the other *_by_lua_block
// directives of lua-nginx-module do.
func isLuaBlock(name string) bool {
	return strings.HasSuffix(name, "_by_lua_block")
}

// skipLuaBlock steps over the Lua code of a *_by_lua_block directive, from
// just after its "{" to just after the "}" that closes it. lua-nginx-module
// reads these blocks with a Lua lexer of its own (ngx_http_lua_lex.c), not
// nginx's, so this counts braces outside Lua strings and comments: quoted
// strings with backslash escapes, "--" line comments, long brackets such as
// [[ ]] and [==[ ]==], and long comments such as --[[ ]].
func (l *lexer) skipLuaBlock(line int) error {
	depth := 1
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\n':
			l.line++
			l.pos++
		case c == '{':
			depth++
			l.pos++
		case c == '}':
			depth--
			l.pos++
			if depth == 0 {
				l.end = l.pos
				return nil
			}
		case c == '"' || c == '\'':
			l.skipLuaString(c)
		case c == '-' && l.hasPrefix("--"):
			l.pos += 2
			if level, ok := l.longBracketLevel(); ok {
				l.skipLongBracket(level)
				continue
			}
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		case c == '[':
			if level, ok := l.longBracketLevel(); ok {
				l.skipLongBracket(level)
				continue
			}
			l.pos++
		default:
			l.pos++
		}
	}
	return l.errorf(line, `unexpected end of file in Lua block, expecting "}"`)
}

func (l *lexer) hasPrefix(s string) bool {
	return strings.HasPrefix(string(l.src[l.pos:min(l.pos+len(s), len(l.src))]), s)
}

// skipLuaString steps over a Lua string quoted with quote. An unterminated
// string ends at the end of the line, where Lua itself rejects it.
func (l *lexer) skipLuaString(quote byte) {
	l.pos++
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch c {
		case '\\':
			l.skipEscaped()
			continue
		case '\n':
			return
		}
		l.pos++
		if c == quote {
			return
		}
	}
}

// longBracketLevel reports whether an opening long bracket, "[" then level
// "=" signs then "[", starts at the current position, and its level.
func (l *lexer) longBracketLevel() (int, bool) {
	if l.pos >= len(l.src) || l.src[l.pos] != '[' {
		return 0, false
	}
	i := l.pos + 1
	for i < len(l.src) && l.src[i] == '=' {
		i++
	}
	if i < len(l.src) && l.src[i] == '[' {
		return i - l.pos - 1, true
	}
	return 0, false
}

// skipLongBracket steps over a long string or comment of level from its
// opening bracket to just after the closing "]", level "=" signs, "]", or
// to the end of the input.
func (l *lexer) skipLongBracket(level int) {
	closing := "]" + strings.Repeat("=", level) + "]"
	l.pos += level + 2
	for l.pos < len(l.src) {
		if l.src[l.pos] == '\n' {
			l.line++
		}
		if l.src[l.pos] == ']' && l.hasPrefix(closing) {
			l.pos += len(closing)
			return
		}
		l.pos++
	}
}
