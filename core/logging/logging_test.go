package logging

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretsAreRedacted(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "json", slog.LevelInfo)
	log.Info("connecting", "discord_token", "MTIz.abc.def", "guild_id", "42", "RIVERUI_PASSWORD", "hunter2")
	out := buf.String()
	if strings.Contains(out, "MTIz") || strings.Contains(out, "hunter2") {
		t.Fatalf("secret logged: %s", out)
	}
	if !strings.Contains(out, `"guild_id":"42"`) {
		t.Fatalf("ordinary attribute lost: %s", out)
	}
}
