package callbacks

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kerago/kerago/keras"
)

// This file holds the small part of Python's string formatting that Keras's callbacks rely
// on: repr(float) (CSVLogger's cells, the learning rates in messages), format specs such as
// "02d" and ".2f" (ModelCheckpoint's file names, "{:.5f}" in messages) and str.format with
// named fields.

// pyRepr formats v as Python's repr(float) and str(float) do: the shortest decimal that
// reads back as v, in fixed notation with at least one digit after the point when the decimal
// exponent is in [-4, 16), else in scientific notation with a signed exponent of at least two
// digits: 0.1 → "0.1", 1.0 → "1.0", 1e-05 → "1e-05", 1e16 → "1e+16", NaN → "nan".
func pyRepr(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	neg, digits, exp := shortestDigits(v)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case exp < -4 || exp >= 16:
		b.WriteString(mantissa(digits))
		b.WriteString(pyExponent(exp))
	case exp < 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -exp-1))
		b.WriteString(digits)
	default:
		if len(digits) <= exp+1 {
			b.WriteString(digits)
			b.WriteString(strings.Repeat("0", exp+1-len(digits)))
			b.WriteString(".0")
		} else {
			b.WriteString(digits[:exp+1])
			b.WriteByte('.')
			b.WriteString(digits[exp+1:])
		}
	}
	return b.String()
}

// shortestDigits returns the sign, the shortest round-trip decimal digits (no leading or
// trailing zeros, "0" for zero) and the decimal exponent of the first digit.
func shortestDigits(v float64) (neg bool, digits string, exp int) {
	return splitE(strconv.FormatFloat(v, 'e', -1, 64))
}

// splitE splits Go's 'e' format ("-1.25e-05") into sign, digits ("125") and exponent (-5).
func splitE(s string) (neg bool, digits string, exp int) {
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	i := strings.IndexByte(s, 'e')
	exp, _ = strconv.Atoi(s[i+1:])
	return neg, strings.Replace(s[:i], ".", "", 1), exp
}

// mantissa writes digits as "d" or "d.ddd".
func mantissa(digits string) string {
	if len(digits) == 1 {
		return digits
	}
	return digits[:1] + "." + digits[1:]
}

// pyExponent is Python's exponent suffix: "e+16", "e-05", "e+100".
func pyExponent(exp int) string {
	sign := '+'
	if exp < 0 {
		sign, exp = '-', -exp
	}
	return fmt.Sprintf("e%c%02d", sign, exp)
}

// formatSpec is a parsed Python format spec: [[fill]align][sign][0][width][.precision][type].
type formatSpec struct {
	fill      rune
	align     byte // '<', '>', '^', '=' or 0 (the type's default)
	sign      byte // '+', '-', ' ' or 0
	width     int
	precision int // -1 when absent
	typ       byte
}

// parseSpec parses the subset of Python's format-spec mini-language that Keras file names
// use: fill and alignment, sign, zero padding, width, precision and the types d, e, E, f, F,
// g, G and %. Grouping, '#', 'z' and other types are reported as unsupported.
func parseSpec(spec string) (formatSpec, error) {
	fs := formatSpec{fill: ' ', precision: -1}
	s := spec
	isAlign := func(c byte) bool { return c == '<' || c == '>' || c == '^' || c == '=' }
	if r, n := utf8.DecodeRuneInString(s); n > 0 && len(s) > n && isAlign(s[n]) {
		fs.fill, fs.align, s = r, s[n], s[n+1:]
	} else if len(s) > 0 && isAlign(s[0]) {
		fs.align, s = s[0], s[1:]
	}
	if len(s) > 0 && (s[0] == '+' || s[0] == '-' || s[0] == ' ') {
		fs.sign, s = s[0], s[1:]
	}
	if len(s) > 0 && s[0] == '0' {
		if fs.align == 0 {
			fs.fill, fs.align = '0', '='
		}
		s = s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 {
		fs.width, _ = strconv.Atoi(s[:i])
		s = s[i:]
	}
	if len(s) > 0 && s[0] == '.' {
		j := 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 1 {
			return fs, fmt.Errorf("format spec %q: missing precision after '.'", spec)
		}
		fs.precision, _ = strconv.Atoi(s[1:j])
		s = s[j:]
	}
	if len(s) > 1 {
		return fs, fmt.Errorf("format spec %q: unsupported (supported: [[fill]align][sign][0][width][.precision][type] with type d, e, E, f, F, g, G or %%)", spec)
	}
	if len(s) == 1 {
		switch s[0] {
		case 'd', 'e', 'E', 'f', 'F', 'g', 'G', '%':
			fs.typ = s[0]
		default:
			return fs, fmt.Errorf("format spec %q: unsupported type %q (supported: d, e, E, f, F, g, G, %%)", spec, s[0])
		}
	}
	return fs, nil
}

// pyFormatInt formats an int as Python's format(n, spec) does.
func pyFormatInt(n int, spec string) (string, error) {
	fs, err := parseSpec(spec)
	if err != nil {
		return "", err
	}
	if fs.typ != 0 && fs.typ != 'd' {
		return fs.formatFloat(float64(n))
	}
	if fs.precision >= 0 {
		return "", fmt.Errorf("format spec %q: precision not allowed in integer format specifier", spec)
	}
	neg := n < 0
	body := strconv.Itoa(n)
	if neg {
		body = body[1:]
	}
	return fs.pad(neg, body), nil
}

// pyFormatFloat formats a float as Python's format(x, spec) does.
func pyFormatFloat(v float64, spec string) (string, error) {
	fs, err := parseSpec(spec)
	if err != nil {
		return "", err
	}
	if fs.typ == 'd' {
		return "", fmt.Errorf("format spec %q: unknown format code 'd' for a float value (use .0f)", spec)
	}
	return fs.formatFloat(v)
}

// mustFormatFloat formats v with a spec known to be valid ("{:.5f}" in messages).
func mustFormatFloat(v float64, spec string) string {
	s, err := pyFormatFloat(v, spec)
	if err != nil {
		panic(err) // broken internal invariant: the spec is a constant
	}
	return s
}

func (fs formatSpec) formatFloat(v float64) (string, error) {
	neg := math.Signbit(v) && !math.IsNaN(v)
	a := math.Abs(v)
	var body string
	upper := fs.typ == 'E' || fs.typ == 'F' || fs.typ == 'G'
	switch {
	case math.IsNaN(v):
		body = "nan"
	case math.IsInf(v, 0):
		body = "inf"
	default:
		p := fs.precision
		switch fs.typ {
		case 'f', 'F', '%':
			if p < 0 {
				p = 6
			}
			if fs.typ == '%' {
				a *= 100
			}
			body = strconv.FormatFloat(a, 'f', p, 64)
		case 'e', 'E':
			if p < 0 {
				p = 6
			}
			body = strconv.FormatFloat(a, 'e', p, 64)
		case 'g', 'G':
			if p < 0 {
				p = 6
			}
			body = formatG(a, p, false)
		default: // no type: repr, or 'g' with at least one decimal when a precision is given
			if p < 0 {
				body = pyRepr(a)
			} else {
				body = formatG(a, p, true)
			}
		}
	}
	if upper {
		body = strings.ToUpper(body)
	}
	if fs.typ == '%' {
		body += "%"
	}
	return fs.pad(neg, body), nil
}

// formatG is Python's 'g' format of a >= 0 with precision p. With addDot0 (format type
// omitted) it switches to scientific notation one exponent earlier and keeps ".0" on whole
// numbers, as Python's repr-like format does.
func formatG(a float64, p int, addDot0 bool) string {
	if p == 0 {
		p = 1
	}
	_, digits, exp := splitE(strconv.FormatFloat(a, 'e', p-1, 64))
	limit := p
	if addDot0 {
		limit = p - 1
	}
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		digits, exp = "0", 0
	}
	if exp < -4 || exp >= limit {
		return mantissa(digits) + pyExponent(exp)
	}
	var s string
	switch {
	case exp < 0:
		s = "0." + strings.Repeat("0", -exp-1) + digits
	case len(digits) <= exp+1:
		s = digits + strings.Repeat("0", exp+1-len(digits))
		if addDot0 {
			s += ".0"
		}
	default:
		s = digits[:exp+1] + "." + digits[exp+1:]
	}
	return s
}

// pad applies sign, fill, alignment and width.
func (fs formatSpec) pad(neg bool, body string) string {
	sign := ""
	switch {
	case neg:
		sign = "-"
	case fs.sign == '+':
		sign = "+"
	case fs.sign == ' ':
		sign = " "
	}
	n := fs.width - utf8.RuneCountInString(sign+body)
	if n <= 0 {
		return sign + body
	}
	fill := strings.Repeat(string(fs.fill), n)
	switch fs.align {
	case '<':
		return sign + body + fill
	case '^':
		left := strings.Repeat(string(fs.fill), n/2)
		return left + sign + body + strings.Repeat(string(fs.fill), n-n/2)
	case '=':
		return sign + fill + body
	}
	return fill + sign + body
}

// formatPath fills Python str.format fields in pattern: "{epoch:02d}", "{val_loss:.2f}",
// "{{" and "}}". ints are the integer fields (epoch, batch), floats the logs. A field that is
// in neither is an error naming it, as Keras's KeyError is.
func formatPath(pattern string, ints map[string]int, floats map[string]float64) (string, error) {
	var b strings.Builder
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '{' && i+1 < len(pattern) && pattern[i+1] == '{':
			b.WriteByte('{')
			i += 2
			continue
		case c == '}' && i+1 < len(pattern) && pattern[i+1] == '}':
			b.WriteByte('}')
			i += 2
			continue
		case c == '}':
			return "", fmt.Errorf("single '}' at offset %d (write '}}' for a literal brace)", i)
		case c != '{':
			b.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(pattern[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unclosed '{' at offset %d", i)
		}
		field := pattern[i+1 : i+end]
		i += end + 1
		name, spec, _ := strings.Cut(field, ":")
		if name == "" || strings.ContainsAny(name, ".[!{") {
			return "", fmt.Errorf("field {%s}: only named fields such as {epoch:02d} or {val_loss:.2f} are supported", field)
		}
		var s string
		var err error
		if n, ok := ints[name]; ok {
			s, err = pyFormatInt(n, spec)
		} else if v, ok := floats[name]; ok {
			s, err = pyFormatFloat(v, spec)
		} else {
			var known []string
			for k := range ints {
				known = append(known, k)
			}
			for k := range floats {
				known = append(known, k)
			}
			sort.Strings(known)
			return "", fmt.Errorf("%w: no value named %q (known: %s)", keras.ErrUnknownName, name, strings.Join(known, ", "))
		}
		if err != nil {
			return "", fmt.Errorf("field {%s}: %w", field, err)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}
