package pairhome

import (
	"sync"
	"testing"

	"github.com/together-bot/together/core/interaction"
)

// TestConcurrentSettingChangesBothStick: two staff members change the two
// options through /config at the same moment (issue #19); neither change is
// lost, whether the guild had a settings row before or not.
func TestConcurrentSettingChangesBothStick(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	byKey := map[string]interaction.Setting{}
	for _, st := range configSettings(e.svc) {
		byKey[st.Key] = st
	}
	access, mode := byKey["moderator_access"], byKey["archive_mode"]
	if access.Set == nil || mode.Set == nil {
		t.Fatalf("settings: %+v", byKey)
	}
	for round := range 100 {
		guildID := e.guild + 1 + uint64(round) // no row yet
		if round%2 == 1 {
			guildID = e.guild
			e.setConfig(guildConfig{ArchiveMode: archiveReadOnly})
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, set := range []func() error{
			func() error { return access.Set(e.ctx, guildID, e.users["admin"], accessOn) },
			func() error { return mode.Set(e.ctx, guildID, e.users["mod"], archiveDelete) },
		} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = set()
			}()
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		gotAccess, err := access.Get(e.ctx, guildID)
		if err != nil {
			t.Fatal(err)
		}
		gotMode, err := mode.Get(e.ctx, guildID)
		if err != nil {
			t.Fatal(err)
		}
		if gotAccess != accessOn || gotMode != archiveDelete {
			t.Fatalf("round %d: moderator_access=%s archive_mode=%s, want on and delete", round, gotAccess, gotMode)
		}
	}
}

// TestBadSettingChangesNothing: a value the module does not know is refused
// and leaves the stored settings as they were.
func TestBadSettingChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	e.setConfig(guildConfig{ModeratorAccess: true, ArchiveMode: archiveDelete})
	_, err := e.svc.updateConfig(e.ctx, e.guild, e.users["admin"], func(c *guildConfig) {
		c.ModeratorAccess = false
		c.ArchiveMode = "shred"
	})
	if err == nil {
		t.Fatal("archive mode \"shred\" was accepted")
	}
	if c, err := e.svc.GuildConfig(e.ctx, e.guild); err != nil || !c.ModeratorAccess || c.ArchiveMode != archiveDelete {
		t.Fatalf("after a refused change: %+v, %v", c, err)
	}
}
