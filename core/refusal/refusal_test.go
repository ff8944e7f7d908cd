package refusal

import (
	"errors"
	"fmt"
	"testing"
)

func TestIsAndAs(t *testing.T) {
	errLate := New("duel.error.late")
	errOther := New("duel.error.late") // same key, another refusal
	withArgs := errLate.With("deadline", "soon")
	wrapped := fmt.Errorf("submit answer: %w", withArgs.With("extra", 1))

	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"sentinel is itself", errLate, errLate, true},
		{"with args matches its sentinel", withArgs, errLate, true},
		{"wrapped twice matches its sentinel", wrapped, errLate, true},
		{"same key is another refusal", withArgs, errOther, false},
		{"not a refusal", errors.New("boom"), errLate, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(tt.err, tt.target); got != tt.want {
				t.Fatalf("errors.Is = %v, want %v", got, tt.want)
			}
		})
	}
	var r *Error
	if !errors.As(wrapped, &r) || r.Key != "duel.error.late" || len(r.Args) != 4 {
		t.Fatalf("errors.As gave %+v", r)
	}
	if len(errLate.Args) != 0 {
		t.Fatalf("With changed the sentinel: %v", errLate.Args)
	}
}
