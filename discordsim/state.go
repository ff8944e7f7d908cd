package discordsim

import (
	"encoding/json"
	"time"
)

// Channel types used by the emulator.
const (
	ChannelGuildText     = 0
	ChannelDM            = 1
	ChannelGuildVoice    = 2
	ChannelGuildCategory = 4
	ChannelGuildNews     = 5
)

// Message flags.
const (
	flagEphemeral  = 1 << 6
	flagLoading    = 1 << 7
	flagIsCompV2   = 1 << 15
	msgTypeDefault = 0
	msgTypeReply   = 19
	msgTypeCommand = 20
)

// state is the emulator's whole world. Every field is guarded by Server.mu.
type state struct {
	users          map[string]*user
	guilds         map[string]*guild
	guildOrder     []string
	channels       map[string]*channel
	messages       map[string]*message
	channelMsgs    map[string][]string // channel id -> message ids, oldest first
	globalCommands []*command
	guildCommands  map[string][]*command
	interactions   map[string]*interaction
	modalsShown    map[string][]*shownModal // user id -> modals open for them
	dms            map[string]string        // user id -> DM channel id
	nonces         map[nonceKey]nonceEntry
}

func newState() *state {
	return &state{
		users:         map[string]*user{},
		guilds:        map[string]*guild{},
		channels:      map[string]*channel{},
		messages:      map[string]*message{},
		channelMsgs:   map[string][]string{},
		guildCommands: map[string][]*command{},
		interactions:  map[string]*interaction{},
		modalsShown:   map[string][]*shownModal{},
		dms:           map[string]string{},
		nonces:        map[nonceKey]nonceEntry{},
	}
}

type user struct {
	ID       string
	Username string
	Bot      bool
}

type guild struct {
	ID          string
	Name        string
	OwnerID     string
	CreatedAt   time.Time
	Roles       map[string]*role
	RoleOrder   []string
	Members     map[string]*member
	MemberOrder []string
	ChannelIDs  []string
	BotRoleID   string
}

type role struct {
	ID          string
	Name        string
	Permissions uint64
	Position    int
	Managed     bool
	BotID       string
}

type member struct {
	UserID   string
	Roles    []string
	JoinedAt time.Time
}

type channel struct {
	ID          string
	Type        int
	GuildID     string
	Name        string
	Topic       *string
	ParentID    string
	Position    int
	NSFW        bool
	Overwrites  []Overwrite
	RecipientID string // DM channels
	LastMsgID   string
}

type message struct {
	ID              string
	ChannelID       string
	GuildID         string
	AuthorID        string
	Content         string
	Embeds          json.RawMessage
	Components      json.RawMessage
	Flags           int
	Type            int
	Timestamp       time.Time
	EditedTimestamp *time.Time
	EditCount       int
	Pinned          bool
	pinnedAt        time.Time
	Nonce           json.RawMessage
	WebhookID       string
	EphemeralTo     string
	InteractionMeta map[string]any
	Reference       json.RawMessage
}

type nonceKey struct{ channelID, authorID, nonce string }

type nonceEntry struct {
	messageID string
	at        time.Time
}

// command is a registered application command. raw keeps what the bot sent
// so GET returns it unchanged apart from the server-assigned fields.
type command struct {
	ID      string
	GuildID string
	Name    string
	Type    int
	Raw     map[string]any
	Options []commandOption
}

type commandOption struct {
	Type     int             `json:"type"`
	Name     string          `json:"name"`
	Required bool            `json:"required,omitempty"`
	Choices  []commandChoice `json:"choices,omitempty"`
	Options  []commandOption `json:"options,omitempty"`
}

type commandChoice struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// shownModal is a modal the bot answered an interaction with; a submit is
// only accepted for a modal the user actually has open.
type shownModal struct {
	CustomID   string
	Components []any
	ChannelID  string
	GuildID    string
	MessageID  string // set when opened from a component
}

func (s *state) guildMember(guildID, userID string) (*guild, *member) {
	g := s.guilds[guildID]
	if g == nil {
		return nil, nil
	}
	return g, g.Members[userID]
}

func removeString(list []string, v string) []string {
	out := list[:0]
	for _, x := range list {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}
