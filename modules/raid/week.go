package raid

import (
	"fmt"
	"time"
)

// Day is a guild-local calendar day, "2026-11-27": the stored form (Postgres
// date), the offers' hash input and what users see.
type Day string

// DayAt is the calendar day of t in loc.
func DayAt(t time.Time, loc *time.Location) Day {
	return Day(t.In(loc).Format(time.DateOnly))
}

// Date is the day's midnight in loc (time.Date moves a midnight that a DST
// jump skips to the first instant that exists).
func (d Day) Date(loc *time.Location) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return time.Time{}, fmt.Errorf("raid: bad day %q: %w", d, err)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc), nil
}

// Week is the guild-local week (Monday start) containing an instant.
type Week struct {
	Start Day       // the Monday
	Begin time.Time // Monday 00:00 local
	End   time.Time // next Monday 00:00 local: the raid's ends_at
}

// WeekAt is the week containing t in loc.
func WeekAt(t time.Time, loc *time.Location) Week {
	l := t.In(loc)
	back := (int(l.Weekday()) + 6) % 7 // days since Monday
	begin := time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
	end := time.Date(l.Year(), l.Month(), l.Day()-back+7, 0, 0, 0, 0, loc)
	return Week{Start: DayAt(begin, loc), Begin: begin, End: end}
}
