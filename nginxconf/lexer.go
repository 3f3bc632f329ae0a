package nginxconf

import (
	"fmt"
	"io"
)

// confBuffer is the size of the buffer nginx reads a configuration file
// through (NGX_CONF_BUFFER in src/core/ngx_conf_file.c, nginx 1.22). A token
// and the character that ends it must fit in it.
const confBuffer = 4096

// TokenKind is the kind of a configuration token.
type TokenKind int

// Token kinds.
const (
	TokenWord       TokenKind = iota // a bare or quoted word
	TokenSemicolon                   // ";", the end of a simple directive
	TokenBlockStart                  // "{"
	TokenBlockEnd                    // "}"
)

// Token is one token of an nginx configuration.
type Token struct {
	Kind TokenKind

	// Text is the word with nginx's escapes applied, or the punctuation
	// character itself. Variables such as $host or ${host} stay as written.
	Text string

	// Quoted reports whether the word was enclosed in single or double quotes.
	Quoted bool

	// Line is the 1-based line on which the token starts.
	Line int
}

// SyntaxError is a configuration error at a position, in nginx's words.
type SyntaxError struct {
	File string // file name, or "command line -g" for the -g text
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("parse %s:%d: %s", e.File, e.Line, e.Msg)
}

// Tokenize splits src, the contents of the configuration file named file,
// into tokens the way ngx_conf_read_token in nginx 1.22 does:
//
//   - words end at a space, tab, CR, LF, ";" or "{", but not at "}", "#" or
//     a quote, so "a}" and "a#b" are single words;
//   - "#" starts a comment only where a token could start;
//   - a word may be enclosed in double or single quotes; after the closing
//     quote nginx requires a space, ";", "{" or ")";
//   - a backslash keeps the next character in the word; \" \' and \\ become
//     the character, \n \r and \t become the control character, and any
//     other pair is kept as written;
//   - "{" right after "$" belongs to the word, so ${name} is one word.
//
// The error is a *SyntaxError naming file and line.
func Tokenize(src []byte, file string) ([]Token, error) {
	lx := newLexer(src, file, false)
	var tokens []Token
	for {
		tok, err := lx.next()
		if err == io.EOF {
			return tokens, nil
		}
		if err != nil {
			return tokens, err
		}
		tokens = append(tokens, tok)
	}
}

type lexer struct {
	src  []byte
	pos  int
	line int
	file string

	// param is set for the -g text, which nginx parses from memory: it has no
	// buffer limit and its own end-of-input message.
	param bool

	// end is the offset just past the last token returned.
	end int

	// includeDepth counts the includes that led to this file; 0 is the main
	// configuration file.
	includeDepth int
}

func newLexer(src []byte, file string, param bool) *lexer {
	return &lexer{src: src, line: 1, file: file, param: param}
}

func (l *lexer) errorf(line int, format string, args ...any) error {
	return &SyntaxError{File: l.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// unexpectedEnd returns nginx's error for input that ends inside a token or
// a directive.
func (l *lexer) unexpectedEnd() error {
	if l.param {
		return l.errorf(l.line, `unexpected end of parameter, expecting ";"`)
	}
	return l.errorf(l.line, `unexpected end of file, expecting ";" or "}"`)
}

// next returns the next token, or io.EOF at the end of the input.
func (l *lexer) next() (Token, error) {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch c {
		case '\n':
			l.line++
			l.pos++
			continue
		case ' ', '\t', '\r':
			l.pos++
			continue
		case '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
			continue
		}

		line := l.line
		switch c {
		case ';':
			l.pos++
			l.end = l.pos
			return Token{Kind: TokenSemicolon, Text: ";", Line: line}, nil
		case '{':
			l.pos++
			l.end = l.pos
			return Token{Kind: TokenBlockStart, Text: "{", Line: line}, nil
		case '}':
			l.pos++
			l.end = l.pos
			return Token{Kind: TokenBlockEnd, Text: "}", Line: line}, nil
		case '"', '\'':
			return l.quoted(c)
		default:
			return l.bare()
		}
	}
	return Token{}, io.EOF
}

// skipEscaped steps over a backslash and the character it escapes.
func (l *lexer) skipEscaped() {
	l.pos++
	if l.pos < len(l.src) {
		if l.src[l.pos] == '\n' {
			l.line++
		}
		l.pos++
	}
}

func (l *lexer) bare() (Token, error) {
	line := l.line
	start := l.pos
	variable := false
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '{' && variable {
			l.pos++
			continue
		}
		variable = false

		switch c {
		case '\\':
			l.skipEscaped()
			continue
		case '$':
			variable = true
			l.pos++
			continue
		case ' ', '\t', '\r', '\n', ';', '{':
			if err := l.checkLength(start, l.pos+1, line, 0); err != nil {
				return Token{}, err
			}
			l.end = l.pos
			return Token{Kind: TokenWord, Text: unescape(l.src[start:l.pos]), Line: line}, nil
		}
		l.pos++
	}
	if err := l.checkLength(start, l.pos, line, 0); err != nil {
		return Token{}, err
	}
	return Token{}, l.unexpectedEnd()
}

func (l *lexer) quoted(quote byte) (Token, error) {
	line := l.line
	l.pos++
	start := l.pos
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\\' {
			l.skipEscaped()
			continue
		}
		if c == '\n' {
			l.line++
		}
		l.pos++
		if c != quote {
			continue
		}

		if err := l.checkLength(start, l.pos, line, 0); err != nil {
			return Token{}, err
		}
		tok := Token{Kind: TokenWord, Text: unescape(l.src[start : l.pos-1]), Quoted: true, Line: line}
		l.end = l.pos
		if l.pos < len(l.src) {
			switch n := l.src[l.pos]; n {
			case ' ', '\t', '\r', '\n', ';', '{', ')':
				// ")" then starts a new word, as in nginx.
			default:
				return Token{}, l.errorf(l.line, "unexpected \"%c\"", n)
			}
		}
		return tok, nil
	}
	if err := l.checkLength(start, l.pos, line, quote); err != nil {
		return Token{}, err
	}
	return Token{}, l.unexpectedEnd()
}

// checkLength rejects a token whose bytes from start up to end (the end
// character included) would not fit in nginx's read buffer. openQuote is the
// quote of a quoted word that is still open, or 0.
//
// NOTE: nginx checks this only when it refills the buffer, so whether a token
// of exactly 4095 or 4096 bytes passes depends on where the buffer boundary
// falls. This check uses the strict bound. The -g text has no such limit.
func (l *lexer) checkLength(start, end, line int, openQuote byte) error {
	if l.param || end-start <= confBuffer {
		return nil
	}
	if openQuote != 0 {
		return l.errorf(line, "too long parameter, probably missing terminating \"%c\" character", openQuote)
	}
	head := l.src[start:min(start+10, len(l.src))]
	return l.errorf(line, "too long parameter \"%s...\" started", head)
}

// unescape applies nginx's escapes to the raw text of a word.
func unescape(raw []byte) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '\\' && i+1 < len(raw) {
			switch raw[i+1] {
			case '"', '\'', '\\':
				out = append(out, raw[i+1])
				i++
				continue
			case 't':
				out = append(out, '\t')
				i++
				continue
			case 'r':
				out = append(out, '\r')
				i++
				continue
			case 'n':
				out = append(out, '\n')
				i++
				continue
			}
		}
		out = append(out, c)
	}
	return string(out)
}
