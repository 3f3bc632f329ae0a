package nginxconf

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
)

// Limits that keep a hostile or broken configuration from exhausting memory
// or looping. nginx itself has none of them: an include loop makes it recurse
// until it runs out of file descriptors.
const (
	// maxIncludeDepth is how deep includes may nest. Loops are found by
	// the include stack, not by this limit, which only bounds the
	// recursion: nginx keeps every file of a chain open, so its own limit
	// is the open files limit, whose soft value is 1024 by default on
	// Linux. nginx 1.22 accepts a chain of 300 files.
	maxIncludeDepth = 1024

	// maxFiles bounds the number of files read for one configuration, so a
	// glob that includes its own directory cannot fan out without end.
	maxFiles = 4096

	// maxFileSize bounds each configuration file.
	maxFileSize = 16 << 20

	// maxTotalSize bounds the bytes of all files of one configuration,
	// main file included, so many large includes cannot exhaust memory.
	maxTotalSize = 64 << 20

	// maxBlockDepth bounds how deep blocks may nest within one parse.
	maxBlockDepth = 256
)

// commandLineSource is the File of directives given with -g.
const commandLineSource = "command line -g"

// Directive is one nginx directive with its arguments, as written.
type Directive struct {
	Name string
	Args []string

	// File and Line locate the directive's name. File is "command line -g"
	// for directives given with -g.
	File string
	Line int

	// Block holds the directives inside the braces. It is nil for a simple
	// directive and non-nil, possibly empty, for a block directive.
	Block []*Directive
}

// Source returns "file:line" for the directive.
func (d *Directive) Source() string {
	return sourceOf(d.File, d.Line)
}

func sourceOf(file string, line int) string {
	return fmt.Sprintf("%s:%d", file, line)
}

// Config is a configuration file with its includes expanded in place.
type Config struct {
	// File is the main configuration file.
	File string

	// ConfPrefix is the directory that relative include paths, certificates
	// and similar files resolve against (ngx_cycle->conf_prefix).
	ConfPrefix string

	// Directives are the top-level directives, with every include replaced
	// by the directives of the files it names.
	Directives []*Directive

	// Includes lists every file read through include, in the order read.
	Includes []Include
}

// Include is one file read through an include directive.
type Include struct {
	Path string // the file read
	File string // the include directive's file
	Line int    // the include directive's line
}

// ParseFile reads the main configuration file name and every file it
// includes. Relative include paths resolve against confPrefix; an empty
// confPrefix means the directory of name, which is what nginx uses.
//
// An include whose literal path cannot be read does not stop the parse: each
// one becomes an *IncludeError, and IncludeErrors lists them. A glob that
// matches nothing is not an error, as in nginx. A syntax error stops the
// parse with a *SyntaxError. The returned error joins all of them, and the
// returned Config holds what was parsed; it is nil only when name itself
// cannot be read.
func ParseFile(name, confPrefix string) (*Config, error) {
	if confPrefix == "" {
		confPrefix = filepath.Dir(name)
	}
	p := &parser{confPrefix: confPrefix, budget: maxTotalSize}

	src, err := readConfFile(name, &p.budget)
	if err != nil {
		return nil, err
	}
	p.files++
	p.stack = []string{filepath.Clean(name)}

	directives, err := p.parse(newLexer(src, name, false), 0)
	cfg := &Config{File: name, ConfPrefix: confPrefix, Directives: directives, Includes: p.includes}
	if err != nil {
		p.errs = append(p.errs, err)
	}
	return cfg, errors.Join(p.errs...)
}

// ParseParam parses text given with nginx's -g option. nginx rejects blocks
// there, and the text must end every directive with ";".
//
// NOTE: include directives in the -g text are returned as they are, not
// expanded, because the conf prefix is not known here.
func ParseParam(text string) ([]*Directive, error) {
	p := &parser{noInclude: true}
	lx := newLexer([]byte(text), commandLineSource, true)
	return p.parse(lx, 0)
}

type parser struct {
	confPrefix string
	noInclude  bool

	includes []Include
	errs     []error // *IncludeError values; parsing continues after each
	files    int
	budget   int64 // bytes left of maxTotalSize

	// stack lists the files being parsed, the main file first and the
	// file the parser is in last, so an include of any of them is a loop.
	stack []string
}

// parse reads directives until the end of the input at depth 0, or until
// the "}" that closes the current block at a greater depth.
func (p *parser) parse(lx *lexer, depth int) ([]*Directive, error) {
	directives := []*Directive{}
	var words []Token
	for {
		tok, err := lx.next()
		if err == io.EOF {
			if len(words) > 0 {
				return directives, lx.unexpectedEnd()
			}
			if depth > 0 {
				return directives, lx.errorf(lx.line, `unexpected end of file, expecting "}"`)
			}
			return directives, nil
		}
		if err != nil {
			return directives, err
		}

		switch tok.Kind {
		case TokenWord:
			words = append(words, tok)
			continue

		case TokenBlockEnd:
			if len(words) > 0 || depth == 0 {
				return directives, lx.errorf(tok.Line, `unexpected "}"`)
			}
			return directives, nil

		case TokenSemicolon, TokenBlockStart:
			if len(words) == 0 {
				return directives, lx.errorf(tok.Line, "unexpected %q", tok.Text)
			}
		}

		d := &Directive{Name: words[0].Text, File: lx.file, Line: words[0].Line}
		for _, w := range words[1:] {
			d.Args = append(d.Args, w.Text)
		}
		words = words[:0]

		if tok.Kind == TokenBlockStart {
			if lx.param {
				return directives, lx.errorf(tok.Line, "block directives are not supported in -g option")
			}
			if depth+1 > maxBlockDepth {
				return directives, lx.errorf(tok.Line, "blocks nested deeper than %d", maxBlockDepth)
			}
			if isLuaBlock(d.Name) {
				d.Block = []*Directive{}
				directives = append(directives, d)
				if err := lx.skipLuaBlock(tok.Line); err != nil {
					return directives, err
				}
				continue
			}
			block, err := p.parse(lx, depth+1)
			d.Block = block
			directives = append(directives, d)
			if err != nil {
				return directives, err
			}
			continue
		}

		if d.Name != "include" || p.noInclude {
			directives = append(directives, d)
			continue
		}
		if len(d.Args) != 1 {
			return directives, lx.errorf(d.Line, `invalid number of arguments in "include" directive`)
		}
		included, err := p.include(d, lx.includeDepth+1)
		directives = append(directives, included...)
		if err != nil {
			return directives, err
		}
	}
}
