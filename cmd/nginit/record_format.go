package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// The command record is line-based text rather than JSON because
// encoding/json made the static binary 246 KB larger. Each line is a key,
// one space and a value. Strings are Go-quoted by strconv.Quote, which keeps
// every byte of an argument, invalid UTF-8 and newlines included:
//
//	nginit command record 2
//	pid 12
//	start_time 4567
//	pid_ns 4026532301
//	argv "/usr/sbin/nginx"
//	argv "-g"
//	argv "daemon off;"
//	health_url "http://127.0.0.1:8080/"
//
// The keys come in this order. argv repeats once per argument and appears at
// least once, and health_url is left out when empty. The file ends with a
// newline. The reader accepts exactly this and rejects anything else, so a
// damaged or foreign file never leads to a signal sent to the wrong process.
const commandRecordHeader = "nginit command record 2"

// marshal returns the record in the format above.
func (rec commandRecord) marshal() []byte {
	b := make([]byte, 0, 128)
	b = append(b, commandRecordHeader+"\n"...)
	b = append(b, "pid "...)
	b = strconv.AppendInt(b, int64(rec.PID), 10)
	b = append(b, "\nstart_time "...)
	b = strconv.AppendUint(b, rec.StartTime, 10)
	b = append(b, "\npid_ns "...)
	b = strconv.AppendUint(b, rec.PIDNamespace, 10)
	b = append(b, '\n')
	for _, arg := range rec.Argv {
		b = append(b, "argv "...)
		b = strconv.AppendQuote(b, arg)
		b = append(b, '\n')
	}
	if rec.HealthURL != "" {
		b = append(b, "health_url "...)
		b = strconv.AppendQuote(b, rec.HealthURL)
		b = append(b, '\n')
	}
	return b
}

// parseCommandRecord parses a command record strictly. Its errors name the
// line number and what was expected there.
func parseCommandRecord(data []byte) (commandRecord, error) {
	var rec commandRecord
	if len(data) == 0 {
		return rec, errors.New("empty command record")
	}
	if data[len(data)-1] != '\n' {
		return rec, errors.New("command record does not end with a newline")
	}
	lines := bytes.Split(data[:len(data)-1], []byte("\n"))
	if string(lines[0]) != commandRecordHeader {
		return rec, fmt.Errorf("line 1: want %q, not %q", commandRecordHeader, truncate(lines[0]))
	}

	// field returns the value of line i when the line has key.
	field := func(i int, key string) (string, bool) {
		if i >= len(lines) {
			return "", false
		}
		k, v, ok := bytes.Cut(lines[i], []byte(" "))
		return string(v), ok && string(k) == key
	}
	lineError := func(i int, want string) error {
		if i >= len(lines) {
			return fmt.Errorf("line %d: want %s, not the end of the record", i+1, want)
		}
		return fmt.Errorf("line %d: want %s, not %q", i+1, want, truncate(lines[i]))
	}

	i := 1
	value, ok := field(i, "pid")
	pid, err := parseDecimal(value)
	if !ok || err != nil || pid == 0 || pid > math.MaxInt32 {
		return commandRecord{}, lineError(i, "pid and a positive decimal number")
	}
	rec.PID = int(pid)
	i++

	value, ok = field(i, "start_time")
	if rec.StartTime, err = parseDecimal(value); !ok || err != nil {
		return commandRecord{}, lineError(i, "start_time and a decimal number")
	}
	i++

	value, ok = field(i, "pid_ns")
	if rec.PIDNamespace, err = parseDecimal(value); !ok || err != nil {
		return commandRecord{}, lineError(i, "pid_ns and a decimal number")
	}
	i++

	for ; ; i++ {
		value, ok := field(i, "argv")
		if !ok {
			break
		}
		arg, err := parseQuoted(value)
		if err != nil {
			return commandRecord{}, lineError(i, "argv and a Go-quoted string: "+err.Error())
		}
		rec.Argv = append(rec.Argv, arg)
	}
	if len(rec.Argv) == 0 {
		return commandRecord{}, lineError(i, "argv and a Go-quoted string")
	}

	value, ok = field(i, "health_url")
	if !ok {
		if i < len(lines) {
			return commandRecord{}, lineError(i, "argv, health_url or the end of the record")
		}
		return rec, nil
	}
	if rec.HealthURL, err = parseQuoted(value); err != nil || rec.HealthURL == "" {
		return commandRecord{}, lineError(i, "health_url and a non-empty Go-quoted string")
	}
	i++
	if i < len(lines) {
		return commandRecord{}, lineError(i, "the end of the record")
	}
	return rec, nil
}

// parseDecimal parses digits only: no sign, no spaces, no leading zeros
// except "0" itself.
func parseDecimal(s string) (uint64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, strconv.ErrSyntax
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

// parseQuoted unquotes a string exactly as strconv.Quote writes it. Any
// other spelling is rejected: strconv.Unquote alone would also accept a `raw`
// string, a 'c' rune literal and escapes such as \x41 for "A".
func parseQuoted(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' {
		return "", errors.New("no opening double quote")
	}
	unquoted, err := strconv.Unquote(s)
	if err != nil {
		return "", err
	}
	if strconv.Quote(unquoted) != s {
		return "", errors.New("not quoted as strconv.Quote writes it")
	}
	return unquoted, nil
}

// truncate shortens a line quoted in an error.
func truncate(line []byte) []byte {
	const maxShown = 80
	if len(line) > maxShown {
		return line[:maxShown]
	}
	return line
}
