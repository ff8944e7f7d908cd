// Package logging builds the process logger. Records carry the ids operators
// filter on (guild_id, user_id, correlation_id, interaction_id, job_id, module,
// action) as attributes added by the code that knows them.
package logging

import (
	"io"
	"log/slog"
	"strings"
)

// secretKeys are attribute names whose values are never written.
var secretKeys = []string{"token", "password", "secret", "authorization"}

// New returns a JSON or text logger at the given level that redacts secrets.
func New(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: redact}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func redact(_ []string, a slog.Attr) slog.Attr {
	k := strings.ToLower(a.Key)
	for _, s := range secretKeys {
		if strings.Contains(k, s) {
			return slog.String(a.Key, "[redacted]")
		}
	}
	return a
}
