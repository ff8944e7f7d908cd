package customid

import (
	"errors"
	"testing"
)

func TestCheckArgs(t *testing.T) {
	want := []Arg{ID64("round"), Snowflake("user"), Int("page", 0, 50), OneOf("phase", "answer", "vote")}
	tests := []struct {
		name string
		args []string
		ok   bool
	}{
		{"valid", []string{"12", "1234567890123456789", "3", "vote"}, true},
		{"letters for an id", []string{"abc", "1", "0", "vote"}, false},
		{"float for an id", []string{"3.0", "1", "0", "vote"}, false},
		{"20-digit id overflows", []string{"12345678901234567890", "1", "0", "vote"}, false},
		{"zero id", []string{"0", "1", "0", "vote"}, false},
		{"negative id", []string{"-4", "1", "0", "vote"}, false},
		{"leading zero is not canonical", []string{"012", "1", "0", "vote"}, false},
		{"snowflake past uint64", []string{"1", "18446744073709551616", "0", "vote"}, false},
		{"page out of range", []string{"1", "1", "51", "vote"}, false},
		{"unknown word", []string{"1", "1", "0", "close"}, false},
		{"missing argument", []string{"1", "1", "0"}, false},
		{"extra argument", []string{"1", "1", "0", "vote", "x"}, false},
		{"empty argument", []string{"", "1", "0", "vote"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckArgs(ID{Version: Version, Module: "duel", Action: "vote", Args: tt.args}, want)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckArgs(%v) = %v, want ok=%v", tt.args, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBadArg) {
				t.Fatalf("error %v does not wrap ErrBadArg", err)
			}
		})
	}
	id := ID{Args: []string{"12", "1234567890123456789"}}
	if id.Int64(0) != 12 || id.Uint64(1) != 1234567890123456789 || id.Int64(5) != 0 {
		t.Fatal("typed accessors")
	}
}

func TestCustomAndUntypedArgs(t *testing.T) {
	even := Custom("even", func(s string) error {
		if s == "" || (s[len(s)-1]-'0')%2 != 0 {
			return errors.New("not even")
		}
		return nil
	})
	if err := even.Check("24"); err != nil {
		t.Fatalf("even 24: %v", err)
	}
	if err := even.Check("23"); !errors.Is(err, ErrBadArg) {
		t.Fatalf("even 23 = %v, want ErrBadArg", err)
	}
	for name, a := range map[string]Arg{"zero Arg": {Name: "round"}, "Custom without check": Custom("week", nil)} {
		if err := a.Typed(); !errors.Is(err, ErrUntyped) {
			t.Fatalf("%s: Typed() = %v, want ErrUntyped", name, err)
		}
		if err := CheckArgs(ID{Module: "m", Action: "a", Args: []string{"1"}}, []Arg{a}); !errors.Is(err, ErrBadArg) {
			t.Fatalf("%s: CheckArgs = %v, want ErrBadArg", name, err)
		}
	}
	for _, a := range []Arg{ID64("a"), Snowflake("b"), Int("c", 0, 1), OneOf("d", "x"), even} {
		if err := a.Typed(); err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
	}
}
