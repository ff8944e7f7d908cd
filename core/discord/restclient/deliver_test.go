package restclient

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/riverqueue/river/rivertype"
	"github.com/together-bot/together/core/usertext"
)

// oneShot answers CreateMessage with err, or with message 77, and keeps
// what it was asked to post.
type oneShot struct {
	err     error
	channel snowflake.ID
	sent    discord.MessageCreate
}

func (o *oneShot) CreateMessage(channelID snowflake.ID, m discord.MessageCreate, _ ...rest.RequestOpt) (*discord.Message, error) {
	o.channel, o.sent = channelID, m
	if o.err != nil {
		return nil, o.err
	}
	return &discord.Message{ID: 77}, nil
}

func discordErr(status int, header ...string) error {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &rest.Error{Response: &http.Response{StatusCode: status, Status: http.StatusText(status), Header: h}}
}

func TestDeliverRecordsEachOutcome(t *testing.T) {
	t.Parallel()
	long := errors.New(strings.Repeat("x", 500))
	for _, tc := range []struct {
		name       string
		err        error
		recorded   bool
		outcome    Outcome
		messageID  uint64
		lastErrLen int
		snooze     time.Duration // > 0: the job must snooze this long
		retry      bool          // the job must fail (and be retried)
	}{
		{name: "sent", recorded: true, outcome: Sent, messageID: 77},
		{name: "rate limited with retry-after", err: discordErr(http.StatusTooManyRequests, "Retry-After", "3"), snooze: 3 * time.Second},
		{name: "rate limited without retry-after", err: discordErr(http.StatusTooManyRequests), snooze: time.Second},
		{name: "channel gone", err: discordErr(http.StatusNotFound), recorded: true, outcome: Refused, lastErrLen: -1},
		{name: "connection dropped", err: io.ErrUnexpectedEOF, recorded: true, outcome: Failed, lastErrLen: len(io.ErrUnexpectedEOF.Error()), retry: true},
		{name: "long error cut", err: long, recorded: true, outcome: Failed, lastErrLen: errSummaryLen, retry: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &oneShot{err: tc.err}
			var got struct {
				n         int
				o         Outcome
				messageID uint64
				lastErr   string
			}
			err := Deliver(context.Background(), c, Delivery{ChannelID: 42, Message: discord.MessageCreate{Content: "hi"}, Nonce: "n1",
				Record: func(_ context.Context, o Outcome, messageID uint64, lastErr string) error {
					got.n++
					got.o, got.messageID, got.lastErr = o, messageID, lastErr
					return nil
				}}, slog.New(slog.DiscardHandler))
			if c.channel != 42 || c.sent.Content != "hi" || c.sent.Nonce != "n1" || !c.sent.EnforceNonce {
				t.Fatalf("posted %+v in %d, want the message with its enforced nonce in 42", c.sent, c.channel)
			}
			var snooze *rivertype.JobSnoozeError
			switch {
			case tc.snooze > 0:
				if !errors.As(err, &snooze) || snooze.Duration != tc.snooze {
					t.Fatalf("err = %v, want a snooze of %s", err, tc.snooze)
				}
			case tc.retry:
				if err == nil || errors.As(err, &snooze) || !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want the post's error for River to retry", err)
				}
			case err != nil:
				t.Fatalf("err = %v, want the job to end", err)
			}
			if !tc.recorded {
				if got.n != 0 {
					t.Fatalf("a snooze recorded %+v", got)
				}
				return
			}
			if got.n != 1 || got.o != tc.outcome || got.messageID != tc.messageID {
				t.Fatalf("recorded %+v, want outcome %d message %d once", got, tc.outcome, tc.messageID)
			}
			switch {
			case tc.lastErrLen < 0 && got.lastErr == "":
				t.Fatal("a refusal recorded no error")
			case tc.lastErrLen >= 0 && usertext.Len(got.lastErr) != tc.lastErrLen:
				t.Fatalf("recorded error %q, want %d code points", got.lastErr, tc.lastErrLen)
			}
		})
	}
}

func TestDeliverReturnsAFailedRecord(t *testing.T) {
	t.Parallel()
	broken := errors.New("database gone")
	err := Deliver(context.Background(), &oneShot{err: io.ErrUnexpectedEOF}, Delivery{ChannelID: 1,
		Record: func(context.Context, Outcome, uint64, string) error { return broken }}, slog.New(slog.DiscardHandler))
	if !errors.Is(err, broken) {
		t.Fatalf("err = %v, want the record's error", err)
	}
}
