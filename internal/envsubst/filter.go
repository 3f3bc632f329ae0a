package envsubst

import (
	"errors"
	"fmt"
	"strings"
)

// The official nginx image matches NGINX_ENVSUBST_FILTER as an awk regular
// expression (`name ~ /filter/`). nginit accepts the subset that filters are
// written in and matches it by hand, because the regexp package adds about
// 295 KB to a static stripped Go binary (Go 1.26, amd64):
//
//   - a literal, which matches anywhere in the name: APP_;
//   - a literal with a leading ^, a trailing $, or both: ^APP_, _URL$, ^PORT$;
//   - alternatives of those joined by |: ^APP_|^NGINX_|_HOST$.
//
// Every other regular expression metacharacter (. [ ] ( ) { } * + ? \, and
// ^ or $ inside a literal) is rejected, so a filter never selects other
// variables than the official image would. So is a literal with a character
// that no variable name contains, such as APP-, which would silently select
// nothing. The subset keeps regexp, about 100 KB, out of nginit's binary.

// filterMetacharacters are the characters that are special in a POSIX
// extended regular expression, which awk uses. '^', '$' and '|' are handled
// where the subset allows them.
const filterMetacharacters = `.[](){}*+?\^$|`

// Filter selects environment variables by name. The zero Filter is not
// valid: use ParseFilter, and a nil *Filter to select every variable.
type Filter struct {
	expr         string
	alternatives []filterLiteral
}

// filterLiteral is one alternative of a filter: a literal with its anchors.
type filterLiteral struct {
	text    string
	atStart bool // a leading ^: the name must start with text
	atEnd   bool // a trailing $: the name must end with text
}

// ParseFilter parses a NGINX_ENVSUBST_FILTER value in the subset above. Its
// error names the character or alternative that is not accepted.
func ParseFilter(expr string) (*Filter, error) {
	if expr == "" {
		return nil, errors.New("empty filter")
	}
	f := &Filter{expr: expr}
	for _, alt := range strings.Split(expr, "|") {
		var lit filterLiteral
		lit.text, lit.atStart = strings.CutPrefix(alt, "^")
		lit.text, lit.atEnd = strings.CutSuffix(lit.text, "$")
		if lit.text == "" {
			return nil, fmt.Errorf("empty alternative %q: each alternative needs at least one character besides ^ and $", alt)
		}
		if i := strings.IndexAny(lit.text, filterMetacharacters); i >= 0 {
			return nil, fmt.Errorf("regular expression metacharacter %q in %q is not supported", lit.text[i:i+1], alt)
		}
		for i := range len(lit.text) {
			if !isNameByte(lit.text[i], false) {
				return nil, fmt.Errorf("character %q in %q never occurs in a variable name, which has only letters, digits and _", lit.text[i:i+1], alt)
			}
		}
		f.alternatives = append(f.alternatives, lit)
	}
	return f, nil
}

// Match reports whether name matches any alternative of f.
func (f *Filter) Match(name string) bool {
	for _, lit := range f.alternatives {
		var ok bool
		switch {
		case lit.atStart && lit.atEnd:
			ok = name == lit.text
		case lit.atStart:
			ok = strings.HasPrefix(name, lit.text)
		case lit.atEnd:
			ok = strings.HasSuffix(name, lit.text)
		default:
			ok = strings.Contains(name, lit.text)
		}
		if ok {
			return true
		}
	}
	return false
}

// String returns the filter as it was written.
func (f *Filter) String() string { return f.expr }
