package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestLoadDefaults(t *testing.T) {
	c, err := Load(FromMap(nil))
	if err != nil {
		t.Fatalf("defaults must load: %v", err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.DefaultLocale != "en" || c.DefaultTimezone.String() != "UTC" || c.ShardCount != 1 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if len(c.ShardIDs) != 1 || c.ShardIDs[0] != 0 {
		t.Fatalf("shard ids default to all: %v", c.ShardIDs)
	}
	if c.Modules != nil {
		t.Fatalf("MODULES unset means all, got %v", c.Modules)
	}
	if !c.RESTBudgetShared {
		t.Fatal("DISCORD_REST_BUDGET unset must mean the shared budget")
	}
	off, err := Load(FromMap(map[string]string{"DISCORD_REST_BUDGET": "OFF", "DISCORD_API_URL": "http://proxy:8080/api/v10"}))
	if err != nil || off.RESTBudgetShared {
		t.Fatalf("DISCORD_REST_BUDGET=off: %+v, %v", off, err)
	}
}

func TestLoadNamesTheBadVariable(t *testing.T) {
	cases := []struct{ name, value, wantVar string }{
		{"DATABASE_URL", "mysql://x", "DATABASE_URL"},
		{"DISCORD_APP_ID", "abc", "DISCORD_APP_ID"},
		{"DISCORD_API_URL", "ftp://x", "DISCORD_API_URL"},
		{"DISCORD_REST_BUDGET", "proxy", "DISCORD_REST_BUDGET"},
		{"HTTP_ADDR", "8080", "HTTP_ADDR"},
		{"LOG_LEVEL", "loud", "LOG_LEVEL"},
		{"LOG_FORMAT", "xml", "LOG_FORMAT"},
		{"DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE"},
		{"DEFAULT_LOCALE", "de", "DEFAULT_LOCALE"},
		{"SHARD_COUNT", "0", "SHARD_COUNT"},
		{"SHARD_IDS", "0,5", "SHARD_IDS"},
		{"RIVERUI_USER", "admin", "RIVERUI_USER"},
		{"OPS_ADDR", "0.0.0.0:9000", "OPS_ADDR"},
		{"DISCORD_TOKEN", "Bot abc", "DISCORD_TOKEN"},
		{"DISCORD_TOKEN", "x", "DISCORD_TOKEN"},
		{"DISCORD_TOKEN", "MTMwMDAwMDAwMDAwMDAwMDAwMQ==.GSimTk.sim-token", "DISCORD_TOKEN"},
		{"DISCORD_TOKEN", "Ym9i.GSimTk.sim-token", "DISCORD_TOKEN"},
		{"HTTP_ADDR", "0.0.0.0:8080", "HTTP_ADDR"},
		{"HTTP_ADDR", ":8080", "HTTP_ADDR"},
		{"METRICS_USER", "prom", "METRICS_USER"},
		{"METRICS_PUBLIC", "maybe", "METRICS_PUBLIC"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(FromMap(map[string]string{tc.name: tc.value}))
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Var != tc.wantVar {
				t.Fatalf("want FieldError for %s, got %v", tc.wantVar, err)
			}
			if strings.Contains(tc.name, "TOKEN") && strings.Contains(err.Error(), tc.value) {
				t.Fatalf("the error repeats the token: %v", err)
			}
		})
	}
}

func TestStringRedactsSecrets(t *testing.T) {
	c, err := Load(FromMap(map[string]string{
		"DATABASE_URL":  "postgres://u:hunter2@db/x",
		"DISCORD_TOKEN": "MTIzNDU2.secret.token",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	if strings.Contains(s, "hunter2") || strings.Contains(s, "secret") {
		t.Fatalf("secrets leaked: %s", s)
	}
}

func TestShardSelection(t *testing.T) {
	c, err := Load(FromMap(map[string]string{"SHARD_COUNT": "4", "SHARD_IDS": "1, 3"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ShardIDs) != 2 || c.ShardIDs[0] != 1 || c.ShardIDs[1] != 3 {
		t.Fatalf("got %v", c.ShardIDs)
	}
}

func TestShardModes(t *testing.T) {
	for _, tc := range []struct {
		count, ids string
		wantCount  int
		wantIDs    []int
		wantLeases bool
		wantErr    string
	}{
		{"", "", 1, []int{0}, false, ""},
		{"1", "auto", 1, nil, true, ""},
		{"4", "", 4, nil, true, ""},
		{"4", "all", 4, []int{0, 1, 2, 3}, false, ""},
		{"4", "AUTO", 4, nil, true, ""},
		{"auto", "", 0, nil, true, ""},
		{"auto", "all", 0, nil, false, ""},
		{"auto", "0,1", 0, nil, false, "SHARD_IDS"},
		{"-2", "", 1, nil, false, "SHARD_COUNT"},
		{"many", "", 1, nil, false, "SHARD_COUNT"},
	} {
		t.Run(tc.count+"/"+tc.ids, func(t *testing.T) {
			c, err := Load(FromMap(map[string]string{"SHARD_COUNT": tc.count, "SHARD_IDS": tc.ids}))
			if tc.wantErr != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Var != tc.wantErr {
					t.Fatalf("want FieldError for %s, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.ShardCount != tc.wantCount || !slices.Equal(c.ShardIDs, tc.wantIDs) || c.ShardLeases != tc.wantLeases {
				t.Fatalf("count %d ids %v leases %t; want %d %v %t", c.ShardCount, c.ShardIDs, c.ShardLeases,
					tc.wantCount, tc.wantIDs, tc.wantLeases)
			}
		})
	}
}

func TestTokenAppID(t *testing.T) {
	// The emulator's default token: base64 without padding, as Discord issues them.
	id, err := TokenAppID("MTMwMDAwMDAwMDAwMDAwMDAwMQ.GSimTk.sim-token")
	if err != nil || id != 1300000000000000001 {
		t.Fatalf("got %d, %v", id, err)
	}
}

func TestHTTPAddrOffLoopbackNeedsMetricsAuthOrOptOut(t *testing.T) {
	for _, vars := range []map[string]string{
		{"HTTP_ADDR": "127.0.0.1:8080"},
		{"HTTP_ADDR": "localhost:8080"},
		{"HTTP_ADDR": "[::1]:8080"},
		{"HTTP_ADDR": "0.0.0.0:8080", "METRICS_USER": "prom", "METRICS_PASSWORD": "p"},
		{"HTTP_ADDR": "0.0.0.0:8080", "METRICS_PUBLIC": "true"},
	} {
		if _, err := Load(FromMap(vars)); err != nil {
			t.Errorf("%v: %v", vars, err)
		}
	}
}

func TestRedactURLMasksEveryPassword(t *testing.T) {
	for _, raw := range []string{
		"postgres://u:hunter2@db/x",
		"postgres://u@db/x?password=hunter2&sslmode=disable",
		"postgres://u@db/x?sslpassword=hunter2",
	} {
		got := RedactURL(raw)
		if strings.Contains(got, "hunter2") || !strings.Contains(got, "xxxxx") {
			t.Errorf("RedactURL(%q) = %q", raw, got)
		}
	}
	if got := RedactURL("postgres://u@db/x?sslmode=disable"); got != "postgres://u@db/x?sslmode=disable" {
		t.Errorf("a URL without secrets changed: %q", got)
	}
}

func TestInteractionsEndpointSettings(t *testing.T) {
	const key = "2f5d1e4c3b6a79880f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778"
	cases := []struct {
		name    string
		vars    map[string]string
		wantVar string // "" when the settings are valid
	}{
		{"off by default", nil, ""},
		{"address and key", map[string]string{"INTERACTIONS_ADDR": "0.0.0.0:8090", "DISCORD_PUBLIC_KEY": key}, ""},
		{"key without an address is unused but valid", map[string]string{"DISCORD_PUBLIC_KEY": key}, ""},
		{"address without a key", map[string]string{"INTERACTIONS_ADDR": "0.0.0.0:8090"}, "DISCORD_PUBLIC_KEY"},
		{"key not hex", map[string]string{"INTERACTIONS_ADDR": "0.0.0.0:8090", "DISCORD_PUBLIC_KEY": strings.Repeat("z", 64)}, "DISCORD_PUBLIC_KEY"},
		{"key too short", map[string]string{"INTERACTIONS_ADDR": "0.0.0.0:8090", "DISCORD_PUBLIC_KEY": key[:62]}, "DISCORD_PUBLIC_KEY"},
		{"address without a port", map[string]string{"INTERACTIONS_ADDR": "8090", "DISCORD_PUBLIC_KEY": key}, "INTERACTIONS_ADDR"},
		{"address shared with /metrics", map[string]string{"INTERACTIONS_ADDR": "127.0.0.1:8080", "DISCORD_PUBLIC_KEY": key}, "INTERACTIONS_ADDR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(FromMap(tc.vars))
			if err == nil {
				err = c.CheckInteractions()
			}
			var fe *FieldError
			switch {
			case tc.wantVar == "" && err != nil:
				t.Fatalf("valid settings refused: %v", err)
			case tc.wantVar != "" && (!errors.As(err, &fe) || fe.Var != tc.wantVar):
				t.Fatalf("want FieldError for %s, got %v", tc.wantVar, err)
			}
		})
	}
}
