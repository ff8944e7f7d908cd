// Package refusal is how any layer says "no" to a user. A refusal is an error
// that carries an i18n key and its arguments; the interaction router turns it
// into the localized ephemeral reply, whichever package returned it. Domain
// errors are refusals themselves, so a module keeps no table from its errors
// to texts:
//
//	var ErrNoRound = refusal.New("duel.error.no_round")
//	…
//	return ErrNoRound                                    // errors.Is(err, ErrNoRound)
//	return ErrLate.With("deadline", "<t:1700000000:R>")   // still errors.Is(err, ErrLate)
package refusal

// Error is a refusal the user reads: Key in the i18n bundle plus named
// arguments given as alternating name, value pairs.
type Error struct {
	Key  string
	Args []any
	// kind is the sentinel this refusal was made from with With, so errors.Is
	// matches it; nil for a sentinel.
	kind *Error
}

// New declares a refusal. Declared as a package variable it is a sentinel that
// callers compare with errors.Is.
func New(key string, args ...any) *Error { return &Error{Key: key, Args: args} }

// With returns the same refusal carrying arguments for its text; errors.Is
// still matches the sentinel.
func (e *Error) With(args ...any) *Error {
	kind := e
	if e.kind != nil {
		kind = e.kind
	}
	return &Error{Key: e.Key, Args: append(append([]any(nil), e.Args...), args...), kind: kind}
}

func (e *Error) Error() string { return "refused: " + e.Key }

// Is matches the sentinel an Error was made from.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t == e || (e.kind != nil && t == e.kind)
}
