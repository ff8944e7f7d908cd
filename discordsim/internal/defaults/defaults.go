// Package defaults fills unset fields of the emulator's option structs.
// Zero-valued fields that take a default whatever their value use cmp.Or;
// counts and durations, where a negative value is as meaningless as zero,
// use Positive.
package defaults

// Positive returns v when it is above zero, else def.
func Positive[T ~int | ~int64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}
