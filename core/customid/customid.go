// Package customid builds and parses the custom ids of buttons, selects and
// modals.
//
// Format (version 1):
//
//	1:<module>:<action>[:<arg>...]:<sum>
//
// module and action are 1..24 characters of [a-z0-9_-]; each arg is 0..n
// characters of [A-Za-z0-9_.=-] (no ':'); sum is 4 lowercase hex digits of the
// CRC-32 of everything before it. The whole id must fit Discord's 100
// characters.
//
// The checksum is not a secret: it catches truncated or corrupted ids (a
// client that cut an id, a stale id from an older layout) before any handler
// sees them. Authorization never comes from a custom id — handlers check who
// clicked from the interaction itself — so a forged but well-formed id gains
// nothing the user could not do anyway.
package customid

import (
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
)

// MaxLen is Discord's limit for a component or modal custom id.
const MaxLen = 100

// Version is the only version this build writes and reads.
const Version = "1"

const (
	sep       = ":"
	sumLen    = 4
	maxName   = 24
	nameChars = "abcdefghijklmnopqrstuvwxyz0123456789_-"
	argChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.=-"
)

// Sentinel errors; every error this package returns wraps one of them, so
// callers can use errors.Is.
var (
	ErrTooLong    = errors.New("custom id longer than 100 characters")
	ErrBadChars   = errors.New("custom id part has a forbidden character or length")
	ErrMalformed  = errors.New("custom id is malformed")
	ErrVersion    = errors.New("custom id has an unknown version")
	ErrChecksum   = errors.New("custom id checksum mismatch (truncated or altered)")
	ErrNotOurs    = errors.New("custom id was not built by this scheme")
	errEmptyInput = fmt.Errorf("%w: empty", ErrMalformed)
)

// Error says which id failed and why; Unwrap gives the sentinel.
type Error struct {
	ID     string
	Reason error
	Detail string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("custom id %q: %v", e.ID, e.Reason)
	}
	return fmt.Sprintf("custom id %q: %v: %s", e.ID, e.Reason, e.Detail)
}

func (e *Error) Unwrap() error { return e.Reason }

// ID is a parsed custom id.
type ID struct {
	Version string
	Module  string
	Action  string
	Args    []string
}

// Arg returns the i-th argument or "" when there is none, so handlers can read
// optional trailing arguments without index checks.
func (id ID) Arg(i int) string {
	if i < 0 || i >= len(id.Args) {
		return ""
	}
	return id.Args[i]
}

// String rebuilds the id (it cannot fail for an ID that came from Parse).
func (id ID) String() string {
	s, _ := New(id.Module, id.Action, id.Args...)
	return s
}

// New builds a custom id. It fails rather than truncating: a truncated id
// would point at the wrong thing.
func New(module, action string, args ...string) (string, error) {
	if err := checkName(module); err != nil {
		return "", &Error{ID: module + sep + action, Reason: ErrBadChars, Detail: "module: " + err.Error()}
	}
	if err := checkName(action); err != nil {
		return "", &Error{ID: module + sep + action, Reason: ErrBadChars, Detail: "action: " + err.Error()}
	}
	var b strings.Builder
	b.WriteString(Version)
	b.WriteString(sep)
	b.WriteString(module)
	b.WriteString(sep)
	b.WriteString(action)
	for i, a := range args {
		if !only(a, argChars) {
			return "", &Error{ID: b.String(), Reason: ErrBadChars, Detail: fmt.Sprintf("arg %d %q", i, a)}
		}
		b.WriteString(sep)
		b.WriteString(a)
	}
	body := b.String()
	out := body + sep + sum(body)
	if len(out) > MaxLen {
		return "", &Error{ID: out, Reason: ErrTooLong, Detail: fmt.Sprintf("%d characters", len(out))}
	}
	return out, nil
}

// MustNew is New for ids built from constants; it panics on a programming error.
func MustNew(module, action string, args ...string) string {
	s, err := New(module, action, args...)
	if err != nil {
		panic(err)
	}
	return s
}

// Parse checks and splits an id built by New.
func Parse(s string) (ID, error) {
	if s == "" {
		return ID{}, &Error{ID: s, Reason: errEmptyInput}
	}
	if len(s) > MaxLen {
		return ID{}, &Error{ID: s[:MaxLen] + "…", Reason: ErrTooLong}
	}
	parts := strings.Split(s, sep)
	if len(parts) < 2 || !only(parts[0], "0123456789") || parts[0] == "" {
		return ID{}, &Error{ID: s, Reason: ErrNotOurs}
	}
	if parts[0] != Version {
		return ID{}, &Error{ID: s, Reason: ErrVersion, Detail: "version " + parts[0]}
	}
	if len(parts) < 4 {
		return ID{}, &Error{ID: s, Reason: ErrMalformed, Detail: "too few parts"}
	}
	body, got := s[:len(s)-len(parts[len(parts)-1])-1], parts[len(parts)-1]
	if got != sum(body) {
		return ID{}, &Error{ID: s, Reason: ErrChecksum}
	}
	id := ID{Version: parts[0], Module: parts[1], Action: parts[2]}
	if checkName(id.Module) != nil || checkName(id.Action) != nil {
		return ID{}, &Error{ID: s, Reason: ErrMalformed, Detail: "module or action"}
	}
	for _, a := range parts[3 : len(parts)-1] {
		if !only(a, argChars) {
			return ID{}, &Error{ID: s, Reason: ErrMalformed, Detail: "argument"}
		}
		id.Args = append(id.Args, a)
	}
	return id, nil
}

// Budget is the number of characters left for arguments (separators
// included) after the fixed parts of an id for module and action.
func Budget(module, action string) int {
	return MaxLen - len(Version) - len(module) - len(action) - sumLen - 3*len(sep)
}

func checkName(s string) error {
	if len(s) == 0 || len(s) > maxName {
		return fmt.Errorf("%q must be 1..%d characters", s, maxName)
	}
	if !only(s, nameChars) {
		return fmt.Errorf("%q may only contain [a-z0-9_-]", s)
	}
	return nil
}

func only(s, allowed string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(allowed, s[i]) < 0 {
			return false
		}
	}
	return true
}

func sum(body string) string {
	return fmt.Sprintf("%04x", crc32.ChecksumIEEE([]byte(body))&0xffff)
}
