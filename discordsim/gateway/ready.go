package gateway

import (
	"encoding/json"
	"log/slog"
)

// readyPayload mirrors what Discord sends bots in READY, including the
// always-empty user-account fields some clients expect to be present.
type readyPayload struct {
	V                 int                `json:"v"`
	UserSettings      struct{}           `json:"user_settings"`
	User              json.RawMessage    `json:"user"`
	SessionType       string             `json:"session_type"`
	SessionID         string             `json:"session_id"`
	ResumeGatewayURL  string             `json:"resume_gateway_url"`
	Relationships     []struct{}         `json:"relationships"`
	PrivateChannels   []struct{}         `json:"private_channels"`
	Presences         []struct{}         `json:"presences"`
	Guilds            []unavailableGuild `json:"guilds"`
	GuildJoinRequests []struct{}         `json:"guild_join_requests"`
	GeoRTCRegions     []string           `json:"geo_ordered_rtc_regions"`
	Auth              struct{}           `json:"auth"`
	Application       readyApplication   `json:"application"`
	Shard             [2]int             `json:"shard"`
	Trace             []string           `json:"_trace"`
}

type unavailableGuild struct {
	ID          string `json:"id"`
	Unavailable bool   `json:"unavailable"`
}

type readyApplication struct {
	ID    string `json:"id"`
	Flags int    `json:"flags"`
}

// defaultUser stands in when Options.Ready is nil, so bare tests work.
var defaultUser = json.RawMessage(`{"id":"1","username":"discordsim","discriminator":"0","global_name":null,"avatar":null,"bot":true,"verified":true,"flags":0,"mfa_enabled":true}`)

func readyData(o Options, log *slog.Logger, shardID, shardCount int) ReadyData {
	if o.Ready == nil {
		return ReadyData{User: defaultUser, ApplicationID: "1"}
	}
	rd := o.Ready(shardID, shardCount)
	if !json.Valid(rd.User) {
		// Invalid JSON would break every READY; say so and carry on.
		log.Error("ReadyData.User is not valid JSON; using a default user", "user", string(rd.User))
		rd.User = defaultUser
	}
	return rd
}

func newReady(rd ReadyData, s *session, resumeURL string) readyPayload {
	guilds := make([]unavailableGuild, 0, len(rd.GuildIDs))
	for _, id := range rd.GuildIDs {
		// Stubs for other shards would make the client wait forever for
		// their GUILD_CREATE, so keep only this shard's guilds.
		if shard, ok := shardFor(id, s.shardCount); ok && id != "" && shard == s.shardID {
			guilds = append(guilds, unavailableGuild{ID: id, Unavailable: true})
		}
	}
	return readyPayload{
		V:                 10,
		User:              rd.User,
		SessionType:       "normal",
		SessionID:         s.id,
		ResumeGatewayURL:  resumeURL,
		Relationships:     []struct{}{},
		PrivateChannels:   []struct{}{},
		Presences:         []struct{}{},
		Guilds:            guilds,
		GuildJoinRequests: []struct{}{},
		GeoRTCRegions:     []string{"discordsim"},
		Application:       readyApplication{ID: rd.ApplicationID, Flags: rd.ApplicationFlags},
		Shard:             [2]int{s.shardID, s.shardCount},
		Trace:             []string{`["discordsim-gateway",{"micros":0}]`},
	}
}
