package apptest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/ops"
)

func get(t *testing.T, url, user, pass string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestE2EBootStopRestart: the bot connects through gateway discovery, reports
// ready, serves metrics and an authenticated River UI, stops and comes back.
func TestE2EBootStopRestart(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Env: map[string]string{"RIVERUI_USER": "ops", "RIVERUI_PASSWORD": "pw"}})
	code, body := get(t, h.HTTPURL()+"/healthz", "", "")
	var r ops.Report
	if err := json.Unmarshal([]byte(body), &r); err != nil || code != 200 || !r.OK || r.Discord != "ready" {
		t.Fatalf("healthz %d %s", code, body)
	}
	if code, body := get(t, h.HTTPURL()+"/metrics", "", ""); code != 200 || !strings.Contains(body, `together_gateway_shard_ready{shard="0"} 1`) {
		t.Fatalf("metrics %d:\n%s", code, body)
	}
	if code, _ := get(t, h.HTTPURL()+"/riverui/", "", ""); code != 401 {
		t.Fatalf("river ui without credentials: %d", code)
	}
	if code, _ := get(t, h.HTTPURL()+"/riverui/", "ops", "pw"); code != 200 {
		t.Fatalf("river ui with credentials: %d", code)
	}
	h.Stop()
	h.Boot()
}
