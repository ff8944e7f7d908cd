package customid

import (
	"errors"
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

// Custom is a module's own type (an ISO week, a quest key): check returns
// an error for every value the handler would not accept. A nil check leaves
// the Arg untyped, which the router refuses at start.
func Custom(name string, check func(string) error) Arg {
	if check == nil {
		return Arg{Name: name}
	}
	return Arg{Name: name, check: func(s string) error {
		if err := check(s); err != nil {
			return fmt.Errorf("%w: %s %q: %w", ErrBadArg, name, s, err)
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

// ErrUntyped marks an Arg built without a constructor (no check).
var ErrUntyped = errors.New("custom id argument has no type")

// Typed reports an Arg that has no check: a zero Arg{Name: ...} or
// Custom with a nil check. The router calls it at start so an untyped
// argument fails the process, not a click.
func (a Arg) Typed() error {
	if a.check == nil {
		return fmt.Errorf("%w: %q (build it with ID64, Snowflake, Int, OneOf or Custom)", ErrUntyped, a.Name)
	}
	return nil
}

// Check validates one value against the Arg; select values are checked
// with the same types as id arguments.
func (a Arg) Check(s string) error {
	if err := a.Typed(); err != nil {
		return err
	}
	return a.check(s)
}

// CheckArgs validates id's arguments against want: same count, each valid.
func CheckArgs(id ID, want []Arg) error {
	if len(id.Args) != len(want) {
		return &Error{ID: id.String(), Reason: ErrBadArg,
			Detail: fmt.Sprintf("%s:%s takes %d argument(s), got %d", id.Module, id.Action, len(want), len(id.Args))}
	}
	for i, a := range want {
		if err := a.Check(id.Args[i]); err != nil {
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
