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

// eventIntents maps an event to the intent it needs in a guild and in a DM.
// A zero entry means the event is never sent in that context; events missing
// from the map (READY, INTERACTION_CREATE, USER_UPDATE…) need no intent.
var eventIntents = map[string]struct{ guild, dm uint64 }{
	"GUILD_CREATE":                      {intentGuilds, 0},
	"GUILD_UPDATE":                      {intentGuilds, 0},
	"GUILD_DELETE":                      {intentGuilds, 0},
	"GUILD_ROLE_CREATE":                 {intentGuilds, 0},
	"GUILD_ROLE_UPDATE":                 {intentGuilds, 0},
	"GUILD_ROLE_DELETE":                 {intentGuilds, 0},
	"CHANNEL_CREATE":                    {intentGuilds, 0},
	"CHANNEL_UPDATE":                    {intentGuilds, 0},
	"CHANNEL_DELETE":                    {intentGuilds, 0},
	"CHANNEL_PINS_UPDATE":               {intentGuilds, intentDirectMessages},
	"THREAD_CREATE":                     {intentGuilds, 0},
	"THREAD_UPDATE":                     {intentGuilds, 0},
	"THREAD_DELETE":                     {intentGuilds, 0},
	"THREAD_LIST_SYNC":                  {intentGuilds, 0},
	"THREAD_MEMBER_UPDATE":              {intentGuilds, 0},
	"THREAD_MEMBERS_UPDATE":             {intentGuilds, 0},
	"STAGE_INSTANCE_CREATE":             {intentGuilds, 0},
	"STAGE_INSTANCE_UPDATE":             {intentGuilds, 0},
	"STAGE_INSTANCE_DELETE":             {intentGuilds, 0},
	"GUILD_MEMBER_ADD":                  {intentGuildMembers, 0},
	"GUILD_MEMBER_UPDATE":               {intentGuildMembers, 0},
	"GUILD_MEMBER_REMOVE":               {intentGuildMembers, 0},
	"GUILD_AUDIT_LOG_ENTRY_CREATE":      {intentGuildModeration, 0},
	"GUILD_BAN_ADD":                     {intentGuildModeration, 0},
	"GUILD_BAN_REMOVE":                  {intentGuildModeration, 0},
	"GUILD_EMOJIS_UPDATE":               {intentGuildExpressions, 0},
	"GUILD_STICKERS_UPDATE":             {intentGuildExpressions, 0},
	"GUILD_SOUNDBOARD_SOUND_CREATE":     {intentGuildExpressions, 0},
	"GUILD_SOUNDBOARD_SOUND_UPDATE":     {intentGuildExpressions, 0},
	"GUILD_SOUNDBOARD_SOUND_DELETE":     {intentGuildExpressions, 0},
	"GUILD_SOUNDBOARD_SOUNDS_UPDATE":    {intentGuildExpressions, 0},
	"GUILD_INTEGRATIONS_UPDATE":         {intentGuildIntegrations, 0},
	"INTEGRATION_CREATE":                {intentGuildIntegrations, 0},
	"INTEGRATION_UPDATE":                {intentGuildIntegrations, 0},
	"INTEGRATION_DELETE":                {intentGuildIntegrations, 0},
	"WEBHOOKS_UPDATE":                   {intentGuildWebhooks, 0},
	"INVITE_CREATE":                     {intentGuildInvites, 0},
	"INVITE_DELETE":                     {intentGuildInvites, 0},
	"VOICE_STATE_UPDATE":                {intentGuildVoiceStates, 0},
	"VOICE_CHANNEL_EFFECT_SEND":         {intentGuildVoiceStates, 0},
	"PRESENCE_UPDATE":                   {intentGuildPresences, 0},
	"MESSAGE_CREATE":                    {intentGuildMessages, intentDirectMessages},
	"MESSAGE_UPDATE":                    {intentGuildMessages, intentDirectMessages},
	"MESSAGE_DELETE":                    {intentGuildMessages, intentDirectMessages},
	"MESSAGE_DELETE_BULK":               {intentGuildMessages, 0},
	"MESSAGE_REACTION_ADD":              {intentGuildMessageReactions, intentDirectMessageReactions},
	"MESSAGE_REACTION_REMOVE":           {intentGuildMessageReactions, intentDirectMessageReactions},
	"MESSAGE_REACTION_REMOVE_ALL":       {intentGuildMessageReactions, intentDirectMessageReactions},
	"MESSAGE_REACTION_REMOVE_EMOJI":     {intentGuildMessageReactions, intentDirectMessageReactions},
	"TYPING_START":                      {intentGuildMessageTyping, intentDirectMessageTyping},
	"GUILD_SCHEDULED_EVENT_CREATE":      {intentGuildScheduledEvents, 0},
	"GUILD_SCHEDULED_EVENT_UPDATE":      {intentGuildScheduledEvents, 0},
	"GUILD_SCHEDULED_EVENT_DELETE":      {intentGuildScheduledEvents, 0},
	"GUILD_SCHEDULED_EVENT_USER_ADD":    {intentGuildScheduledEvents, 0},
	"GUILD_SCHEDULED_EVENT_USER_REMOVE": {intentGuildScheduledEvents, 0},
	"AUTO_MODERATION_RULE_CREATE":       {intentAutoModerationConfiguration, 0},
	"AUTO_MODERATION_RULE_UPDATE":       {intentAutoModerationConfiguration, 0},
	"AUTO_MODERATION_RULE_DELETE":       {intentAutoModerationConfiguration, 0},
	"AUTO_MODERATION_ACTION_EXECUTION":  {intentAutoModerationExecution, 0},
	"MESSAGE_POLL_VOTE_ADD":             {intentGuildMessagePolls, intentDirectMessagePolls},
	"MESSAGE_POLL_VOTE_REMOVE":          {intentGuildMessagePolls, intentDirectMessagePolls},
}

// wantsEvent reports whether a session identified with intents receives
// event; inGuild distinguishes guild events from DM ones.
func wantsEvent(intents uint64, event string, inGuild bool) bool {
	need, ok := eventIntents[event]
	if !ok {
		return true
	}
	bit := need.dm
	if inGuild {
		bit = need.guild
	}
	return bit != 0 && intents&bit != 0
}
