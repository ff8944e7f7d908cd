package customid

import (
	"fmt"
	"slices"
	"strconv"
)

// Arg describes one argument of a component's or modal's custom id. The
// router checks every argument against its Arg before the handler runs, and
// refuses missing or extra ones, so a handler reads its arguments with the
// typed accessors below and never sees "abc" where it expects a number.
type Arg struct {
	// Name is for errors and logs ("round", "pair").
	Name  string
	check func(string) error
}

// ErrBadArg wraps every argument an Arg refuses.
var ErrBadArg = fmt.Errorf("%w: bad argument", ErrMalformed)

// ID64 is a positive 63-bit integer: a database id (round, pair, post).
func ID64(name string) Arg {
	return Arg{Name: name, check: func(s string) error {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v <= 0 || strconv.FormatInt(v, 10) != s {
			return fmt.Errorf("%w: %s %q is not a positive id", ErrBadArg, name, s)
		}
		return nil
	}}
}

// Snowflake is a Discord id: a positive 64-bit integer, canonical digits.
func Snowflake(name string) Arg {
	return Arg{Name: name, check: func(s string) error {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v == 0 || strconv.FormatUint(v, 10) != s {
			return fmt.Errorf("%w: %s %q is not a Discord id", ErrBadArg, name, s)
		}
		return nil
	}}
}

// Int is an integer within [lo, hi] (a page, an option index).
func Int(name string, lo, hi int) Arg {
	return Arg{Name: name, check: func(s string) error {
		v, err := strconv.Atoi(s)
		if err != nil || v < lo || v > hi || strconv.Itoa(v) != s {
			return fmt.Errorf("%w: %s %q is not an integer in [%d, %d]", ErrBadArg, name, s, lo, hi)
		}
		return nil
	}}
}

// OneOf is one of fixed words (a phase, a choice).
func OneOf(name string, values ...string) Arg {
	return Arg{Name: name, check: func(s string) error {
		if !slices.Contains(values, s) {
			return fmt.Errorf("%w: %s %q is not one of %v", ErrBadArg, name, s, values)
		}
		return nil
	}}
}

// CheckArgs validates id's arguments against want: same count, each valid.
func CheckArgs(id ID, want []Arg) error {
	if len(id.Args) != len(want) {
		return &Error{ID: id.String(), Reason: ErrBadArg,
			Detail: fmt.Sprintf("%s:%s takes %d argument(s), got %d", id.Module, id.Action, len(want), len(id.Args))}
	}
	for i, a := range want {
		if a.check == nil {
			return &Error{ID: id.String(), Reason: ErrBadArg, Detail: fmt.Sprintf("argument %d (%s) has no type", i, a.Name)}
		}
		if err := a.check(id.Args[i]); err != nil {
			return &Error{ID: id.String(), Reason: ErrBadArg, Detail: err.Error()}
		}
	}
	return nil
}

// Int64 reads argument i as an integer. Call it only on ids the router
// checked against ID64, Snowflake or Int; it returns 0 otherwise.
func (id ID) Int64(i int) int64 {
	v, _ := strconv.ParseInt(id.Arg(i), 10, 64)
	return v
}

// Uint64 reads argument i as a Discord id (see Int64).
func (id ID) Uint64(i int) uint64 {
	v, _ := strconv.ParseUint(id.Arg(i), 10, 64)
	return v
}
