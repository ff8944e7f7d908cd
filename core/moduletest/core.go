package moduletest

import (
	"io/fs"
	"log/slog"
	"testing"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
)

// Core is what the runtime gives a module's service, built for one test on
// a fresh schema: the database, guild settings (read fresh, no cache), the
// job queue (inserts only; no worker runs) and the module's texts.
type Core struct {
	DB     *db.DB
	Guilds *guild.Service
	Queue  *queue.Queue
	Bundle *i18n.Bundle
	log    *slog.Logger
}

// CoreOptions name the module under test.
type CoreOptions struct {
	Module     string
	Migrations fs.FS
	Catalogs   []i18n.Catalog
	Purposes   []guild.ChannelPurpose
	Logger     *slog.Logger
}

// NewCore builds the core services for the module o names.
func NewCore(t testing.TB, o CoreOptions) *Core {
	t.Helper()
	c := &Core{DB: DB(t, o.Module, o.Migrations), log: o.Logger}
	var err error
	if c.Bundle, err = i18n.NewBundle(o.Logger, o.Catalogs...); err != nil {
		t.Fatal(err)
	}
	if c.Guilds, err = guild.NewService(c.DB, o.Logger, o.Purposes); err != nil {
		t.Fatal(err)
	}
	c.Guilds.SetTTL(0)
	if c.Queue, err = queue.NewQueue(c.DB, o.Logger); err != nil {
		t.Fatal(err)
	}
	return c
}

// Projection is the projection service over these core services, sending
// through discord, with the module's renderers (its worker runs only where
// the test starts one).
func (c *Core) Projection(t testing.TB, discord projection.Discord, renderers ...projection.Renderer) *projection.Service {
	t.Helper()
	p, err := projection.New(projection.Config{DB: c.DB, Discord: discord, Renderers: renderers, Gate: c.Guilds, Logger: c.log})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
