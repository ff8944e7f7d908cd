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

func TestAtLeastDropsLowerLevels(t *testing.T) {
	var buf bytes.Buffer
	log := AtLeast(New(&buf, "text", slog.LevelDebug).With("component", "river"), slog.LevelWarn)
	log.Info("producer counts")
	log.Warn("job stuck")
	if out := buf.String(); strings.Contains(out, "producer counts") || !strings.Contains(out, "job stuck") || !strings.Contains(out, "component=river") {
		t.Fatalf("got %q", out)
	}
}
