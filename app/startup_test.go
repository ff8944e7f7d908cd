package main

// The start-up table of docs/operations.md is this test's output: each
// misconfiguration is run through `app run`, and the exit code and last line
// it produces must be the ones the doc shows. UPDATE_DOCS=1 rewrites the table.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/discordsim/simtest"
)

const startupDoc = "../docs/operations.md"

type startupCase struct {
	problem string
	// shown is the setting as the table shows it.
	shown string
	vars  map[string]string
	args  []string
}

func TestStartupFailuresTable(t *testing.T) {
	t.Parallel()
	sim := simtest.New(t, discordsim.Options{})

	pg, err := url.Parse(dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	dbURL := func(user, path, query string) string {
		return fmt.Sprintf("postgres://%s@%s/%s?%s", user, pg.Host, path, query)
	}
	good := dbtest.URL(t)
	onSim := func(extra map[string]string) map[string]string {
		m := map[string]string{"DATABASE_URL": good, "DISCORD_TOKEN": sim.Token(), "DISCORD_API_URL": sim.APIURL(),
			"HTTP_ADDR": freeAddr(t), "LOG_LEVEL": "error"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []startupCase{
		{"no Discord token", "DISCORD_TOKEN unset, no --sim", map[string]string{"DATABASE_URL": good, "LOG_LEVEL": "error"}, nil},
		{"malformed token", "DISCORD_TOKEN=x", onSim(map[string]string{"DISCORD_TOKEN": "x"}), nil},
		{"padded base64 in the token", "DISCORD_TOKEN=MTMwMDAwMDAwMDAwMDAwMDAwMQ==.GSimTk.sim-token",
			onSim(map[string]string{"DISCORD_TOKEN": "MTMwMDAwMDAwMDAwMDAwMDAwMQ==.GSimTk.sim-token"}), nil},
		{"token Discord rejects (401)", "DISCORD_TOKEN=<a reset token>", onSim(map[string]string{"DISCORD_TOKEN": sim.Token() + "-reset"}), nil},
		{"application id not the token's", "DISCORD_APP_ID=1300000000000000002", onSim(map[string]string{"DISCORD_APP_ID": "1300000000000000002"}), nil},
		{"no database", "DATABASE_URL unset", map[string]string{"LOG_LEVEL": "error"}, []string{"--sim"}},
		{"unknown database", "DATABASE_URL=postgres://postgres@HOST/nosuchdb?password=hunter2",
			map[string]string{"DATABASE_URL": dbURL("postgres", "nosuchdb", "password=hunter2&sslmode=disable"), "HTTP_ADDR": freeAddr(t), "LOG_LEVEL": "error"}, []string{"--sim"}},
		{"database refuses the user", "DATABASE_URL=postgres://nosuchuser:hunter2@HOST/together",
			map[string]string{"DATABASE_URL": dbURL("nosuchuser:hunter2", "together", "sslmode=disable"), "HTTP_ADDR": freeAddr(t), "LOG_LEVEL": "error"}, []string{"--sim"}},
		{"/metrics open to the network", "HTTP_ADDR=0.0.0.0:8080", onSim(map[string]string{"HTTP_ADDR": "0.0.0.0:8080"}), nil},
		{"interactions endpoint without a public key", "INTERACTIONS_ADDR=0.0.0.0:8090, DISCORD_PUBLIC_KEY unset",
			onSim(map[string]string{"INTERACTIONS_ADDR": freeAddr(t)}), nil},
		{"malformed public key", "DISCORD_PUBLIC_KEY=abc", onSim(map[string]string{"INTERACTIONS_ADDR": freeAddr(t), "DISCORD_PUBLIC_KEY": "abc"}), nil},
		{"public key of another application", "DISCORD_PUBLIC_KEY=<another application's key>",
			onSim(map[string]string{"INTERACTIONS_ADDR": freeAddr(t), "DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32)}), nil},
	}
	hostPort := regexp.MustCompile(regexp.QuoteMeta(pg.Host))
	var rows []string
	for _, tc := range cases {
		code, _, errOut := invoke(t, context.Background(), tc.vars, append([]string{"run"}, tc.args...)...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		last := hostPort.ReplaceAllString(lines[len(lines)-1], "HOST")
		if code != 2 {
			t.Errorf("%s: exit %d, want 2; stderr:\n%s", tc.problem, code, errOut)
		}
		if strings.Contains(errOut, "hunter2") || strings.Contains(errOut, sim.Token()) {
			t.Errorf("%s: a secret is printed:\n%s", tc.problem, errOut)
		}
		if !strings.HasPrefix(last, "app run: ") {
			t.Errorf("%s: the last line is not the error: %q", tc.problem, last)
		}
		rows = append(rows, fmt.Sprintf("| %s | `%s` | %d | `` %s `` |", tc.problem, tc.shown, code, strings.ReplaceAll(last, "|", `\|`)))
	}
	table := "| Problem | Setting | Exit | Last line |\n|---|---|---|---|\n" + strings.Join(rows, "\n") + "\n"
	checkGeneratedSection(t, startupDoc, "startup-table", table)
}

// checkGeneratedSection compares the text between <!-- name:begin --> and
// <!-- name:end --> in a doc with want; UPDATE_DOCS=1 writes want there instead.
func checkGeneratedSection(t *testing.T, path, name, want string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	doc := string(raw)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", path, begin, end)
	}
	got := doc[i+len(begin) : j]
	if got == want {
		return
	}
	if os.Getenv("UPDATE_DOCS") == "1" {
		if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's %s section is out of date (UPDATE_DOCS=1 go test ./app -run %s rewrites it); want:\n%s\ngot:\n%s", path, name, t.Name(), want, got)
}

// TestRunAndSmokeMaskSecrets: a password in the database URL's query and the
// token never reach the output, in app run's first log line or in app smoke.
func TestRunAndSmokeMaskSecrets(t *testing.T) {
	t.Parallel()
	withPassword := dbtest.URL(t) + "&password=hunter2"
	if !strings.Contains(dbtest.URL(t), "?") {
		withPassword = dbtest.URL(t) + "?password=hunter2"
	}
	vars := map[string]string{"DATABASE_URL": withPassword, "DISCORD_TOKEN": wrongToken, "DISCORD_API_URL": fakeDiscord(t, goodToken),
		"HTTP_ADDR": freeAddr(t), "LOG_LEVEL": "debug"}
	code, out, errOut := invoke(t, context.Background(), vars, "run")
	if code != 2 || !strings.Contains(errOut, "password=xxxxx") || !strings.Contains(errOut, "DISCORD_TOKEN: rejected by Discord") {
		t.Fatalf("run: exit %d, want 2 with the masked URL logged and the token named:\n%s", code, errOut)
	}
	_, smokeOut, smokeErr := invoke(t, context.Background(), vars, "smoke")
	for _, text := range []string{out, errOut, smokeOut, smokeErr} {
		if strings.Contains(text, "hunter2") || strings.Contains(text, wrongToken) {
			t.Errorf("a secret is printed:\n%s", text)
		}
	}
	if !strings.Contains(smokeOut, "password=xxxxx") {
		t.Errorf("smoke does not show the masked URL:\n%s", smokeOut)
	}
}
