package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/together-bot/together/core/config"
)

func TestDatabaseSettingErrorOnlyForPermanentCodes(t *testing.T) {
	url := "postgres://bot:hunter2@db:5432/together?sslpassword=s3cret"
	for code, permanent := range map[string]bool{"28P01": true, "28000": true, "3D000": true, "08006": false, "57P03": false, "42P01": false} {
		err := fmt.Errorf("connect: %w", &pgconn.PgError{Code: code, Message: "server says no"})
		got := DatabaseSettingError(url, err)
		var fe *config.FieldError
		if permanent != errors.As(got, &fe) {
			t.Errorf("%s: got %v, permanent=%t", code, got, permanent)
			continue
		}
		if permanent && (fe.Var != "DATABASE_URL" || strings.Contains(got.Error(), "hunter2") || strings.Contains(got.Error(), "s3cret") || !strings.Contains(got.Error(), code)) {
			t.Errorf("%s: %v", code, got)
		}
	}
	if DatabaseSettingError(url, errors.New("dial tcp: connection refused")) != nil {
		t.Error("a network error is not a setting error")
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// Outages are not setting errors: the bot starts and keeps retrying.
func TestChecksLetOutagesThrough(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	addr := closedAddr(t)
	if err := CheckDatabase(context.Background(), "postgres://postgres@"+addr+"/x?connect_timeout=2", log); err != nil {
		t.Errorf("unreachable Postgres: %v", err)
	}
	cfg := &config.Config{DiscordToken: "MTAwMA.x.y", DiscordAPIURL: "http://" + addr + "/api/v10"}
	if err := CheckDiscord(context.Background(), cfg, log); err != nil {
		t.Errorf("unreachable Discord: %v", err)
	}
}

func TestMetricsHandlerAuth(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "together_up 1\n") })
	get := func(h http.Handler, user, pass string) int {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if user != "" {
			r.SetBasicAuth(user, pass)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))

	withAuth := metricsHandler(&config.Config{HTTPAddr: "0.0.0.0:8080", MetricsUser: "prom", MetricsPassword: "pw"}, metrics, log)
	if got := get(withAuth, "", ""); got != http.StatusUnauthorized {
		t.Errorf("no credentials: %d", got)
	}
	if got := get(withAuth, "prom", "wrong"); got != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", got)
	}
	if got := get(withAuth, "prom", "pw"); got != http.StatusOK {
		t.Errorf("right credentials: %d", got)
	}
	if got := get(metricsHandler(&config.Config{HTTPAddr: "127.0.0.1:8080"}, metrics, log), "", ""); got != http.StatusOK || logs.Len() != 0 {
		t.Errorf("loopback without auth: %d, logs %q", got, logs.String())
	}
	public := metricsHandler(&config.Config{HTTPAddr: "0.0.0.0:8080", MetricsPublic: true}, metrics, log)
	if got := get(public, "", ""); got != http.StatusOK || !strings.Contains(logs.String(), "without auth") {
		t.Errorf("METRICS_PUBLIC: %d, logs %q", got, logs.String())
	}
}
