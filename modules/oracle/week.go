package oracle

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Week is an ISO 8601 week (Monday to Sunday) as seen in a guild's time zone.
// The same instant can be in different weeks for different guilds: Sunday
// 23:30 UTC is already Monday in Moscow.
type Week struct {
	Year int // ISO year, which differs from the calendar year around 1 January
	Num  int // 1..53
}

// PublishHour is the local hour on Monday at which a week's dashboard is
// published.
const PublishHour = 10

// ErrBadWeek is returned for a week string that is not "YYYY-Www".
var ErrBadWeek = errors.New("oracle: malformed week")

// WeekAt is the week that contains t in loc.
func WeekAt(t time.Time, loc *time.Location) Week {
	y, w := t.In(loc).ISOWeek()
	return Week{Year: y, Num: w}
}

// String is "2026-W48": the stored form, the custom-id form and the hash input.
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// ParseWeek reads the String form back, refusing weeks that do not exist.
func ParseWeek(s string) (Week, error) {
	if len(s) != 8 || s[4:6] != "-W" || !digits(s[:4]) || !digits(s[6:]) {
		return Week{}, fmt.Errorf("%w: %q", ErrBadWeek, s)
	}
	y, err1 := strconv.Atoi(s[:4])
	n, err2 := strconv.Atoi(s[6:])
	if err1 != nil || err2 != nil || n < 1 {
		return Week{}, fmt.Errorf("%w: %q", ErrBadWeek, s)
	}
	w := Week{Year: y, Num: n}
	// Week 53 exists only in some years: round-trip through the calendar.
	if WeekAt(w.monday(time.UTC), time.UTC) != w {
		return Week{}, fmt.Errorf("%w: %q does not exist", ErrBadWeek, s)
	}
	return w, nil
}

// digits rejects the signs and spaces strconv.Atoi would accept.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// monday is 00:00 on the week's Monday in loc. 4 January is always in ISO
// week 1, so week 1's Monday is the Monday on or before it.
func (w Week) monday(loc *time.Location) time.Time {
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, loc)
	back := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return time.Date(w.Year, time.January, 4-back+7*(w.Num-1), 0, 0, 0, 0, loc)
}

// Start is the first instant of the week in loc.
func (w Week) Start(loc *time.Location) time.Time { return w.monday(loc) }

// Sunday is the week's last calendar day (for "23–29 Nov" labels).
func (w Week) Sunday(loc *time.Location) time.Time {
	m := w.monday(loc)
	return time.Date(m.Year(), m.Month(), m.Day()+6, 0, 0, 0, 0, loc)
}

// PublishAt is Monday PublishHour:00 local time. time.Date normalises a time
// that a DST jump skips, so the result always exists.
func (w Week) PublishAt(loc *time.Location) time.Time {
	m := w.monday(loc)
	return time.Date(m.Year(), m.Month(), m.Day(), PublishHour, 0, 0, 0, loc)
}

// Next is the following week.
func (w Week) Next() Week {
	m := w.monday(time.UTC)
	return WeekAt(m.AddDate(0, 0, 7), time.UTC)
}

// Before orders weeks in time.
func (w Week) Before(o Week) bool {
	return w.Year < o.Year || w.Year == o.Year && w.Num < o.Num
}

// NextPublish is the first publish time strictly after now in loc: this
// Monday's if it is still ahead, else next Monday's.
func NextPublish(now time.Time, loc *time.Location) time.Time {
	w := WeekAt(now, loc)
	if at := w.PublishAt(loc); now.Before(at) {
		return at
	}
	return w.Next().PublishAt(loc)
}

// PickArchetype chooses the week's archetype from keys, which must be sorted
// (Library.Keys is). The choice is
//
//	keys[ uint64_be( sha256("<guild id>:<YYYY-Www>")[0:8] ) mod len(keys) ]
//
// with the guild id in decimal and the week in the guild's time zone. It
// depends on nothing else — no query order, no process state, no clock — so
// every replica, and every run, picks the same archetype for a guild and week.
func PickArchetype(keys []string, guildID uint64, w Week) string {
	if len(keys) == 0 {
		return ""
	}
	sum := sha256.Sum256([]byte(strconv.FormatUint(guildID, 10) + ":" + w.String()))
	return keys[binary.BigEndian.Uint64(sum[:8])%uint64(len(keys))]
}
