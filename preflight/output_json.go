package preflight

import (
	"io"
	"strconv"
	"unicode/utf8"
)

// The report's JSON is written by hand because encoding/json made the static
// stripped nginit binary 246 KB larger (3,539,106 against 3,293,346 bytes,
// Go 1.26 on amd64), against a size budget of 3 MiB. The output is byte for
// byte what json.Encoder with SetIndent("", "  ") writes for Report, and a
// fuzz test holds it to that.

// WriteJSON writes the report as one indented JSON object followed by a
// newline:
// {"findings": [{"check", "severity", "subject", "message", "fix"}], "summary": {...}}.
// "fix" is left out when it is empty, and a nil Findings is written as null.
func (r *Report) WriteJSON(w io.Writer) error {
	b := make([]byte, 0, 512+256*len(r.Findings))
	b = append(b, "{\n  \"findings\": "...)
	switch {
	case r.Findings == nil:
		b = append(b, "null"...)
	case len(r.Findings) == 0:
		b = append(b, "[]"...)
	default:
		b = append(b, '[')
		for i, f := range r.Findings {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n    {"...)
			b = appendMember(b, "      ", "check", f.Check, true)
			b = appendMember(b, "      ", "severity", f.Severity.String(), true)
			b = appendMember(b, "      ", "subject", f.Subject, true)
			b = appendMember(b, "      ", "message", f.Message, f.Fix != "")
			if f.Fix != "" {
				b = appendMember(b, "      ", "fix", f.Fix, false)
			}
			b = append(b, "\n    }"...)
		}
		b = append(b, "\n  ]"...)
	}

	s := r.Summary
	b = append(b, ",\n  \"summary\": {\n    \"errors\": "...)
	b = strconv.AppendInt(b, int64(s.Errors), 10)
	b = append(b, ",\n    \"warnings\": "...)
	b = strconv.AppendInt(b, int64(s.Warnings), 10)
	b = append(b, ",\n    \"info\": "...)
	b = strconv.AppendInt(b, int64(s.Info), 10)
	b = append(b, ",\n    \"strict\": "...)
	b = strconv.AppendBool(b, s.Strict)
	b = append(b, ",\n    \"failed\": "...)
	b = strconv.AppendBool(b, s.Failed)
	b = append(b, "\n  }\n}\n"...)

	_, err := w.Write(b)
	return err
}

// appendMember appends a newline, indent and the member "key": "value",
// with a comma after it unless it is the object's last member.
func appendMember(b []byte, indent, key, value string, more bool) []byte {
	b = append(b, '\n')
	b = append(b, indent...)
	b = appendJSONString(b, key)
	b = append(b, ": "...)
	b = appendJSONString(b, value)
	if more {
		b = append(b, ',')
	}
	return b
}

// appendJSONString appends s as a JSON string (RFC 8259) and escapes
// exactly what encoding/json escapes by default:
//   - '"' and '\\' with a backslash;
//   - \b, \f, \n, \r and \t by their short escapes, other control
//     characters below U+0020 as \u00XX;
//   - '<', '>' and '&' as \u003c, \u003e and \u0026, so the report is safe
//     to embed in HTML;
//   - U+2028 and U+2029 as \u2028 and \u2029, which JavaScript treats as
//     line ends;
//   - every byte that is not part of valid UTF-8 as \ufffd, the
//     replacement character, so the output is always valid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"

	b = append(b, '"')
	start := 0 // s[start:i] is pending and needs no escaping
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}

		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
