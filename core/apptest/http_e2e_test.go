package apptest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/examples/hello"
)

const callbackRoute = "POST /interactions/{interaction_id}/{interaction_token}/callback"

// responseOf is the type and content of an initial response.
func responseOf(t *testing.T, raw json.RawMessage) (int, string) {
	t.Helper()
	var r struct {
		Type int `json:"type"`
		Data struct {
			Content  string `json:"content"`
			CustomID string `json:"custom_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response %s: %v", raw, err)
	}
	return r.Type, r.Data.Content
}

// TestE2EHTTPInteractions: with an interactions endpoint set, the emulator
// POSTs a slash command, a button click and a modal submit to the bot, signed;
// the bot's answers are the HTTP responses, none goes through the callback
// route, and the gateway carries no interaction.
func TestE2EHTTPInteractions(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{hello.Descriptor}, HTTPInteractions: true})
	if ep := h.Sim.InteractionsEndpoint(); ep.URL != h.InteractionsURL() {
		t.Fatalf("emulator endpoint %q, bot serves %q", ep.URL, h.InteractionsURL())
	}
	member := h.Guild.MemberIDs[0]

	res := h.Command(member, "hello", nil)
	if typ, content := responseOf(t, res.Response); typ != 4 || !strings.Contains(content, "said hello 1 times") {
		t.Fatalf("command answered %s", res.Response)
	}
	// The answer, as the bot put it in the HTTP response, carries the button.
	note := apptest.ResponseCustomID(res)
	if note == "" {
		t.Fatalf("no button in %s", res.Response)
	}
	click := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: member, MessageID: res.MessageID, CustomID: note})
	if typ, _ := responseOf(t, click.Response); typ != 9 {
		t.Fatalf("button answered %s, want a modal", click.Response)
	}
	saved := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindModal, UserID: member, CustomID: note,
		Fields: map[string]any{"note": "over http"}})
	if _, content := responseOf(t, saved.Response); !strings.Contains(content, "Saved: over http") {
		t.Fatalf("modal answered %s", saved.Response)
	}
	st := h.Sim.Stats()
	if st.InteractionsOverHTTP != 3 || st.ByRoute[callbackRoute] != 0 || st.InteractionsFailed != 0 {
		t.Fatalf("stats: %d over HTTP, %d REST callbacks, %d failed", st.InteractionsOverHTTP, st.ByRoute[callbackRoute], st.InteractionsFailed)
	}
}

// delivery is one POST as the load balancer forwarded it.
type delivery struct {
	replica int
	header  http.Header
	body    []byte
}

// roundRobin is a load balancer in front of the replicas' endpoints.
type roundRobin struct {
	targets []*url.URL
	mu      sync.Mutex
	next    int
	seen    []delivery
}

func (rr *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rr.mu.Lock()
	i := rr.next % len(rr.targets)
	rr.next++
	rr.seen = append(rr.seen, delivery{replica: i, header: r.Header.Clone(), body: body})
	rr.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	target := rr.targets[i]
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target); pr.Out.URL.Path = target.Path }}
	proxy.ServeHTTP(w, r)
}

func (rr *roundRobin) deliveries() []delivery {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return append([]delivery(nil), rr.seen...)
}

// TestE2EHTTPInteractionsRoundRobin: two bot processes sharing one database
// sit behind a round-robin load balancer. Every interaction is answered once
// by one of them and its work is done once; a captured request replayed to
// either replica, and a forged one, are refused with 401 and change nothing.
func TestE2EHTTPInteractionsRoundRobin(t *testing.T) {
	t.Parallel()
	mods := []module.Descriptor{hello.Descriptor}
	// Each replica holds one of two shards: a second connection to one
	// shard is a duplicate session Discord (and the emulator) refuses.
	shard := func(id string) map[string]string { return map[string]string{"SHARD_COUNT": "2", "SHARD_IDS": id} }
	a := apptest.Start(t, apptest.Options{Modules: mods, HTTPInteractions: true, Env: shard("0")})
	b := apptest.Start(t, apptest.Options{Modules: mods, HTTPInteractions: true, Env: shard("1"), SharedSim: a.Sim,
		DatabaseURL: a.Env()["DATABASE_URL"]})
	rr := &roundRobin{}
	for _, h := range []*apptest.Harness{a, b} {
		u, err := url.Parse(h.InteractionsURL())
		if err != nil {
			t.Fatal(err)
		}
		rr.targets = append(rr.targets, u)
	}
	lb := httptest.NewServer(rr)
	t.Cleanup(lb.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Both replicas pass Discord's checks: one PING each, round robin.
	if _, err := a.Sim.SetInteractionsEndpoint(ctx, lb.URL+"/interactions"); err != nil {
		t.Fatal(err)
	}

	const n, workers = 24, 4
	member := a.Guild.MemberIDs[0]
	results := make(chan discordsim.InteractionResult, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n / workers {
				results <- a.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindCommand, UserID: member, Command: "hello"})
			}
		}()
	}
	wg.Wait()
	close(results)
	ids := map[string]bool{}
	for res := range results {
		if typ, content := responseOf(t, res.Response); res.Failed || typ != 4 || !strings.Contains(content, "said hello") {
			t.Fatalf("interaction %s: failed=%v answer %s", res.InteractionID, res.Failed, res.Response)
		}
		ids[res.InteractionID] = true
	}
	if len(ids) != n {
		t.Fatalf("%d distinct interactions answered, want %d", len(ids), n)
	}
	count := func() int {
		var c int
		if err := a.DB.Pool.QueryRow(ctx, `SELECT count FROM hello_greetings WHERE user_id = $1`, member).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if got := count(); got != n {
		t.Fatalf("greetings counted %d times for %d interactions", got, n)
	}

	// Each interaction went to exactly one replica, and both took their turn.
	perReplica := [2]int{}
	byID := map[string]int{}
	var captured delivery
	for _, d := range rr.deliveries() {
		var in struct {
			ID   string `json:"id"`
			Type int    `json:"type"`
		}
		if err := json.Unmarshal(d.body, &in); err != nil {
			t.Fatal(err)
		}
		if in.Type == discordsim.InteractionPing {
			continue
		}
		perReplica[d.replica]++
		byID[in.ID]++
		captured = d
	}
	if len(byID) != n || perReplica[0] == 0 || perReplica[1] == 0 {
		t.Fatalf("deliveries: %d interactions, per replica %v", len(byID), perReplica)
	}
	for id, times := range byID {
		if times != 1 || !ids[id] {
			t.Fatalf("interaction %s delivered %d times", id, times)
		}
	}
	if st := a.Sim.Stats(); st.InteractionsOverHTTP != n || st.ByRoute[callbackRoute] != 0 || st.InteractionsFailed != 0 {
		t.Fatalf("%d over HTTP, %d REST callbacks, %d failed interactions", st.InteractionsOverHTTP, st.ByRoute[callbackRoute], st.InteractionsFailed)
	}

	// Replays of a captured request and a forged body: 401 on both replicas.
	forged := bytes.Replace(captured.body, []byte(`"hello"`), []byte(`"config"`), 1)
	for i, h := range []*apptest.Harness{a, b} {
		for name, body := range map[string][]byte{"replayed": captured.body, "forged": forged} {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.InteractionsURL(), bytes.NewReader(body))
			req.Header = captured.header.Clone()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s request to replica %d: %d, want 401", name, i, resp.StatusCode)
			}
		}
	}
	if got := count(); got != n {
		t.Fatalf("greetings counted %d times after the replays, want %d", got, n)
	}
	t.Logf("interactions per replica: %v", perReplica)
}
