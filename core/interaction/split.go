package interaction

import (
	"strings"
	"unicode/utf8"
)

// Discord size limits for one message.
const (
	MaxContent     = 2000 // message content
	MaxEmbedDesc   = 4096 // one embed description
	MaxTextDisplay = 4000 // total text of a Components V2 message
)

// Split cuts text into chunks of at most limit characters (runes), breaking
// at line ends when possible, so long reports fit Discord's limits.
func Split(text string, limit int) []string {
	if limit <= 0 {
		return []string{text}
	}
	var out []string
	var cur strings.Builder
	curLen, started := 0, false
	flush := func() {
		if started {
			out = append(out, cur.String())
			cur.Reset()
			curLen, started = 0, false
		}
	}
	for _, line := range strings.Split(text, "\n") {
		n := utf8.RuneCountInString(line)
		sep := 0
		if started {
			sep = 1
		}
		if curLen+sep+n <= limit {
			if started {
				cur.WriteByte('\n')
			}
			cur.WriteString(line)
			curLen += sep + n
			started = true
			continue
		}
		flush()
		for n > limit {
			r := []rune(line)
			out = append(out, string(r[:limit]))
			line = string(r[limit:])
			n -= limit
		}
		cur.WriteString(line)
		curLen, started = n, true
	}
	flush()
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// ReplyLong sends text as one message per chunk of MaxContent: the first as
// the reply, the rest as follow-ups.
func (c *Context) ReplyLong(ephemeral bool, text string) error {
	for _, chunk := range Split(text, MaxContent) {
		if err := c.ReplyText(ephemeral, chunk); err != nil {
			return err
		}
	}
	return nil
}
