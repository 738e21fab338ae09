package probes

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// crm_mon's XML for a large cluster runs to megabytes, most of it
// node_history, and is read every poll. encoding/xml tokenises it at a few
// tens of MB/s (50 ms for 1,000 resources on 16 nodes on the test machine
// before any decoding), so crm_mon output is read by this small scanner
// into a light tree instead: elements, attributes and text, all substrings
// of one string, with entity decoding and strict well-formedness (tags
// must nest and close; DTDs are skipped, not interpreted).

// xel is one element of the light tree.
type xel struct {
	name  string
	attrs []xattr
	kids  []*xel
	text  string
}

type xattr struct{ name, value string }

// attr returns an attribute's value, "" when absent.
func (e *xel) attr(name string) string {
	for i := range e.attrs {
		if e.attrs[i].name == name {
			return e.attrs[i].value
		}
	}
	return ""
}

func (e *xel) hasAttr(name string) bool {
	for i := range e.attrs {
		if e.attrs[i].name == name {
			return true
		}
	}
	return false
}

// child returns the first child element called name.
func (e *xel) child(name string) *xel {
	for _, k := range e.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// each calls fn for every grandchild path[1] of every child path[0] (as
// encoding/xml's "a>b" would collect).
func (e *xel) each(outer, inner string, fn func(*xel)) {
	for _, k := range e.kids {
		if k.name != outer {
			continue
		}
		for _, g := range k.kids {
			if g.name == inner {
				fn(g)
			}
		}
	}
}

// maxXMLDepth bounds nesting: crm_mon's deepest path is about 6 levels.
const maxXMLDepth = 64

// parseXMLTree reads one document into a light tree. It gives up when ctx
// ends: the source's timeout bounds parsing as well as the command.
func parseXMLTree(ctx context.Context, src string) (*xel, error) {
	p := &xscan{s: src, ctx: ctx}
	root, err := p.document()
	if err != nil {
		line := 1 + strings.Count(src[:min(p.i, len(src))], "\n")
		return nil, fmt.Errorf("line %d: %w", line, err)
	}
	return root, nil
}

type xscan struct {
	s   string
	i   int
	ctx context.Context
	// text collects the character data of each open element by depth:
	// appending to el.text directly was quadratic on text cut into many
	// pieces by comments.
	text [][]byte
	// Elements and attributes are carved from chunks rather than
	// allocated one by one: a big crm_mon has ~25k elements and ~250k
	// attributes, and per-element allocations dominated the parse.
	els   []xel
	attrs []xattr
}

const xchunk = 1024

func (p *xscan) newEl(name string) *xel {
	if len(p.els) == cap(p.els) {
		p.els = make([]xel, 0, xchunk)
	}
	p.els = append(p.els, xel{name: name})
	return &p.els[len(p.els)-1]
}

// addAttr appends to the current element's attributes, which must stay
// contiguous: when the chunk is full they move to a fresh one.
func (p *xscan) addAttr(el *xel, a xattr) {
	if len(p.attrs) == cap(p.attrs) {
		n := len(el.attrs)
		fresh := make([]xattr, n, max(xchunk, 2*n+1))
		copy(fresh, el.attrs)
		p.attrs = fresh
		el.attrs = p.attrs[:n:n]
	}
	p.attrs = append(p.attrs, a)
	el.attrs = p.attrs[len(p.attrs)-len(el.attrs)-1 : len(p.attrs) : len(p.attrs)]
}

var errXMLEOF = errors.New("unexpected end of input")

// ctxCheckEvery is how many markup items are read between looks at ctx.
const ctxCheckEvery = 4096

func (p *xscan) document() (*xel, error) {
	var stack []*xel
	var root *xel
	for items := 0; p.i < len(p.s); items++ {
		if items%ctxCheckEvery == 0 && p.ctx.Err() != nil {
			return nil, fmt.Errorf("parsing took longer than the source's timeout: %w", p.ctx.Err())
		}
		lt := strings.IndexByte(p.s[p.i:], '<')
		if lt < 0 {
			lt = len(p.s) - p.i
		}
		if err := p.addText(stack, p.s[p.i:p.i+lt]); err != nil {
			return nil, err
		}
		p.i += lt
		if p.i >= len(p.s) {
			break
		}
		rest := p.s[p.i:]
		switch {
		case strings.HasPrefix(rest, "<?"):
			if err := p.skipPast("?>"); err != nil {
				return nil, err
			}
		case strings.HasPrefix(rest, "<!--"):
			if err := p.skipPast("-->"); err != nil {
				return nil, err
			}
		case strings.HasPrefix(rest, "<![CDATA["):
			end := strings.Index(rest, "]]>")
			if end < 0 || len(stack) == 0 {
				return nil, errors.New("bad CDATA section")
			}
			p.text[len(stack)-1] = append(p.text[len(stack)-1], rest[len("<![CDATA["):end]...)
			p.i += end + 3
		case strings.HasPrefix(rest, "<!"):
			if err := p.skipPast(">"); err != nil {
				return nil, err
			}
		case strings.HasPrefix(rest, "</"):
			var err error
			if stack, err = p.endTag(stack); err != nil {
				return nil, err
			}
		default:
			p.i++
			el, selfClosing, err := p.startTag()
			if err != nil {
				return nil, err
			}
			switch {
			case len(stack) > 0:
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, el)
			case root != nil:
				return nil, fmt.Errorf("second root element <%s>", el.name)
			default:
				root = el
			}
			if !selfClosing {
				if len(stack) >= maxXMLDepth {
					return nil, errors.New("elements nested too deeply")
				}
				stack = append(stack, el)
				if len(p.text) < len(stack) {
					p.text = append(p.text, nil)
				}
			}
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("<%s> not closed: %w", stack[len(stack)-1].name, errXMLEOF)
	}
	if root == nil {
		return nil, errXMLEOF
	}
	return root, nil
}

// addText adds character data to the open element; outside the root only
// whitespace (and a byte-order mark) may appear.
func (p *xscan) addText(stack []*xel, text string) error {
	switch {
	case len(stack) > 0:
		if strings.TrimSpace(text) != "" {
			t, err := unescapeXML(text)
			if err != nil {
				return err
			}
			p.text[len(stack)-1] = append(p.text[len(stack)-1], t...)
		}
	case strings.TrimSpace(strings.TrimPrefix(text, "\ufeff")) != "":
		return errors.New("text outside the root element")
	}
	return nil
}

// endTag reads "</name>" and pops the element it closes.
func (p *xscan) endTag(stack []*xel) ([]*xel, error) {
	p.i += 2
	name := p.name()
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '>' {
		return nil, fmt.Errorf("bad end tag </%s", name)
	}
	p.i++
	if len(stack) == 0 || stack[len(stack)-1].name != name {
		return nil, fmt.Errorf("unexpected end tag </%s>", name)
	}
	if tb := p.text[len(stack)-1]; len(tb) > 0 {
		stack[len(stack)-1].text = string(tb)
		p.text[len(stack)-1] = tb[:0] // the buffer is reused by the next element at this depth
	}
	return stack[:len(stack)-1], nil
}

func (p *xscan) skipPast(end string) error {
	k := strings.Index(p.s[p.i:], end)
	if k < 0 {
		return errXMLEOF
	}
	p.i += k + len(end)
	return nil
}

func (p *xscan) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// name reads an element or attribute name: everything up to a delimiter.
func (p *xscan) name() string {
	start := p.i
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r', '/', '>', '=', '<', '"', '\'':
			return p.s[start:p.i]
		}
		p.i++
	}
	return p.s[start:p.i]
}

// startTag reads "name attr='v' …>" or "…/>" after the '<'.
func (p *xscan) startTag() (*xel, bool, error) {
	el := p.newEl(p.name())
	if el.name == "" {
		return nil, false, errors.New("element with no name")
	}
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil, false, errXMLEOF
		}
		switch p.s[p.i] {
		case '>':
			p.i++
			return el, false, nil
		case '/':
			if p.i+1 >= len(p.s) || p.s[p.i+1] != '>' {
				return nil, false, fmt.Errorf("bad '/' in <%s>", el.name)
			}
			p.i += 2
			return el, true, nil
		}
		an := p.name()
		if an == "" {
			return nil, false, fmt.Errorf("bad attribute in <%s>", el.name)
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '=' {
			return nil, false, fmt.Errorf("attribute %s of <%s> has no value", an, el.name)
		}
		p.i++
		p.space()
		if p.i >= len(p.s) || (p.s[p.i] != '"' && p.s[p.i] != '\'') {
			return nil, false, fmt.Errorf("attribute %s of <%s> is not quoted", an, el.name)
		}
		q := p.s[p.i]
		end := strings.IndexByte(p.s[p.i+1:], q)
		if end < 0 {
			return nil, false, errXMLEOF
		}
		raw := p.s[p.i+1 : p.i+1+end]
		p.i += end + 2
		if strings.IndexByte(raw, '<') >= 0 {
			return nil, false, fmt.Errorf("'<' in attribute %s of <%s>", an, el.name)
		}
		v, err := unescapeXML(raw)
		if err != nil {
			return nil, false, err
		}
		p.addAttr(el, xattr{an, v})
	}
}

// unescapeXML decodes the five named entities and character references.
func unescapeXML(s string) (string, error) {
	amp := strings.IndexByte(s, '&')
	if amp < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for amp >= 0 {
		b.WriteString(s[:amp])
		s = s[amp:]
		semi := strings.IndexByte(s, ';')
		if semi < 0 {
			return "", errors.New("unterminated entity")
		}
		ent := s[1:semi]
		switch ent {
		case "lt":
			b.WriteByte('<')
		case "gt":
			b.WriteByte('>')
		case "amp":
			b.WriteByte('&')
		case "quot":
			b.WriteByte('"')
		case "apos":
			b.WriteByte('\'')
		default:
			if !strings.HasPrefix(ent, "#") {
				return "", fmt.Errorf("unknown entity &%.20s;", ent)
			}
			num, base := ent[1:], 10
			if strings.HasPrefix(num, "x") {
				num, base = num[1:], 16
			}
			n, err := strconv.ParseUint(num, base, 32)
			if err != nil || !utf8.ValidRune(rune(n)) {
				return "", fmt.Errorf("bad character reference &%.20s;", ent)
			}
			b.WriteRune(rune(n))
		}
		s = s[semi+1:]
		amp = strings.IndexByte(s, '&')
	}
	b.WriteString(s)
	return b.String(), nil
}
