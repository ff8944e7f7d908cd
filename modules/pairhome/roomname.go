package pairhome

import (
	"strings"
	"unicode"
)

// maxNamePart bounds each member's part of a room name; Discord allows 100
// characters for the whole name.
const maxNamePart = 40

// RoomName builds a channel name from two display names, keeping letters
// and digits of every script ("Анна" stays "анна"), lowercased, with
// anything else folded into single dashes. It returns "" when neither name
// has a letter or digit; the room job then names the room after the pair id.
func roomName(a, b string) string {
	pa, pb := slug(a), slug(b)
	switch {
	case pa == "" && pb == "":
		return ""
	case pa == "":
		return pb
	case pb == "":
		return pa
	}
	return pa + "-" + pb
}

func slug(s string) string {
	var b strings.Builder
	n := 0
	dash := false
	for _, r := range strings.ToLower(s) {
		if n >= maxNamePart {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
				n++
			}
			dash = false
			b.WriteRune(r)
			n++
			continue
		}
		dash = true
	}
	return b.String()
}
