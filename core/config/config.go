// Package config turns flags and environment variables into one validated Config.
//
// Every setting has an environment variable; `app run` also accepts the same names as
// flags. Validation happens up front and names the variable at fault, so a bad deploy
// fails at start with a message an operator can act on.
package config

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything the process needs to start. Secrets are kept out of String().
type Config struct {
	DatabaseURL   string
	DiscordToken  string
	DiscordAppID  string
	DiscordAPIURL string // REST base including /api/v10; empty means Discord itself
	// RESTBudgetShared makes every process book its Discord requests from
	// one budget in Postgres (DISCORD_REST_BUDGET=shared, the default);
	// false leaves pacing to a REST proxy in front of Discord.
	RESTBudgetShared bool
	HTTPAddr         string
	LogLevel         slog.Level
	LogFormat        string // json|text
	DefaultTimezone  *time.Location
	DefaultLocale    string // en|ru
	Modules          []string
	// ShardIDs are the shards this process opens (explicit SHARD_IDS, or
	// all of a numeric SHARD_COUNT); empty with ShardLeases or with
	// SHARD_COUNT=auto and SHARD_IDS=all.
	ShardIDs []int
	// ShardCount is the total; 0 means Discord's recommendation (auto).
	ShardCount int
	// ShardLeases divides the shards among identical processes through
	// leases in Postgres (SHARD_IDS=auto).
	ShardLeases     bool
	RiverUIUser     string
	RiverUIPassword string
	OpsAddr         string // optional loopback listener for River UI without credentials
	// MetricsUser and MetricsPassword put /metrics behind basic auth.
	MetricsUser     string
	MetricsPassword string
	// MetricsPublic serves /metrics without auth on an HTTP_ADDR off loopback.
	MetricsPublic bool
	// InteractionsAddr turns on the HTTP interactions endpoint (POST
	// /interactions); DiscordPublicKey verifies Discord's signatures on it.
	InteractionsAddr string
	DiscordPublicKey ed25519.PublicKey
}

// FieldError names the variable whose value is wrong.
type FieldError struct {
	Var    string
	Reason string
}

func (e *FieldError) Error() string { return e.Var + ": " + e.Reason }

// Lookup reads one setting; tests pass a map instead of the process environment.
type Lookup func(name string) (string, bool)

// FromEnv uses the process environment.
func FromEnv() Lookup { return os.LookupEnv }

// FromMap is handy in tests.
func FromMap(m map[string]string) Lookup {
	return func(name string) (string, bool) { v, ok := m[name]; return v, ok }
}

// Vars lists every variable with its default and meaning; a test (app/readme_test.go)
// checks that the README's configuration table lists each one.
var Vars = []struct{ Name, Default, Help string }{
	// Help texts carry no back quotes: Go's flag package would print the quoted
	// word as the flag's argument name in `app run --help`.
	{"DATABASE_URL", "", "Postgres URL; make run starts a local Postgres when unset"},
	{"DISCORD_TOKEN", "", "bot token; when unset, app run needs --sim (the built-in emulator)"},
	{"DISCORD_APP_ID", "", "application id; checked against GET /applications/@me at start, read from it when unset"},
	{"DISCORD_API_URL", "https://discord.com/api/v10", "REST base (emulator or REST proxy)"},
	{"DISCORD_REST_BUDGET", "shared", "shared: all processes book Discord requests from one 46/s budget in Postgres; off: a REST proxy paces them"},
	{"HTTP_ADDR", "127.0.0.1:8080", "address of /healthz and /metrics; off loopback it needs METRICS_USER or METRICS_PUBLIC"},
	{"LOG_LEVEL", "info", "debug|info|warn|error"},
	{"LOG_FORMAT", "json", "json|text"},
	{"DEFAULT_TIMEZONE", "UTC", "IANA zone for guilds that set none"},
	{"DEFAULT_LOCALE", "en", "en|ru, for guilds that set none"},
	{"MODULES", "all", "comma-separated modules to run"},
	{"SHARD_IDS", "auto when SHARD_COUNT is not 1, else all", "auto (processes share the shards through leases in Postgres), all, or comma-separated shard ids this process opens"},
	{"SHARD_COUNT", "1", "total shards across all processes, or auto for Discord's recommendation"},
	{"RIVERUI_USER", "", "basic-auth user for /riverui/ (with RIVERUI_PASSWORD)"},
	{"RIVERUI_PASSWORD", "", "basic-auth password for /riverui/"},
	{"OPS_ADDR", "", "loopback-only listener serving /riverui/ without auth"},
	{"METRICS_USER", "", "basic-auth user for /metrics (with METRICS_PASSWORD)"},
	{"METRICS_PASSWORD", "", "basic-auth password for /metrics"},
	{"METRICS_PUBLIC", "false", "true serves /metrics without auth on an HTTP_ADDR off loopback"},
	{"INTERACTIONS_ADDR", "", "address of the HTTP interactions endpoint POST /interactions (needs DISCORD_PUBLIC_KEY)"},
	{"DISCORD_PUBLIC_KEY", "", "the application's public key (hex, Developer Portal), verifying Discord's signed interactions"},
}

// Load reads and validates every setting. All problems are reported together.
func Load(get Lookup) (*Config, error) {
	c := &Config{}
	var errs []error
	str := func(name, def string) string {
		if v, ok := get(name); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	fail := func(name, format string, args ...any) {
		errs = append(errs, &FieldError{Var: name, Reason: fmt.Sprintf(format, args...)})
	}

	c.DatabaseURL = str("DATABASE_URL", "")
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			fail("DATABASE_URL", "must be a postgres:// URL")
		}
	}
	c.DiscordToken = str("DISCORD_TOKEN", "")
	if strings.ContainsAny(c.DiscordToken, " \t\n") {
		fail("DISCORD_TOKEN", "contains white space (paste the token alone, without \"Bot \")")
	} else if c.DiscordToken != "" {
		if _, err := TokenAppID(c.DiscordToken); err != nil {
			fail("DISCORD_TOKEN", "%v", err)
		}
	}
	c.DiscordAppID = str("DISCORD_APP_ID", "")
	if c.DiscordAppID != "" {
		if _, err := strconv.ParseUint(c.DiscordAppID, 10, 64); err != nil {
			fail("DISCORD_APP_ID", "must be a numeric snowflake, got %q", c.DiscordAppID)
		}
	}
	c.DiscordAPIURL = strings.TrimRight(str("DISCORD_API_URL", "https://discord.com/api/v10"), "/")
	if u, err := url.Parse(c.DiscordAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fail("DISCORD_API_URL", "must be an http(s) URL such as http://127.0.0.1:7000/api/v10")
	}
	switch budget := strings.ToLower(str("DISCORD_REST_BUDGET", "shared")); budget {
	case "shared":
		c.RESTBudgetShared = true
	case "off":
	default:
		fail("DISCORD_REST_BUDGET", "must be shared or off, got %q", budget)
	}
	c.HTTPAddr = str("HTTP_ADDR", "127.0.0.1:8080")
	c.MetricsUser = str("METRICS_USER", "")
	c.MetricsPassword = str("METRICS_PASSWORD", "")
	if (c.MetricsUser == "") != (c.MetricsPassword == "") {
		fail("METRICS_USER", "METRICS_USER and METRICS_PASSWORD must be set together")
	}
	switch public := strings.ToLower(str("METRICS_PUBLIC", "false")); public {
	case "true", "1", "yes":
		c.MetricsPublic = true
	case "false", "0", "no":
	default:
		fail("METRICS_PUBLIC", "must be true or false, got %q", public)
	}
	if host, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		fail("HTTP_ADDR", "must be host:port, got %q", c.HTTPAddr)
	} else if !IsLoopback(host) && c.MetricsUser == "" && !c.MetricsPublic {
		fail("HTTP_ADDR", "%q is reachable from the network and would serve /metrics without auth: set METRICS_USER and METRICS_PASSWORD, or METRICS_PUBLIC=true to serve it openly", c.HTTPAddr)
	}
	c.OpsAddr = str("OPS_ADDR", "")
	if c.OpsAddr != "" {
		host, _, err := net.SplitHostPort(c.OpsAddr)
		if err != nil || !IsLoopback(host) {
			fail("OPS_ADDR", "must be a loopback host:port such as 127.0.0.1:8081 (it serves River UI without auth)")
		}
	}
	c.InteractionsAddr = str("INTERACTIONS_ADDR", "")
	if c.InteractionsAddr != "" {
		if _, _, err := net.SplitHostPort(c.InteractionsAddr); err != nil {
			fail("INTERACTIONS_ADDR", "must be host:port such as 0.0.0.0:8090, got %q", c.InteractionsAddr)
		} else if c.InteractionsAddr == c.HTTPAddr || c.InteractionsAddr == c.OpsAddr {
			// Discord must reach this one; /metrics and River UI must not share it.
			fail("INTERACTIONS_ADDR", "must differ from HTTP_ADDR and OPS_ADDR, got %q", c.InteractionsAddr)
		}
	}
	if key := str("DISCORD_PUBLIC_KEY", ""); key != "" {
		raw, err := hex.DecodeString(key)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			fail("DISCORD_PUBLIC_KEY", "must be the 64 hex digits of the application's public key (Developer Portal, General Information), got %d characters", len(key))
		} else {
			c.DiscordPublicKey = raw
		}
	}
	switch lvl := strings.ToLower(str("LOG_LEVEL", "info")); lvl {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		fail("LOG_LEVEL", "must be debug, info, warn or error, got %q", lvl)
	}
	c.LogFormat = strings.ToLower(str("LOG_FORMAT", "json"))
	if c.LogFormat != "json" && c.LogFormat != "text" {
		fail("LOG_FORMAT", "must be json or text, got %q", c.LogFormat)
	}
	tz := str("DEFAULT_TIMEZONE", "UTC")
	if loc, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		fail("DEFAULT_TIMEZONE", "must be an IANA zone such as Europe/Berlin, got %q", tz)
	} else {
		c.DefaultTimezone = loc
	}
	c.DefaultLocale = strings.ToLower(str("DEFAULT_LOCALE", "en"))
	if c.DefaultLocale != "en" && c.DefaultLocale != "ru" {
		fail("DEFAULT_LOCALE", "must be en or ru, got %q", c.DefaultLocale)
	}
	if m := str("MODULES", "all"); m != "all" {
		c.Modules = SplitList(m)
	}
	c.loadShards(str("SHARD_COUNT", "1"), str("SHARD_IDS", ""), fail)
	c.RiverUIUser = str("RIVERUI_USER", "")
	c.RiverUIPassword = str("RIVERUI_PASSWORD", "")
	if (c.RiverUIUser == "") != (c.RiverUIPassword == "") {
		fail("RIVERUI_USER", "RIVERUI_USER and RIVERUI_PASSWORD must be set together")
	}
	return c, errors.Join(errs...)
}

// CheckInteractions refuses an interactions endpoint without the key that
// verifies Discord's signatures. It is not part of Load because `app run
// --sim` takes the key from the emulator it starts after loading.
func (c *Config) CheckInteractions() error {
	if c.InteractionsAddr != "" && len(c.DiscordPublicKey) == 0 {
		return &FieldError{Var: "DISCORD_PUBLIC_KEY", Reason: "is required with INTERACTIONS_ADDR: copy the application's public key from the Developer Portal (General Information)"}
	}
	return nil
}

// loadShards reads SHARD_COUNT and SHARD_IDS. SHARD_IDS defaults to auto
// (leases) when the count is not 1, and to all otherwise.
func (c *Config) loadShards(countVar, idsVar string, fail func(name, format string, args ...any)) {
	if strings.EqualFold(countVar, "auto") {
		c.ShardCount = 0
	} else if count, err := strconv.Atoi(countVar); err != nil || count < 1 {
		fail("SHARD_COUNT", "must be a whole number ≥ 1 or auto, got %q", countVar)
		c.ShardCount = 1
	} else {
		c.ShardCount = count
	}
	if idsVar == "" {
		idsVar = "all"
		if c.ShardCount != 1 {
			idsVar = "auto"
		}
	}
	switch strings.ToLower(idsVar) {
	case "auto":
		c.ShardLeases = true
	case "all":
		for i := 0; i < c.ShardCount; i++ {
			c.ShardIDs = append(c.ShardIDs, i)
		}
	default:
		if c.ShardCount == 0 {
			fail("SHARD_IDS", "a list of shard ids needs a numeric SHARD_COUNT, not auto")
			return
		}
		for _, s := range SplitList(idsVar) {
			id, err := strconv.Atoi(s)
			if err != nil || id < 0 || id >= c.ShardCount {
				fail("SHARD_IDS", "shard id %q is not in 0..%d (SHARD_COUNT=%d)", s, c.ShardCount-1, c.ShardCount)
				continue
			}
			c.ShardIDs = append(c.ShardIDs, id)
		}
	}
}

// Shards describes the shard setting for logs: "leases of 4", "[0 1]/2".
func (c *Config) Shards() string {
	count := strconv.Itoa(c.ShardCount)
	if c.ShardCount == 0 {
		count = "auto"
	}
	if c.ShardLeases {
		return "leases of " + count
	}
	if len(c.ShardIDs) == 0 {
		return "all of " + count
	}
	return fmt.Sprintf("%v/%s", c.ShardIDs, count)
}

// IsLoopback reports whether a listen host only accepts local connections;
// an empty host listens on every interface.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// TokenAppID reads the application id from a bot token. Discord's tokens are
// three dot-separated parts, the first the unpadded base64 of the id; disgo
// decodes it the same way and refuses to start otherwise. The error never
// contains the token.
func TokenAppID(token string) (uint64, error) {
	first, _, found := strings.Cut(token, ".")
	if !found {
		return 0, errors.New("is not a bot token: Discord's tokens have three dot-separated parts (copy it again from the Developer Portal's Bot page)")
	}
	raw, err := base64.RawStdEncoding.DecodeString(first)
	if err != nil {
		return 0, errors.New("is not a bot token: its first part must be the unpadded base64 of the application id")
	}
	id, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		return 0, errors.New("is not a bot token: its first part does not encode a numeric application id")
	}
	return id, nil
}

// SplitList splits a comma-separated list, dropping blanks.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// String is safe to log: secrets are redacted.
func (c *Config) String() string {
	interactions := "gateway"
	if c.InteractionsAddr != "" {
		interactions = "http " + c.InteractionsAddr
	}
	return fmt.Sprintf("database=%s discord_api=%s token=%s http=%s interactions=%s modules=%v shards=%s tz=%s locale=%s",
		RedactURL(c.DatabaseURL), c.DiscordAPIURL, redact(c.DiscordToken), c.HTTPAddr, interactions, c.Modules, c.Shards(),
		c.DefaultTimezone, c.DefaultLocale)
}

func redact(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "(set)"
}

// secretParams are query parameters of a database URL that carry secrets
// (libpq's password and sslpassword, and anything named like them).
var secretParams = []string{"password", "secret", "token"}

// RedactURL hides the secrets of a database URL: the password in user:pass@
// and in the query (?password=, ?sslpassword=).
func RedactURL(raw string) string {
	if raw == "" {
		return "(unset)"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	masked := false
	for key := range q {
		for _, s := range secretParams {
			if strings.Contains(strings.ToLower(key), s) {
				q[key] = []string{"xxxxx"}
				masked = true
			}
		}
	}
	if masked {
		u.RawQuery = q.Encode()
	}
	return u.String()
}
