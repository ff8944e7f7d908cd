package specvalidate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Discord's documented limits that openapi.json does not express (or
// expresses differently). Each value cites the Discord developer docs page
// it comes from.
const (
	// Message resource, Create Message: "content: up to 2000 characters".
	// The spec allows 4000 on create/edit (presumably the Nitro limit of
	// user accounts); callbacks and webhooks already say 2000 there.
	maxContent = 2000
	// Message resource, Embed Limits: 10 embeds per message, 6000 characters
	// across all of them; title 256, description 4096, 25 fields, field name
	// 256, field value 1024, footer text 2048, author name 256.
	maxEmbeds           = 10
	maxEmbedTotal       = 6000
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxEmbedFields      = 25
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxFooterText       = 2048
	maxAuthorName       = 256
	// Components, Custom ID: 1-100 characters, unique per message/modal.
	minCustomID = 1
	maxCustomID = 100
	// Components, Action Row: up to 5 action rows per message (without
	// Components V2); up to 5 buttons per row; a select menu fills a row
	// on its own.
	maxActionRows    = 5
	maxButtonsPerRow = 5
	// Components, String Select: up to 25 options; option label, value and
	// description up to 100 characters.
	maxSelectOptions = 25
	maxOptionText    = 100
	// Components, "Using Components V2": with IS_COMPONENTS_V2 the message
	// cannot use content or embeds, may hold up to 40 components in total
	// (nested ones included), and its text displays up to 4000 characters
	// combined.
	flagComponentsV2      = 1 << 15
	maxComponentsV2       = 40
	maxTextDisplayTotalV2 = 4000
	// Interactions, Modal: 1-5 components, title up to 45 characters; text
	// input and label "label" up to 45 characters; text input max_length
	// 1-4000 and min_length 0-4000.
	minModalComponents = 1
	maxModalComponents = 5
	maxModalTitle      = 45
	maxInputLabel      = 45
	maxInputLength     = 4000
)

// Component types (Discord's component type enum).
const (
	typeActionRow         = 1
	typeButton            = 2
	typeStringSelect      = 3
	typeTextInput         = 4
	typeUserSelect        = 5
	typeRoleSelect        = 6
	typeMentionableSelect = 7
	typeChannelSelect     = 8
	typeTextDisplay       = 10
	typeLabel             = 18
)

// Interaction callback types that carry a message or a modal in "data".
const (
	callbackChannelMessage = 4
	callbackDeferred       = 5
	callbackUpdateMessage  = 7
	callbackModal          = 9
)

// messageOp says where an operation's body holds a message.
type messageOp struct {
	at     string // pointer of the message within the body
	isEdit bool   // the body updates an existing message
}

// messageOps are the operations whose body (or a member of it) is a message.
var messageOps = map[string]messageOp{
	"POST /channels/{channel_id}/messages":                               {"", false},
	"PATCH /channels/{channel_id}/messages/{message_id}":                 {"", true},
	"POST /webhooks/{webhook_id}/{webhook_token}":                        {"", false}, // execute webhook, interaction follow-up
	"PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original":    {"", true},
	"PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}": {"", true},
	"POST /channels/{channel_id}/threads":                                {"/message", false}, // forum/media thread starter message
}

const callbackOp = "POST /interactions/{interaction_id}/{interaction_token}/callback"

// checkLimits applies the explicit limits to a decoded body.
func checkLimits(op *operation, body any) []Violation {
	key := op.method + " " + op.route
	c := &checker{}
	root, _ := body.(map[string]any)
	if mo, ok := messageOps[key]; ok {
		msg := root
		if mo.at != "" {
			msg, _ = root["message"].(map[string]any)
		}
		if msg != nil {
			c.message(msg, mo.at, mo.isEdit)
		}
	}
	if key == callbackOp && root != nil {
		data, _ := root["data"].(map[string]any)
		if data != nil {
			switch t, _ := intOf(root["type"]); t {
			case callbackChannelMessage, callbackDeferred:
				c.message(data, "/data", false)
			case callbackUpdateMessage:
				c.message(data, "/data", true)
			case callbackModal:
				c.modal(data, "/data")
			}
		}
	}
	return c.vs
}

// checker accumulates limit violations.
type checker struct{ vs []Violation }

func (c *checker) add(ptr, code, msg string) {
	c.vs = append(c.vs, Violation{In: InBody, Pointer: ptr, Code: code, Message: msg})
}

// maxLen reports a string longer than max characters and returns its
// length.
func (c *checker) maxLen(v any, ptr string, max int) int {
	s, ok := v.(string)
	if !ok {
		return 0
	}
	n := utf8.RuneCountInString(s)
	if n > max {
		c.add(ptr, CodeMaxLength, fmt.Sprintf("Must be %d or fewer in length.", max))
	}
	return n
}

// between reports a string outside [min, max] characters, worded as
// Discord words two-sided bounds (and as the schema errors are, so the two
// deduplicate).
func (c *checker) between(v any, ptr string, min, max int) {
	s, ok := v.(string)
	if !ok {
		return
	}
	if n := utf8.RuneCountInString(s); n < min || n > max {
		c.add(ptr, CodeBadLength, fmt.Sprintf("Must be between %d and %d in length.", min, max))
	}
}

// maxItems reports a list longer than max.
func (c *checker) maxItems(list []any, ptr string, max int) {
	if len(list) > max {
		c.add(ptr, CodeMaxLength, fmt.Sprintf("Must be %d or fewer in length.", max))
	}
}

// itemsBetween reports a list outside [min, max] items.
func (c *checker) itemsBetween(list []any, ptr string, min, max int) {
	if len(list) < min || len(list) > max {
		c.add(ptr, CodeBadLength, fmt.Sprintf("Must be between %d and %d in length.", min, max))
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// intOf reads an integer from a decoded JSON value.
func intOf(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}
