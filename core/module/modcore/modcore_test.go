package modcore

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/queue"
)

func TestReady(t *testing.T) {
	t.Parallel()
	some := Core{DB: &db.DB{}, Queue: &queue.Queue{}}
	for _, tc := range []struct {
		name    string
		core    Core
		need    Need
		wantErr []string
	}{
		{"all present", some, DB | Queue, nil},
		{"nothing needed", Core{}, 0, nil},
		{"one missing", some, DB | Bundle, []string{"demo: Core.Bundle is nil"}},
		{"every missing one named", Core{}, Guilds | Projections | Rest,
			[]string{"demo: Core.Guilds is nil", "demo: Core.Projections is nil", "demo: Core.Rest is nil"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.core.Ready("demo", tc.need)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Ready: %v", err)
				}
				if got.Logger == nil {
					t.Fatal("Ready left the Logger nil")
				}
				return
			}
			if err == nil {
				t.Fatalf("Ready gave no error, want %q", tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestEachModuleLogsUnderItsName checks the Core a module gets scopes the
// process logger with the module's name.
func TestEachModuleLogsUnderItsName(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&out, nil))
	coreFor("alpha")(nil, nil, nil, nil, logger, nil, nil).Logger.Info("hi")
	coreFor("beta")(nil, nil, nil, nil, logger, nil, nil).Logger.Info("hi")
	for _, want := range []string{"module=alpha", "module=beta"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("log %q lacks %s", out.String(), want)
		}
	}
	if Options(module.Descriptor{Name: "empty"}) != nil {
		t.Error("a module without options got some")
	}
}
