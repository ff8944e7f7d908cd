package hall

import (
	"encoding/json"
	"testing"
	"time"
)

func TestMonthBoundsFollowTheZone(t *testing.T) {
	t.Parallel()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		at         string
		loc        *time.Location
		month      string
		start, end string
	}{
		// 23:30 UTC on Oct 31 is already November in Tokyo.
		{"2026-10-31T23:30:00Z", tokyo, "2026-11", "2026-10-31T15:00:00Z", "2026-11-30T15:00:00Z"},
		{"2026-10-31T23:30:00Z", time.UTC, "2026-10", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"},
		// New York leaves DST on Nov 1: November starts at UTC-4, ends at UTC-5.
		{"2026-11-15T12:00:00Z", ny, "2026-11", "2026-11-01T04:00:00Z", "2026-12-01T05:00:00Z"},
		{"2026-12-31T23:00:00Z", tokyo, "2027-01", "2026-12-31T15:00:00Z", "2027-01-31T15:00:00Z"},
	}
	for _, tt := range tests {
		m := MonthOf(utc(tt.at), tt.loc)
		if m.String() != tt.month {
			t.Errorf("%s in %s: month %s, want %s", tt.at, tt.loc, m, tt.month)
		}
		if got := m.Start(tt.loc); !got.Equal(utc(tt.start)) {
			t.Errorf("%s start %s, want %s", m, got.UTC(), tt.start)
		}
		if got := m.End(tt.loc); !got.Equal(utc(tt.end)) {
			t.Errorf("%s end %s, want %s", m, got.UTC(), tt.end)
		}
	}
}

func TestParseMonthAndCardKey(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "2026-13", "2026-00", "26-11", "2026-1", "2026/11", "abcd-ef"} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q) accepted", bad)
		}
	}
	m, err := ParseMonth("2026-12")
	if err != nil || m.Next().String() != "2027-01" {
		t.Fatalf("2026-12 → %v %v", m.Next(), err)
	}
	g, got, err := parseCardKey(cardKey(18446744073709551615, m))
	if err != nil || g != 18446744073709551615 || got != m {
		t.Fatalf("round trip: %d %v %v", g, got, err)
	}
	for _, bad := range []string{"x", "0:2026-11", "12:2026-99", "12"} {
		if _, _, err := parseCardKey(bad); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}

// TestSyncArgsKeepSnowflakes: guild_id travels as a JSON string, because
// River's stored args round numbers beyond 2^53.
func TestSyncArgsKeepSnowflakes(t *testing.T) {
	t.Parallel()
	in := SyncArgs{GuildID: 1575903321699385344}
	raw, err := json.Marshal(in)
	must(t, err)
	if string(raw) != `{"guild_id":"1575903321699385344"}` {
		t.Fatalf("encoded %s", raw)
	}
	var out SyncArgs
	must(t, json.Unmarshal(raw, &out))
	if out != in || out.Validate() != nil || (SyncArgs{}).Validate() == nil {
		t.Fatalf("round trip %+v", out)
	}
}
