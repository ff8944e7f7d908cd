package discordsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// LiveEvent is one line of the /_sim/events feed: a notice that something
// changed, never the changed data itself, so an ephemeral message cannot
// leak to a page acting as another member (pages re-read what they show
// through the control API, with ?as_user).
type LiveEvent struct {
	// Type is the gateway event name (MESSAGE_CREATE, CHANNEL_UPDATE…) or
	// REQUEST for a REST request the bot made.
	Type      string `json:"type"`
	GuildID   string `json:"guild_id,omitempty"`
	ChannelID string `json:"channel_id,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	// EphemeralTo is set for events about an ephemeral message.
	EphemeralTo string `json:"ephemeral_to,omitempty"`
	// Method, Route and Status describe a REQUEST.
	Method string `json:"method,omitempty"`
	Route  string `json:"route,omitempty"`
	Status int    `json:"status,omitempty"`
}

// liveFeed fans LiveEvents out to the playground's server-sent-event
// streams. A slow subscriber loses events rather than slowing the emulator;
// the page re-reads everything on reconnect.
type liveFeed struct {
	mu     sync.Mutex
	subs   map[chan LiveEvent]struct{}
	closed bool
}

const liveBuffer = 256

func newLiveFeed() *liveFeed { return &liveFeed{subs: map[chan LiveEvent]struct{}{}} }

func (f *liveFeed) subscribe() (chan LiveEvent, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, false
	}
	ch := make(chan LiveEvent, liveBuffer)
	f.subs[ch] = struct{}{}
	return ch, true
}

func (f *liveFeed) unsubscribe(ch chan LiveEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[ch]; ok {
		delete(f.subs, ch)
		close(ch)
	}
}

func (f *liveFeed) publish(ev LiveEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}

// close ends every stream, so that shutting the HTTP server down does not
// wait for open pages.
func (f *liveFeed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for ch := range f.subs {
		delete(f.subs, ch)
		close(ch)
	}
}

// publishDispatch turns a gateway payload into a notice.
func (f *liveFeed) publishDispatch(guildID, event string, data any) {
	ev := LiveEvent{Type: event, GuildID: guildID}
	if m, ok := data.(map[string]any); ok {
		str := func(k string) string { v, _ := m[k].(string); return v }
		ev.ChannelID = str("channel_id")
		ev.EphemeralTo = str("ephemeral_to")
		switch event {
		case "CHANNEL_CREATE", "CHANNEL_UPDATE", "CHANNEL_DELETE":
			ev.ChannelID = str("id")
		case "MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE":
			ev.MessageID = str("id")
		}
	}
	f.publish(ev)
}

// serveEvents is GET /_sim/events: text/event-stream of LiveEvents.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"message": "streaming unsupported", "code": 0})
		return
	}
	ch, ok := s.live.subscribe()
	if !ok {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"message": "emulator is shutting down", "code": 0})
		return
	}
	defer s.live.unsubscribe(ch)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, "retry: 1000\n: connected\n\n")
	flusher.Flush()
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keepalive.C:
			fmt.Fprint(w, ": keepalive\n\n")
			flusher.Flush()
		case ev, open := <-ch:
			if !open {
				return
			}
			raw, _ := json.Marshal(ev)
			fmt.Fprintf(w, "data: %s\n\n", raw)
			flusher.Flush()
		}
	}
}
