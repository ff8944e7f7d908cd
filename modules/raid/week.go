package raid

import (
	"fmt"
	"time"
)

// localDay is a guild-local calendar day, "2026-11-27": the stored form (Postgres
// date), the offers' hash input and what users see.
type localDay string

// dayAt is the calendar day of t in loc.
func dayAt(t time.Time, loc *time.Location) localDay {
	return localDay(t.In(loc).Format(time.DateOnly))
}

// Date is the day's midnight in loc (time.Date moves a midnight that a DST
// jump skips to the first instant that exists).
func (d localDay) Date(loc *time.Location) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return time.Time{}, fmt.Errorf("raid: bad day %q: %w", d, err)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc), nil
}

// localWeek is the guild-local week (Monday start) containing an instant.
type localWeek struct {
	Start localDay  // the Monday
	Begin time.Time // Monday 00:00 local
	End   time.Time // next Monday 00:00 local: the raid's ends_at
}

// weekAt is the week containing t in loc.
func weekAt(t time.Time, loc *time.Location) localWeek {
	l := t.In(loc)
	back := (int(l.Weekday()) + 6) % 7 // days since Monday
	begin := time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
	end := time.Date(l.Year(), l.Month(), l.Day()-back+7, 0, 0, 0, 0, loc)
	return localWeek{Start: dayAt(begin, loc), Begin: begin, End: end}
}
