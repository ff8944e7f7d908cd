package gateway

// Intent bits (https://discord.com/developers/docs/events/gateway#gateway-intents).
const (
	intentGuilds                      = 1 << 0
	intentGuildMembers                = 1 << 1
	intentGuildModeration             = 1 << 2
	intentGuildExpressions            = 1 << 3
	intentGuildIntegrations           = 1 << 4
	intentGuildWebhooks               = 1 << 5
	intentGuildInvites                = 1 << 6
	intentGuildVoiceStates            = 1 << 7
	intentGuildPresences              = 1 << 8
	intentGuildMessages               = 1 << 9
	intentGuildMessageReactions       = 1 << 10
	intentGuildMessageTyping          = 1 << 11
	intentDirectMessages              = 1 << 12
	intentDirectMessageReactions      = 1 << 13
	intentDirectMessageTyping         = 1 << 14
	intentMessageContent              = 1 << 15
	intentGuildScheduledEvents        = 1 << 16
	intentAutoModerationConfiguration = 1 << 20
	intentAutoModerationExecution     = 1 << 21
	intentGuildMessagePolls           = 1 << 24
	intentDirectMessagePolls          = 1 << 25

	// knownIntents is every defined bit; others in Identify close with 4013.
	knownIntents = intentGuilds | intentGuildMembers | intentGuildModeration |
		intentGuildExpressions | intentGuildIntegrations | intentGuildWebhooks |
		intentGuildInvites | intentGuildVoiceStates | intentGuildPresences |
		intentGuildMessages | intentGuildMessageReactions | intentGuildMessageTyping |
		intentDirectMessages | intentDirectMessageReactions | intentDirectMessageTyping |
		intentMessageContent | intentGuildScheduledEvents |
		intentAutoModerationConfiguration | intentAutoModerationExecution |
		intentGuildMessagePolls | intentDirectMessagePolls
)

// guildIntentEvents lists, as Discord's intents documentation does, the
// events each intent covers in guilds; dmIntentEvents those it covers in
// DMs. An event not listed for a context is never sent there; events
// listed nowhere (READY, INTERACTION_CREATE, USER_UPDATE…) need no intent.
var (
	guildIntentEvents = map[uint64][]string{
		intentGuilds: {
			"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE",
			"GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE", "GUILD_ROLE_DELETE",
			"CHANNEL_CREATE", "CHANNEL_UPDATE", "CHANNEL_DELETE", "CHANNEL_PINS_UPDATE",
			"THREAD_CREATE", "THREAD_UPDATE", "THREAD_DELETE", "THREAD_LIST_SYNC", "THREAD_MEMBER_UPDATE", "THREAD_MEMBERS_UPDATE",
			"STAGE_INSTANCE_CREATE", "STAGE_INSTANCE_UPDATE", "STAGE_INSTANCE_DELETE",
		},
		intentGuildMembers:                {"GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"},
		intentGuildModeration:             {"GUILD_AUDIT_LOG_ENTRY_CREATE", "GUILD_BAN_ADD", "GUILD_BAN_REMOVE"},
		intentGuildExpressions:            {"GUILD_EMOJIS_UPDATE", "GUILD_STICKERS_UPDATE", "GUILD_SOUNDBOARD_SOUND_CREATE", "GUILD_SOUNDBOARD_SOUND_UPDATE", "GUILD_SOUNDBOARD_SOUND_DELETE", "GUILD_SOUNDBOARD_SOUNDS_UPDATE"},
		intentGuildIntegrations:           {"GUILD_INTEGRATIONS_UPDATE", "INTEGRATION_CREATE", "INTEGRATION_UPDATE", "INTEGRATION_DELETE"},
		intentGuildWebhooks:               {"WEBHOOKS_UPDATE"},
		intentGuildInvites:                {"INVITE_CREATE", "INVITE_DELETE"},
		intentGuildVoiceStates:            {"VOICE_STATE_UPDATE", "VOICE_CHANNEL_EFFECT_SEND"},
		intentGuildPresences:              {"PRESENCE_UPDATE"},
		intentGuildMessages:               {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"},
		intentGuildMessageReactions:       {"MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE", "MESSAGE_REACTION_REMOVE_ALL", "MESSAGE_REACTION_REMOVE_EMOJI"},
		intentGuildMessageTyping:          {"TYPING_START"},
		intentGuildScheduledEvents:        {"GUILD_SCHEDULED_EVENT_CREATE", "GUILD_SCHEDULED_EVENT_UPDATE", "GUILD_SCHEDULED_EVENT_DELETE", "GUILD_SCHEDULED_EVENT_USER_ADD", "GUILD_SCHEDULED_EVENT_USER_REMOVE"},
		intentAutoModerationConfiguration: {"AUTO_MODERATION_RULE_CREATE", "AUTO_MODERATION_RULE_UPDATE", "AUTO_MODERATION_RULE_DELETE"},
		intentAutoModerationExecution:     {"AUTO_MODERATION_ACTION_EXECUTION"},
		intentGuildMessagePolls:           {"MESSAGE_POLL_VOTE_ADD", "MESSAGE_POLL_VOTE_REMOVE"},
	}
	dmIntentEvents = map[uint64][]string{
		intentDirectMessages:         {"CHANNEL_PINS_UPDATE", "MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"},
		intentDirectMessageReactions: {"MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE", "MESSAGE_REACTION_REMOVE_ALL", "MESSAGE_REACTION_REMOVE_EMOJI"},
		intentDirectMessageTyping:    {"TYPING_START"},
		intentDirectMessagePolls:     {"MESSAGE_POLL_VOTE_ADD", "MESSAGE_POLL_VOTE_REMOVE"},
	}
)

// guildEventIntent and dmEventIntent give the intent an event needs in
// each context.
var (
	guildEventIntent = intentByEvent(guildIntentEvents)
	dmEventIntent    = intentByEvent(dmIntentEvents)
)

func intentByEvent(intentEvents map[uint64][]string) map[string]uint64 {
	out := map[string]uint64{}
	for intent, events := range intentEvents {
		for _, e := range events {
			out[e] = intent
		}
	}
	return out
}

// wantsEvent reports whether a session identified with intents receives
// event; inGuild distinguishes guild events from DM ones.
func wantsEvent(intents uint64, event string, inGuild bool) bool {
	guildBit, inGuildList := guildEventIntent[event]
	dmBit, inDMList := dmEventIntent[event]
	if !inGuildList && !inDMList {
		return true
	}
	bit := dmBit
	if inGuild {
		bit = guildBit
	}
	return bit != 0 && intents&bit != 0
}
