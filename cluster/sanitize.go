package cluster

import (
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// Every string in a Result came from a peer: a stats page, crm_mon, an
// endpoint's body, a BMC. Printed as is, an ESC in one of them would let the
// peer recolour, clear or retitle the operator's terminal. Results are
// cleaned once, when a poll returns, so no output (console, status text,
// Markdown export, events log) has to remember to.

// CleanText replaces control characters (C0, DEL, C1, and invalid UTF-8)
// with a visible stand-in: tabs and newlines become spaces, everything else
// U+FFFD. Clean text is returned as it is, without allocating.
func CleanText(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r == utf8.RuneError && size <= 1, isControl(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }

// isClean is the fast path: printable ASCII, or valid UTF-8 without C1.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			return cleanUTF8(s[i:])
		}
	}
	return true
}

func cleanUTF8(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || isControl(r) {
			return false
		}
		i += size
	}
	return true
}

// Sanitize cleans every string a Result carries, in place, however deep.
func (r *Result) Sanitize() {
	cleanValue(reflect.ValueOf(r).Elem())
}

func cleanValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !isClean(s) && v.CanSet() {
			v.SetString(CleanText(s))
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			cleanValue(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return // no text, and a result holds many (a fleet's CPU, issue 18)
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				cleanValue(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			cleanValue(v.Index(i))
		}
	case reflect.Map:
		cleanMap(v)
	}
}

// cleanMap cleans a map's keys and values; it writes only entries that
// change, so a clean map shared with a cache is never written to.
func cleanMap(v reflect.Value) {
	if v.IsNil() {
		return
	}
	type entry struct{ old, k, val reflect.Value }
	var changed []entry
	iter := v.MapRange()
	for iter.Next() {
		if v.Type().Elem().Kind() == reflect.Map {
			cleanMap(iter.Value()) // a map value is a reference: clean in place
		}
		k, val := iter.Key(), iter.Value()
		ck, cval := cleanCopy(k), cleanCopy(val)
		if ck != k || cval != val { // cleanCopy returns its argument when clean
			changed = append(changed, entry{k, ck, cval})
		}
	}
	for _, e := range changed {
		v.SetMapIndex(e.old, reflect.Value{})
		v.SetMapIndex(e.k, e.val)
	}
}

// cleanCopy returns a cleaned copy of a string, or v itself for any other
// kind (map values other than strings and maps are not used in Results).
func cleanCopy(v reflect.Value) reflect.Value {
	if v.Kind() != reflect.String || isClean(v.String()) {
		return v
	}
	c := reflect.New(v.Type()).Elem()
	c.SetString(CleanText(v.String()))
	return c
}
