package interaction

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/httpserver"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/logging"
	"github.com/together-bot/together/core/once"
)

// EndpointPath is where the interactions endpoint listens on
// INTERACTIONS_ADDR; the Interactions Endpoint URL set in the Developer
// Portal ends with it.
const EndpointPath = "/interactions"

// SignatureMaxAge bounds how far X-Signature-Timestamp may be from this
// replica's clock, either way. disgo verifies the signature over
// timestamp+body but never looks at the timestamp's age, so without this a
// captured request could be replayed forever. Discord signs a request just
// before sending it and an interaction cannot be answered after 3 s, so a
// genuine request is never older than a few seconds; the rest of the window
// is room for clock skew between Discord and an NTP-synced replica.
const SignatureMaxAge = 30 * time.Second

// maxBodyBytes bounds what an unauthenticated caller can make us read.
const maxBodyBytes = 4 << 20

// EndpointOptions configure NewEndpoint.
type EndpointOptions struct {
	// PublicKey is the application's Ed25519 key (DISCORD_PUBLIC_KEY).
	PublicKey ed25519.PublicKey
	// DB holds the replay guard: every accepted signature is claimed in
	// core_once, so a request replayed within SignatureMaxAge is refused by
	// every replica, not only the one that saw it first.
	DB  *db.DB
	Log *slog.Logger
	// Now is the clock the timestamp is checked against (tests).
	Now func() time.Time
}

// Endpoint serves Discord's HTTP interactions (POST EndpointPath): it
// refuses unsigned, forged, stale and replayed requests with 401, answers
// PING with PONG, and routes every other interaction through the same
// Router as the gateway, the initial response being the HTTP response body.
type Endpoint struct {
	router  *Router
	log     *slog.Logger
	now     func() time.Time
	db      *db.DB
	handler http.Handler
}

// NewEndpoint builds the endpoint of r.
func NewEndpoint(r *Router, o EndpointOptions) (*Endpoint, error) {
	if len(o.PublicKey) != ed25519.PublicKeySize {
		return nil, errors.New("interactions endpoint: the public key must be 32 bytes (DISCORD_PUBLIC_KEY)")
	}
	if o.DB == nil {
		return nil, errors.New("interactions endpoint: the replay guard needs the database")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	e := &Endpoint{router: r, log: o.Log.With("transport", "http"), now: o.Now, db: o.DB}
	// disgo verifies the signature, decodes the interaction and turns the
	// first response into the HTTP answer (waiting up to 3.1 s for it). Its
	// debug lines print whole bodies, interaction tokens included: dropped.
	e.handler = httpserver.HandleInteraction(replayGuard{e: e}, httpserver.PublicKey(o.PublicKey),
		logging.AtLeast(e.log, slog.LevelInfo), e.handle)
	return e, nil
}

func (e *Endpoint) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if reason := e.staleTimestamp(req.Header.Get("X-Signature-Timestamp")); reason != "" {
		e.log.Info("http interaction refused", "reason", reason)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	req.Body = http.MaxBytesReader(w, req.Body, maxBodyBytes)
	e.handler.ServeHTTP(w, req)
}

// staleTimestamp explains why a timestamp is refused ("" when it is fresh).
func (e *Endpoint) staleTimestamp(header string) string {
	if header == "" {
		return "no signature timestamp"
	}
	sec, err := strconv.ParseInt(header, 10, 64)
	if err != nil {
		return "malformed signature timestamp"
	}
	age := e.now().Sub(time.Unix(sec, 0))
	if age > SignatureMaxAge || age < -SignatureMaxAge {
		return "signature timestamp outside " + SignatureMaxAge.String() + " of now"
	}
	return ""
}

// handle runs on disgo's goroutine once the request is verified.
func (e *Endpoint) handle(respond httpserver.RespondFunc, ev httpserver.EventInteractionCreate) {
	if ev.Type() == discord.InteractionTypePing {
		if err := respond(discord.InteractionResponse{Type: discord.InteractionResponseTypePong}); err != nil {
			e.log.Error("could not answer Discord's PING", "error", err)
		}
		return
	}
	e.router.Serve(ev.Interaction, HTTPResponder(respond))
}

// replayGuard is the endpoint's httpserver.Verifier: Ed25519 as disgo does
// it, then a claim of the signature so the same request is accepted once.
// Ed25519 signatures are deterministic and Go refuses non-canonical ones, so
// a message has exactly one valid signature: claiming the signature claims
// the (timestamp, body) pair.
type replayGuard struct{ e *Endpoint }

func (g replayGuard) SignatureSize() int { return ed25519.SignatureSize }

func (g replayGuard) Verify(key httpserver.PublicKey, message, sig []byte) bool {
	if !(httpserver.DefaultVerifier{}).Verify(key, message, sig) {
		g.e.log.Info("http interaction refused", "reason", "bad signature")
		return false
	}
	// disgo's Verifier gets no request context; the claim is one insert.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	first, err := once.Do(ctx, g.e.db.Bun, "core:http-signature:"+hex.EncodeToString(sig), 2*SignatureMaxAge)
	switch {
	case err != nil:
		// Fail open: the timestamp window still bounds replays, and
		// refusing Discord's genuine requests while Postgres is away would
		// fail every interaction (and Discord drops endpoints that refuse
		// valid signatures).
		g.e.log.Error("replay guard unavailable; accepting a fresh signed request", "error", err)
		return true
	case !first:
		g.e.log.Warn("http interaction refused", "reason", "replayed signature")
		return false
	}
	return true
}
