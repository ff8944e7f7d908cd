package hall

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Month is a calendar month as a key ("2026-11").
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf is the month t falls in, in loc.
func MonthOf(t time.Time, loc *time.Location) Month {
	lt := t.In(loc)
	return Month{Year: lt.Year(), Month: lt.Month()}
}

// ParseMonth reads "YYYY-MM".
func ParseMonth(s string) (Month, error) {
	y, m, ok := strings.Cut(s, "-")
	if !ok || len(y) != 4 || len(m) != 2 {
		return Month{}, fmt.Errorf("hall: month %q is not YYYY-MM", s)
	}
	yy, err1 := strconv.Atoi(y)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || mm < 1 || mm > 12 {
		return Month{}, fmt.Errorf("hall: month %q is not YYYY-MM", s)
	}
	return Month{Year: yy, Month: time.Month(mm)}, nil
}

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Next is the following month.
func (m Month) Next() Month {
	if m.Month == time.December {
		return Month{Year: m.Year + 1, Month: time.January}
	}
	return Month{Year: m.Year, Month: m.Month + 1}
}

// Start is the month's first instant in loc. time.Date normalizes a
// midnight that a DST change skips, so this is always a real instant.
func (m Month) Start(loc *time.Location) time.Time {
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, loc)
}

// End is the next month's first instant in loc (exclusive bound).
func (m Month) End(loc *time.Location) time.Time { return m.Next().Start(loc) }
