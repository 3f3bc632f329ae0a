package nginxconf

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// words renders tokens compactly: words as they were read, punctuation as is.
func words(tokens []Token) []string {
	var out []string
	for _, t := range tokens {
		out = append(out, t.Text)
	}
	return out
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"simple directive", "user www-data;", []string{"user", "www-data", ";"}},
		{"block", "events { worker_connections 768; }", []string{"events", "{", "worker_connections", "768", ";", "}"}},
		{"double quoted with escapes", `a "b\"c\\d\n\t\r";`, []string{"a", "b\"c\\d\n\t\r", ";"}},
		{"single quoted keeps double quote", `a 'b "c" \'d';`, []string{"a", `b "c" 'd`, ";"}},
		{"unknown escape kept", `a b\d;`, []string{"a", `b\d`, ";"}},
		{"escaped space kept in bare word", `a b\ c;`, []string{"a", `b\ c`, ";"}},
		{"escaped semicolon kept in bare word", `a b\;c;`, []string{"a", `b\;c`, ";"}},
		{"variable with braces", "set $a ${b}c;", []string{"set", "$a", "${b}c", ";"}},
		{"brace after variable in quotes", `return 200 "${x}";`, []string{"return", "200", "${x}", ";"}},
		{"block after variable needs space", "if ($a) {}", []string{"if", "($a)", "{", "}"}},
		{"comment to end of line", "a; # b; c;\nd;", []string{"a", ";", "d", ";"}},
		{"hash inside word", "a b#c;", []string{"a", "b#c", ";"}},
		{"closing brace inside word", "return 200 a};", []string{"return", "200", "a}", ";"}},
		{"quote inside bare word", `a b"c;`, []string{"a", `b"c`, ";"}},
		{"crlf line ends", "a b;\r\nc d;\r\n", []string{"a", "b", ";", "c", "d", ";"}},
		{"quote inside word after parenthesis", `if ("$a") {}`, []string{"if", `("$a")`, "{", "}"}},
		{"parenthesis right after quote", `if ($a = "b") {}`, []string{"if", "($a", "=", "b", ")", "{", "}"}},
		{"word ends at open brace", "http{}", []string{"http", "{", "}"}},
		{"empty quoted word", `a "";`, []string{"a", "", ";"}},
		{"empty input", "", nil},
		{"only comments", "# a\n# b", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Tokenize([]byte(tt.src), "test.conf")
			if err != nil {
				t.Fatalf("Tokenize(%q) error: %v", tt.src, err)
			}
			if !reflect.DeepEqual(words(got), tt.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.src, words(got), tt.want)
			}
		})
	}
}

func TestTokenizeQuotedFlagAndLines(t *testing.T) {
	src := "a 'b\nc'\n  d;\r\n\"e\";"
	got, err := Tokenize([]byte(src), "test.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := []Token{
		{Kind: TokenWord, Text: "a", Line: 1},
		{Kind: TokenWord, Text: "b\nc", Quoted: true, Line: 1},
		{Kind: TokenWord, Text: "d", Line: 3},
		{Kind: TokenSemicolon, Text: ";", Line: 3},
		{Kind: TokenWord, Text: "e", Quoted: true, Line: 4},
		{Kind: TokenSemicolon, Text: ";", Line: 4},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tokenize(%q) = %+v, want %+v", src, got, want)
	}
}

func TestTokenizeErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"text right after closing quote", `a "b"c;`, `parse test.conf:1: unexpected "c"`},
		{"two quoted words without space", `a "b""c";`, `parse test.conf:1: unexpected """`},
		{"closing brace after quote", "a {\nb \"c\"}", `parse test.conf:2: unexpected "}"`},
		{"unterminated double quote", "a \"b;\n", `parse test.conf:2: unexpected end of file, expecting ";" or "}"`},
		{"unterminated word at end", "a b", `parse test.conf:1: unexpected end of file, expecting ";" or "}"`},
		{"too long bare word", "a " + strings.Repeat("x", confBuffer) + ";", `parse test.conf:1: too long parameter "xxxxxxxxxx..." started`},
		{"too long open quote", "a \"" + strings.Repeat("x", confBuffer+1), `parse test.conf:1: too long parameter, probably missing terminating """ character`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Tokenize([]byte(tt.src), "test.conf")
			if err == nil {
				t.Fatalf("Tokenize(%q) succeeded, want error %q", tt.src, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Tokenize error = %q, want %q", err, tt.want)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("Tokenize error is %T, want *SyntaxError", err)
			}
		})
	}
}

func TestTokenizeLongestWordThatFits(t *testing.T) {
	src := "a " + strings.Repeat("x", confBuffer-1) + ";"
	if _, err := Tokenize([]byte(src), "test.conf"); err != nil {
		t.Errorf("Tokenize of a %d-byte word: %v", confBuffer-1, err)
	}
}
