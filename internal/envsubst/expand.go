package envsubst

import (
	"bytes"
	"strings"
)

// Vars are the environment variables that a template may use, by name.
type Vars map[string]string

// DefinedVars returns the variables of environ ("NAME=value" entries) whose
// names match filter. A nil filter matches every name. Like the official
// image, which lists the names with awk's `name ~ /filter/`, a filter
// matches anywhere in the name: write ^APP_ for a prefix. A variable that is
// set to the empty string is defined and is substituted with "".
func DefinedVars(environ []string, filter *Filter) Vars {
	vars := make(Vars, len(environ))
	for _, entry := range environ {
		name, value, ok := strings.Cut(entry, "=")
		if !ok || !isName(name) {
			continue
		}
		if filter != nil && !filter.Match(name) {
			continue
		}
		// The first entry wins, as with getenv(3) on a duplicated name.
		if _, seen := vars[name]; !seen {
			vars[name] = value
		}
	}
	return vars
}

// Expand replaces $NAME and ${NAME} in src with the value of NAME when vars
// defines it, and leaves every other dollar sign as it is. That is GNU
// envsubst's behaviour when it is given the list of variables, which keeps
// nginx's own $uri or $host intact unless the environment defines them.
//
// A name is the longest run of letters, digits and underscores after the
// dollar sign that does not start with a digit, so $HOSTNAME is the variable
// HOSTNAME even when only HOST is defined. ${NAME without its closing brace,
// and shell forms such as ${NAME:-default}, are not substituted.
func Expand(src []byte, vars Vars) []byte {
	var out bytes.Buffer
	out.Grow(len(src))

	for {
		i := bytes.IndexByte(src, '$')
		if i < 0 {
			out.Write(src)
			return out.Bytes()
		}
		out.Write(src[:i])
		src = src[i:]

		name, length := scanReference(src)
		value, ok := vars[name]
		if length == 0 || !ok {
			// Not a reference, or not one of ours: copy the dollar sign and
			// scan on from the next byte.
			out.WriteByte('$')
			src = src[1:]
			continue
		}
		out.WriteString(value)
		src = src[length:]
	}
}

// scanReference reads a $NAME or ${NAME} at the start of src, which begins
// with '$'. It returns the name and the length of the whole reference, or a
// length of 0 when src does not start with one.
func scanReference(src []byte) (name string, length int) {
	start := 1
	braced := len(src) > 1 && src[1] == '{'
	if braced {
		start = 2
	}

	end := start
	for end < len(src) && isNameByte(src[end], end == start) {
		end++
	}
	if end == start {
		return "", 0
	}
	if braced {
		if end >= len(src) || src[end] != '}' {
			return "", 0
		}
		return string(src[start:end]), end + 1
	}
	return string(src[start:end]), end
}

func isNameByte(c byte, first bool) bool {
	switch {
	case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		return true
	case '0' <= c && c <= '9':
		return !first
	}
	return false
}

// isName reports whether s can be referenced as $s in a template.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if !isNameByte(s[i], i == 0) {
			return false
		}
	}
	return true
}
