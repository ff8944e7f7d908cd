package discordsim

import "context"

// Run serves an emulator on opts.Addr until ctx ends: what `app sim` needs.
// When seedDemo is set, SeedDemoGuild runs first and its ids are logged.
func Run(ctx context.Context, opts Options, seedDemo bool) error {
	srv, err := New(opts)
	if err != nil {
		return err
	}
	if err := srv.Start(""); err != nil {
		return err
	}
	defer srv.Close()
	if seedDemo {
		d, err := srv.SeedDemoGuild()
		if err != nil {
			return err
		}
		srv.log.Info("demo guild seeded", "guild_id", d.GuildID, "admin_id", d.AdminID,
			"member_ids", d.MemberIDs, "channel_ids", d.ChannelIDs)
	}
	// The token is a credential and is never logged; it is Options.Token or
	// DefaultToken(AppID), which the caller knows.
	srv.log.Info("discord emulator ready", "api_url", srv.APIURL(), "app_id", srv.AppID(), "control", srv.URL()+"/_sim/")
	<-ctx.Done()
	return nil
}
