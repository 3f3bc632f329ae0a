package nginxconf

import (
	"fmt"
)

// CommandLine is an nginx command line, read the way ngx_get_options in
// nginx 1.22 reads it.
type CommandLine struct {
	// Program is argv[0], "nginx" or a path.
	Program string

	ConfFile    string // -c; empty when absent
	Prefix      string // -p; empty when absent
	ErrorLog    string // -e; "stderr" selects standard error
	ErrorLogSet bool   // whether -e was given, even with an empty value
	Signal      string // -s: stop, quit, reopen or reload; empty when absent

	// Params is the text of the last -g option, byte for byte; nginx keeps
	// only the last one. ParamsIndex is the index in argv of the argument
	// that holds it, or -1 when there is no -g.
	Params      string
	ParamsIndex int

	// ParamsGlued reports whether the text is glued to the option ("-gtext").
	ParamsGlued bool

	// Directives are Params parsed; their File is "command line -g".
	Directives []*Directive

	Test      bool // -t or -T
	Dump      bool // -T
	Quiet     bool // -q
	Version   bool // -v or -V
	Configure bool // -V
	Help      bool // -h or -?
}

// ParseCommandLine parses argv, whose first element is the program, as nginx
// parses its options. Flags may be combined ("-tq"), and an option's value
// may be glued to it ("-c/etc/nginx/nginx.conf") or follow as the next
// argument. The text of -g is parsed as directives, and a syntax error in it
// is returned as a *SyntaxError. Every other error names the offending option
// in nginx's words.
func ParseCommandLine(argv []string) (*CommandLine, error) {
	cmd := &CommandLine{ParamsIndex: -1}
	if len(argv) == 0 {
		return nil, fmt.Errorf("parse nginx command line: empty")
	}
	cmd.Program = argv[0]

	for i := 1; i < len(argv); i++ {
		arg := argv[i]
		if len(arg) == 0 || arg[0] != '-' {
			return nil, fmt.Errorf("parse nginx command line: invalid option: %q", arg)
		}

		for p := 1; p < len(arg); p++ {
			opt := arg[p]
			switch opt {
			case '?', 'h':
				cmd.Version = true
				cmd.Help = true
				continue
			case 'v':
				cmd.Version = true
				continue
			case 'V':
				cmd.Version = true
				cmd.Configure = true
				continue
			case 't':
				cmd.Test = true
				continue
			case 'T':
				cmd.Test = true
				cmd.Dump = true
				continue
			case 'q':
				cmd.Quiet = true
				continue
			case 'p', 'c', 'e', 'g', 's':
			default:
				return nil, fmt.Errorf("parse nginx command line: invalid option: %q", string(opt))
			}

			// The value is the rest of this argument or, when nothing
			// follows the letter, the next argument.
			glued := p+1 < len(arg)
			index := i
			var value string
			switch {
			case glued:
				value = arg[p+1:]
			case i+1 < len(argv):
				i++
				index = i
				value = argv[i]
			default:
				return nil, fmt.Errorf("parse nginx command line: option \"-%c\" requires %s", opt, valueName(opt))
			}

			if err := cmd.set(opt, value, index, glued); err != nil {
				return nil, err
			}
			break
		}
	}

	if cmd.ParamsIndex >= 0 {
		directives, err := ParseParam(cmd.Params)
		if err != nil {
			return nil, err
		}
		cmd.Directives = directives
	}
	return cmd, nil
}

func (cmd *CommandLine) set(opt byte, value string, index int, glued bool) error {
	switch opt {
	case 'p':
		cmd.Prefix = value
	case 'c':
		cmd.ConfFile = value
	case 'e':
		cmd.ErrorLog = value
		cmd.ErrorLogSet = true
	case 'g':
		cmd.Params = value
		cmd.ParamsIndex = index
		cmd.ParamsGlued = glued
	case 's':
		switch value {
		case "stop", "quit", "reopen", "reload":
			cmd.Signal = value
		default:
			return fmt.Errorf("parse nginx command line: invalid option: \"-s %s\"", value)
		}
	}
	return nil
}

// valueName names the value an option takes, in nginx's words.
func valueName(opt byte) string {
	switch opt {
	case 'p':
		return "directory name"
	case 'e', 'c':
		return "file name"
	default:
		return "parameter"
	}
}
