package discordsim

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
)

// An application receives interactions in one of two mutually exclusive
// ways: over the gateway, or, once an Interactions Endpoint URL is set, as
// HTTP POSTs signed with the application's Ed25519 key, whose response body
// is the initial response (Discord's developers/interactions/overview.mdx).

// InteractionsEndpoint is the application's HTTP interactions setting.
type InteractionsEndpoint struct {
	// URL is empty while interactions go over the gateway.
	URL string `json:"url"`
	// PublicKey is the hex Ed25519 key the bot verifies signatures with
	// (DISCORD_PUBLIC_KEY); GET /applications/@me reports it as verify_key.
	PublicKey string `json:"public_key"`
}

// interactionUserAgent is the User-Agent of Discord's interaction POSTs.
const interactionUserAgent = "Discord-Interactions/1.0 (+https://discord.com)"

// maxInteractionAnswer bounds the response body read from the endpoint.
const maxInteractionAnswer = 25 << 20

// PublicKey is the application's public key, hex (DISCORD_PUBLIC_KEY).
func (s *Server) PublicKey() string {
	return hex.EncodeToString(s.signingKey.Public().(ed25519.PublicKey))
}

// InteractionsEndpoint returns the current setting.
func (s *Server) InteractionsEndpoint() InteractionsEndpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return InteractionsEndpoint{URL: s.endpointURL, PublicKey: s.PublicKey()}
}

// SetInteractionsEndpoint sets the Interactions Endpoint URL ("" goes back
// to the gateway). As Discord does when the URL is saved, it first POSTs a
// PING signed with the application's key, which must be answered 200 with
// {"type":1} as JSON, and a PING with an invalid signature, which must be
// refused with 401; otherwise the URL is refused (a *ControlError, 400) and
// the previous setting stays.
func (s *Server) SetInteractionsEndpoint(ctx context.Context, rawURL string) (InteractionsEndpoint, error) {
	if rawURL != "" {
		u, err := url.Parse(rawURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return InteractionsEndpoint{}, controlErr(http.StatusBadRequest, "interactions_endpoint_url: must be an http(s) URL, got %q", rawURL)
		}
		if err := s.verifyEndpoint(ctx, rawURL); err != nil {
			return InteractionsEndpoint{}, err
		}
	}
	s.mu.Lock()
	s.endpointURL = rawURL
	s.mu.Unlock()
	s.log.Info("interactions endpoint set", "url", rawURL)
	return s.InteractionsEndpoint(), nil
}

// CheckInteractionsEndpoint repeats the checks of SetInteractionsEndpoint,
// as Discord's routine security checks do (they purposefully send invalid
// signatures); an endpoint that fails them is removed, so interactions go
// back to the gateway, and the error says why.
func (s *Server) CheckInteractionsEndpoint(ctx context.Context) error {
	current := s.InteractionsEndpoint().URL
	if current == "" {
		return controlErr(http.StatusBadRequest, "no interactions endpoint is set")
	}
	err := s.verifyEndpoint(ctx, current)
	if err != nil {
		s.mu.Lock()
		if s.endpointURL == current {
			s.endpointURL = ""
		}
		s.mu.Unlock()
		s.log.Warn("interactions endpoint removed: it failed a security check", "url", current, "error", err)
	}
	return err
}

// verifyEndpoint sends the two PINGs of an endpoint check.
func (s *Server) verifyEndpoint(ctx context.Context, endpoint string) error {
	refuse := func(format string, args ...any) error {
		return controlErr(http.StatusBadRequest, "interactions_endpoint_url: The specified interactions endpoint url could not be verified: "+format, args...)
	}
	ping, _ := json.Marshal(map[string]any{
		"id": s.ids.next(), "application_id": s.opts.AppID, "type": InteractionPing,
		"token": newInteractionToken(), "version": 1, "entitlements": []any{},
	})
	ctx, cancel := context.WithTimeout(ctx, s.opts.InteractionDeadline)
	defer cancel()
	status, header, body, err := s.postSigned(ctx, endpoint, ping, true)
	switch {
	case err != nil:
		return refuse("the PING could not be delivered: %v", err)
	case status != http.StatusOK:
		return refuse("the signed PING was answered %d, want 200", status)
	case !isJSON(header.Get("Content-Type")):
		return refuse("the PING's answer has Content-Type %q, want application/json", header.Get("Content-Type"))
	}
	var pong struct {
		Type int `json:"type"`
	}
	if json.Unmarshal(body, &pong) != nil || pong.Type != callbackPong {
		return refuse(`the PING was answered %q, want {"type":1}`, truncate(string(body), 200))
	}
	status, _, _, err = s.postSigned(ctx, endpoint, ping, false)
	switch {
	case err != nil:
		return refuse("the PING with an invalid signature could not be delivered: %v", err)
	case status != http.StatusUnauthorized:
		return refuse("a PING with an invalid signature was answered %d, want 401", status)
	}
	return nil
}

// deliverHTTP POSTs an interaction to the endpoint and applies the answer
// as its initial response, as a REST callback would be applied. No answer
// within the deadline, an error status, or an answer Discord would reject
// leaves the interaction failed ("This interaction failed"): Discord does
// not retry interactions.
func (s *Server) deliverHTTP(ctx context.Context, endpoint string, it *interaction, payload map[string]any) {
	body, err := json.Marshal(payload)
	if err != nil {
		s.log.Error("cannot encode the interaction", "interaction_id", it.ID, "error", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.InteractionDeadline)
	defer cancel()
	status, header, answer, err := s.postSigned(ctx, endpoint, body, true)

	s.mu.Lock()
	s.stats.interactionsOverHTTP++
	ctype := header.Get("Content-Type")
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("status %d: %s", status, truncate(string(answer), 200))
	}
	if err != nil {
		s.log.Warn("interactions endpoint did not answer", "interaction_id", it.ID, "error", err)
		s.markFailed(it)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()

	// The answer is a callback body: it must pass what the REST callback
	// route enforces.
	path := "/interactions/" + it.ID + "/" + it.Token + "/callback"
	if vs := s.validator.Validate(http.MethodPost, path, nil, ctype, answer); len(vs) > 0 {
		for i := range vs {
			vs[i].Path = redactPath(vs[i].Path, map[string]string{"interaction_token": it.Token})
		}
		s.recordViolations(vs)
		s.mu.Lock()
		s.markFailed(it)
		s.mu.Unlock()
		return
	}
	s.mu.Lock()
	ev, err := s.answerLocked(it, jsonPayload(ctype, answer))
	if err != nil {
		s.log.Warn("interactions endpoint answered what Discord refuses", "interaction_id", it.ID, "error", err)
		s.markFailed(it)
	}
	s.mu.Unlock()
	s.flush(ev)
}

// postSigned POSTs body signed as Discord signs it: Ed25519 over the
// timestamp (Unix seconds, server clock) followed by the body. With valid
// false the signature is corrupted, as in Discord's security checks.
func (s *Server) postSigned(ctx context.Context, endpoint string, body []byte, valid bool) (int, http.Header, []byte, error) {
	ts := strconv.FormatInt(s.now().Unix(), 10)
	sig := ed25519.Sign(s.signingKey, append([]byte(ts), body...))
	if !valid {
		sig[0] ^= 0xff
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, http.Header{}, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", interactionUserAgent)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", ts)
	resp, err := s.endpointClient.Do(req)
	if err != nil {
		return 0, http.Header{}, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxInteractionAnswer))
	if err != nil {
		return 0, http.Header{}, nil, fmt.Errorf("read the answer: %w", err)
	}
	return resp.StatusCode, resp.Header, answer, nil
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
