package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/together-bot/together/core/logging/logtest"
	"github.com/together-bot/together/discordsim"
)

func TestSimFlagsRefuseBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"sim", "--rate-message-create=5"},
		{"sim", "--rate-default=0/5s"},
		{"sim", "--rate-message-edit=5/soon"},
		{"sim", "--rate-global=0"},
		{"sim", "--request-log-size=0"},
		{"sim", "--request-log-body=-1"},
	} {
		code, _, errOut := invoke(t, context.Background(), nil, args...)
		if code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
}

// TestSimFlagsConfigureTheEmulator starts `app sim` with tight limits and a
// small body limit and checks the emulator obeys them.
func TestSimFlagsConfigureTheEmulator(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut logtest.Buffer
	env := &environment{stdout: &out, stderr: &errOut, getenv: func(string) (string, bool) { return "", false }}
	done := make(chan int)
	go func() {
		done <- run(ctx, env, []string{"sim", "--addr=127.0.0.1:0", "--rate-message-create=1/1m", "--request-log-body=10", "--request-log-size=5"})
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("app sim exit %d: %s", code, errOut.String())
		}
	}()
	var api, base string
	deadline := time.Now().Add(10 * time.Second)
	for api == "" && time.Now().Before(deadline) {
		for _, line := range strings.Split(out.String(), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "DISCORD_API_URL="); ok {
				api = v
			}
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "playground: "); ok {
				base = strings.TrimSuffix(v, "/playground/")
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if api == "" || base == "" {
		t.Fatalf("no API or playground URL printed: %q", out.String())
	}
	var demo struct {
		ChannelIDs map[string]string `json:"channel_ids"`
	}
	_, after, _ := strings.Cut(out.String(), "demo guild: ")
	if err := json.Unmarshal([]byte(after), &demo); err != nil {
		t.Fatalf("demo ids: %v in %q", err, out.String())
	}
	post := func() int {
		req, _ := http.NewRequest("POST", api+"/channels/"+demo.ChannelIDs["general"]+"/messages", strings.NewReader(`{"content":"a message longer than ten bytes"}`))
		req.Header.Set("Authorization", "Bot "+discordsim.DefaultToken(discordsim.DefaultAppID))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if first, second := post(), post(); first != 200 || second != 429 {
		t.Fatalf("with --rate-message-create=1/1m: %d then %d, want 200 then 429", first, second)
	}
	res, err := http.Get(base + "/_sim/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var reqs []discordsim.RequestRecord
	if err := json.NewDecoder(res.Body).Decode(&reqs); err != nil {
		t.Fatal(err)
	}
	if len(reqs) == 0 || !reqs[0].BodyTruncated || len(reqs[0].Body) != 10 {
		t.Fatalf("request log with --request-log-body=10: %+v", reqs)
	}
}
