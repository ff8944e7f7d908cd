package projection

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
)

func restErr(status int, code rest.JSONErrorCode, body string) error {
	return &rest.Error{Response: &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{}},
		Code: code, RsBody: []byte(body)}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want outcome
	}{
		{"429 with retry_after", restErr(429, 0, `{"retry_after": 0.75}`), outRateLimited},
		{"unknown message", restErr(404, rest.JSONErrorCodeUnknownMessage, ""), outUnknownMessage},
		{"unknown channel", restErr(404, rest.JSONErrorCodeUnknownChannel, ""), outBroken},
		{"missing access", restErr(403, rest.JSONErrorCodeMissingAccess, ""), outBroken},
		{"missing permissions", restErr(403, rest.JSONErrorCodeLackPermissionsToPerformAction, ""), outBroken},
		{"invalid form body", restErr(400, 50035, ""), outBroken},
		{"server error", restErr(502, 0, ""), outTransient},
		{"network", errors.New("connection reset"), outTransient},
	}
	for _, c := range cases {
		got, d, reason := classify(c.err)
		if got != c.want {
			t.Errorf("%s: outcome %d, want %d", c.name, got, c.want)
		}
		if got == outRateLimited && d != 750*time.Millisecond {
			t.Errorf("%s: retry after %s, want 750ms (fractions kept)", c.name, d)
		}
		if got == outBroken && reason == "" {
			t.Errorf("%s: broken without a reason", c.name)
		}
	}
}

func TestContentHashCoversEditableFields(t *testing.T) {
	t.Parallel()
	a, _ := contentHash(discord.MessageCreate{Content: "x"})
	b, _ := contentHash(discord.MessageCreate{Content: "x", Nonce: "n1"})
	c, _ := contentHash(discord.MessageCreate{Content: "y"})
	if string(a) != string(b) {
		t.Error("the nonce changed the hash")
	}
	if string(a) == string(c) {
		t.Error("different content, same hash")
	}
	u := update(discord.MessageCreate{})
	if u.Content == nil || u.Embeds == nil || u.Components == nil || u.AllowedMentions == nil || len(u.AllowedMentions.Parse) != 0 {
		t.Errorf("an edit must replace every field and ping nobody: %+v", u)
	}
}
