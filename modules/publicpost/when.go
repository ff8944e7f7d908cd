package publicpost

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/together-bot/together/core/refusal"
)

// Refusals from ParseWhen; bad_when and past carry the input and the zone.
var (
	// ErrBadWhen: not one of the accepted forms.
	ErrBadWhen = refusal.New("publicpost.error.bad_when")
	// ErrPast: a full date and time that has already passed.
	ErrPast = refusal.New("publicpost.error.past")
	// ErrTooFar: more than MaxAhead away.
	ErrTooFar = refusal.New("publicpost.error.too_far")
)

// MaxAhead bounds how far ahead a post may be scheduled from /post.
const MaxAhead = 366 * 24 * time.Hour

var (
	relativeForm = regexp.MustCompile(`^in\s+((?:\d+\s*[hm]\s*)+)$`)
	relativePart = regexp.MustCompile(`(\d+)\s*([hm])`)
)

// ParseWhen reads /post schedule's at: option in the guild's zone:
//
//	2026-03-01 18:30   that date and time (refused when past)
//	18:30              the next 18:30 (today, or tomorrow if it has passed)
//	in 90m, in 2h, in 1h30m   relative to now
func ParseWhen(input string, now time.Time, loc *time.Location) (time.Time, error) {
	s := strings.ToLower(strings.Join(strings.Fields(input), " "))
	if loc == nil {
		loc = time.UTC
	}
	badWhen := ErrBadWhen.With("input", input, "zone", loc.String())
	var at time.Time
	if m := relativeForm.FindStringSubmatch(s); m != nil {
		var d time.Duration
		for _, part := range relativePart.FindAllStringSubmatch(m[1], -1) {
			n, err := strconv.Atoi(part[1])
			if err != nil || n > 1_000_000 {
				return time.Time{}, badWhen
			}
			unit := time.Minute
			if part[2] == "h" {
				unit = time.Hour
			}
			d += time.Duration(n) * unit
		}
		if d <= 0 {
			return time.Time{}, badWhen
		}
		at = now.Add(d)
	} else if t, err := time.ParseInLocation("2006-01-02 15:04", s, loc); err == nil {
		if !t.After(now) {
			return time.Time{}, ErrPast.With("input", input, "zone", loc.String())
		}
		at = t
	} else if t, err := time.ParseInLocation("15:04", s, loc); err == nil {
		local := now.In(loc)
		at = time.Date(local.Year(), local.Month(), local.Day(), t.Hour(), t.Minute(), 0, 0, loc)
		if !at.After(now) {
			at = time.Date(local.Year(), local.Month(), local.Day()+1, t.Hour(), t.Minute(), 0, 0, loc)
		}
	} else {
		return time.Time{}, badWhen
	}
	if at.Sub(now) > MaxAhead {
		return time.Time{}, ErrTooFar
	}
	return at, nil
}
