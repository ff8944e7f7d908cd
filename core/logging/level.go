package logging

import (
	"context"
	"log/slog"
)

// AtLeast returns a logger that drops records below min. Libraries with chatty
// info logs (River's periodic producer counts) get one of these.
func AtLeast(log *slog.Logger, min slog.Level) *slog.Logger {
	return slog.New(&minLevel{Handler: log.Handler(), min: min})
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h *minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h *minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &minLevel{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

func (h *minLevel) WithGroup(name string) slog.Handler {
	return &minLevel{Handler: h.Handler.WithGroup(name), min: h.min}
}
