package runtime

// Start-up checks: settings that can never work (a token Discord rejects, a
// database that refuses the credentials or does not exist) stop the process at
// once with the setting's name, instead of being retried like an outage.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/disgoorg/disgo/rest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/together-bot/together/core/config"
)

// checkTimeout bounds each start-up check; a slower answer counts as unreachable.
const checkTimeout = 10 * time.Second

// permanentDBCodes are SQLSTATEs no retry can fix: wrong password (28P01),
// rejected role or authorization (28000), unknown database (3D000).
var permanentDBCodes = map[string]string{
	"28P01": "password authentication failed",
	"28000": "the server refused this user",
	"3D000": "the database does not exist",
}

// DatabaseSettingError names DATABASE_URL (masked) when err is one that retrying cannot fix; nil otherwise.
func DatabaseSettingError(databaseURL string, err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return nil
	}
	what, permanent := permanentDBCodes[pgErr.Code]
	if !permanent {
		return nil
	}
	return &config.FieldError{Var: "DATABASE_URL", Reason: fmt.Sprintf("%s: %s (SQLSTATE %s, %s)",
		config.RedactURL(databaseURL), what, pgErr.Code, pgErr.Message)}
}

// CheckDatabase connects once. Credentials or a database name that can never
// work are a *config.FieldError; an unreachable server is only logged, because
// the bot waits for Postgres as it does during an outage.
func CheckDatabase(ctx context.Context, databaseURL string, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		if fe := DatabaseSettingError(databaseURL, err); fe != nil {
			return fe
		}
		log.Warn("database not reachable at start; the bot waits for it", "database", config.RedactURL(databaseURL), "error", err)
		return nil
	}
	return conn.Close(ctx)
}

// CheckDiscord asks Discord which application the token belongs to. A token
// Discord rejects names DISCORD_TOKEN; an application id other than
// DISCORD_APP_ID names DISCORD_APP_ID. An unreachable Discord is only logged:
// the gateway keeps retrying as during an outage.
func CheckDiscord(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	client := rest.New(rest.NewClient(cfg.DiscordToken, rest.WithURL(cfg.DiscordAPIURL)))
	app, err := client.GetCurrentApplication(rest.WithCtx(ctx))
	if err != nil {
		var restErr *rest.Error
		if errors.As(err, &restErr) && restErr.Response != nil && restErr.Response.StatusCode == http.StatusUnauthorized {
			return &config.FieldError{Var: "DISCORD_TOKEN", Reason: "rejected by Discord (401 Unauthorized): the token was reset or belongs to no bot; copy the current one from the Developer Portal's Bot page"}
		}
		log.Warn("ShardDisconnect: cannot reach Discord at start; the gateway keeps retrying", "discord_api", cfg.DiscordAPIURL, "error", err)
		return nil
	}
	if cfg.DiscordAppID != "" && cfg.DiscordAppID != app.ID.String() {
		return &config.FieldError{Var: "DISCORD_APP_ID", Reason: fmt.Sprintf(
			"is %s but DISCORD_TOKEN belongs to application %s (%s); unset DISCORD_APP_ID or use that application's token",
			cfg.DiscordAppID, app.ID, app.Name)}
	}
	if len(cfg.DiscordPublicKey) != 0 && !strings.EqualFold(app.VerifyKey, hex.EncodeToString(cfg.DiscordPublicKey)) {
		// Every signature would fail: Discord's interactions would all get 401.
		return &config.FieldError{Var: "DISCORD_PUBLIC_KEY", Reason: fmt.Sprintf(
			"is not the public key of application %s (%s); copy it from the Developer Portal's General Information page", app.ID, app.Name)}
	}
	return nil
}
