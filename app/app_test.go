package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/logging/logtest"
	"github.com/together-bot/together/core/ops"
	"github.com/together-bot/together/discordsim"
)

// invoke runs the CLI in-process with the given environment.
func invoke(t testing.TB, ctx context.Context, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut logtest.Buffer
	env := &environment{stdout: &out, stderr: &errOut, getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
	code = run(ctx, env, args)
	return code, out.String(), errOut.String()
}

// migrated is a fresh schema migrated by `app migrate`: the variables that
// point the CLI at it, and the schema opened for the test's own reads and
// writes.
func migrated(t *testing.T) (map[string]string, *db.DB) {
	t.Helper()
	schema := dbtest.Schema(t)
	vars := map[string]string{"DATABASE_URL": schemaURL(t, schema)}
	if code, out, errOut := invoke(t, context.Background(), vars, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d: %s %s", code, out, errOut)
	}
	return vars, dbtest.Open(t, schema)
}

// cliStep is one `app` invocation of a scripted test and what it must answer.
type cliStep struct {
	args []string
	code int
	// want is text that stdout (exit 0) or stderr (any other exit) contains.
	want string
}

// step is a cliStep: `app args...` exits code with want in its output.
func step(code int, want string, args ...string) cliStep {
	return cliStep{args: args, code: code, want: want}
}

// runSteps runs the steps in order against vars and stops at the first
// that answers otherwise.
func runSteps(t *testing.T, vars map[string]string, steps ...cliStep) {
	t.Helper()
	for _, s := range steps {
		code, out, errOut := invoke(t, context.Background(), vars, s.args...)
		got := out
		if s.code != 0 {
			got = errOut
		}
		if code != s.code || !strings.Contains(got, s.want) {
			t.Fatalf("app %s: exit %d, stdout %q, stderr %q; want exit %d with %q",
				strings.Join(s.args, " "), code, out, errOut, s.code, s.want)
		}
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	code, out, _ := invoke(t, context.Background(), nil, "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for name := range subcommands {
		if !strings.Contains(out, "  "+name+" ") {
			t.Errorf("help misses %q:\n%s", name, out)
		}
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	cases := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"unknown command", nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown module", map[string]string{"DATABASE_URL": "postgres://x/y", "DISCORD_TOKEN": goodToken}, []string{"run", "--modules=karaoke"}, "unknown module(s) karaoke; valid modules:"},
		{"bad variable", map[string]string{"LOG_LEVEL": "loud"}, []string{"run"}, "LOG_LEVEL: must be"},
		{"bad flag", nil, []string{"run", "--no-such-flag"}, "flag provided but not defined"},
		{"schedules without subcommand", nil, []string{"schedules"}, "usage: app schedules"},
		{"run without database", map[string]string{"DISCORD_TOKEN": goodToken}, []string{"run"}, "DATABASE_URL is not set"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := invoke(t, context.Background(), tc.vars, tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, tc.want)
			}
		})
	}
}

// goodToken and wrongToken have Discord's token shape (the first part is the
// base64 of application id 1000); fakeDiscord accepts only goodToken.
var (
	goodToken  = discordsim.DefaultToken("1000")
	wrongToken = discordsim.DefaultToken("1000") + "-reset"
)

// fakeDiscord answers GET /users/@me and /applications/@me for one token, 401 otherwise.
func fakeDiscord(t *testing.T, token string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bot "+token {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"message":"401: Unauthorized","code":0}`))
			return
		}
		switch r.URL.Path {
		case "/api/v10/users/@me":
			_, _ = w.Write([]byte(`{"id":"1000","username":"together","discriminator":"0","bot":true}`))
			return
		case "/api/v10/applications/@me":
			_, _ = w.Write([]byte(`{"id":"1000","name":"together","bot":{"id":"1000","username":"together","discriminator":"0","bot":true}}`))
			return
		}
		w.WriteHeader(404)
		_, _ = w.Write([]byte(`{"message":"404: Not Found","code":0}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/v10"
}

func TestSmoke(t *testing.T) {
	t.Parallel()
	api := fakeDiscord(t, goodToken)
	base := map[string]string{"DATABASE_URL": schemaURL(t, dbtest.Schema(t)), "DISCORD_TOKEN": goodToken, "DISCORD_API_URL": api}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}

	// Before migrating: migrations, queue and schedules fail, each on its own line.
	code, out, _ := invoke(t, context.Background(), base, "smoke")
	for _, want := range []string{"ok   config", "ok   database", "FAIL migrations", "FAIL queue", "FAIL schedules", "ok   discord"} {
		if !strings.Contains(out, want) {
			t.Errorf("smoke before migrate: missing %q in\n%s", want, out)
		}
	}
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}

	if code, out, errOut := invoke(t, context.Background(), base, "migrate"); code != 0 {
		t.Fatalf("migrate exit %d: %s %s", code, out, errOut)
	}
	code, out, _ = invoke(t, context.Background(), base, "smoke")
	if code != 0 || strings.Contains(out, "FAIL") {
		t.Fatalf("smoke after migrate: exit %d\n%s", code, out)
	}

	for name, vars := range map[string]map[string]string{
		"FAIL discord":  with("DISCORD_TOKEN", wrongToken),
		"FAIL database": with("DATABASE_URL", "postgres://postgres@127.0.0.1:1/x?connect_timeout=1"),
		"FAIL config":   with("LOG_FORMAT", "xml"),
	} {
		code, out, _ := invoke(t, context.Background(), vars, "smoke")
		if code != 1 || !strings.Contains(out, name) {
			t.Errorf("want %q and exit 1, got %d:\n%s", name, code, out)
		}
	}
}

func TestSchedulesCommands(t *testing.T) {
	t.Parallel()
	vars, d := migrated(t)
	_, err := d.Pool.Exec(context.Background(), `INSERT INTO core_schedules (name, module, kind, spec, next_run_at) VALUES ('raid.weekly','raid','raid.weekly','0 * * * *', now())`)
	if err != nil {
		t.Fatal(err)
	}
	runSteps(t, vars,
		step(0, "raid.weekly disabled for every process", "schedules", "disable", "raid.weekly"),
		step(0, "disabled", "schedules", "list"),
		step(2, `unknown schedule "nope"`, "schedules", "enable", "nope"),
	)
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func getHealth(t testing.TB, addr string) (int, ops.Report, time.Duration) {
	start := time.Now()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, ops.Report{}, time.Since(start)
	}
	defer resp.Body.Close()
	var r ops.Report
	_ = json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode, r, time.Since(start)
}

// TestRunHealthThroughPostgresOutage boots the real process against a private
// Postgres, stops Postgres, starts it again, then shuts down with SIGTERM's path.
func TestRunHealthThroughPostgresOutage(t *testing.T) {
	t.Parallel()
	cluster := dbtest.NewCluster(t)
	addr := freeAddr(t)
	vars := map[string]string{"DATABASE_URL": cluster.URL(), "DISCORD_TOKEN": goodToken,
		"DISCORD_API_URL": fakeDiscord(t, goodToken), "HTTP_ADDR": addr, "LOG_LEVEL": "error"}
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() {
		code, _, errOut := invoke(t, ctx, vars, "run")
		if code != 0 {
			t.Logf("run stderr: %s", errOut)
		}
		exit <- code
	}()
	var report ops.Report
	dbtest.WaitUntil(t, 60*time.Second, "db and queue ok", func() bool {
		_, report, _ = getHealth(t, addr)
		return report.DB == "ok" && report.Queue == "ok"
	})
	if report.OK || report.Discord != "not_ready" {
		t.Fatalf("without a gateway the bot is not ready: %+v", report)
	}

	cluster.Stop()
	dbtest.WaitUntil(t, 30*time.Second, "db fail", func() bool {
		status, r, took := getHealth(t, addr)
		if took > 2*time.Second {
			t.Errorf("healthz took %s during the outage", took)
		}
		return status == 503 && r.DB == "fail" && r.Queue == "fail"
	})

	cluster.Start()
	dbtest.WaitUntil(t, 60*time.Second, "db ok again", func() bool {
		_, r, _ := getHealth(t, addr)
		return r.DB == "ok" && r.Queue == "ok"
	})

	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("graceful shutdown exited %d", code)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("process did not stop")
	}
}

func schemaURL(t testing.TB, schema string) string {
	url := dbtest.URL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return fmt.Sprintf("%s%ssearch_path=%s", url, sep, schema)
}

func TestQueueAndJobsCommands(t *testing.T) {
	t.Parallel()
	vars, _ := migrated(t)
	runSteps(t, vars,
		step(0, "core.schedule_tick", "jobs", "kinds"),
		step(0, "enqueued core.schedule_tick", "jobs", "send", "core.schedule_tick"),
		step(2, `unknown field "bogus"`, "jobs", "send", "core.schedule_tick", "--bogus=1"),
		step(2, "known kinds: core.schedule_tick", "jobs", "send", "no.such.kind"),
		step(0, "core.schedule_tick", "queue", "status"),
		step(0, "available", "queue", "status"),
		step(0, "retried 0", "jobs", "retry", "--kind=core.schedule_tick", "--state=discarded"),
		step(2, "want discarded, retryable or cancelled", "jobs", "retry", "--kind=x", "--state=running"),
	)
}

// TestFlagUsageNamesEachArgument guards `app run --help` against Go's flag
// package reading back-quoted words in a usage text as the argument's name.
func TestFlagUsageNamesEachArgument(t *testing.T) {
	for _, cmd := range []string{"run", "migrate", "smoke"} {
		code, _, usage := invoke(t, context.Background(), nil, cmd, "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		if strings.Contains(usage, "`") {
			t.Errorf("%s --help has a back quote, which garbles a flag's argument name:\n%s", cmd, usage)
		}
		for _, v := range config.Vars {
			line := "  -" + strings.ReplaceAll(strings.ToLower(v.Name), "_", "-") + " string\n"
			if !strings.Contains(usage, line) {
				t.Errorf("%s --help misses %q:\n%s", cmd, line, usage)
			}
		}
	}
	_, _, usage := invoke(t, context.Background(), nil, "run", "--help")
	for _, line := range []string{"  -sim\n", "  -no-migrate\n"} {
		if !strings.Contains(usage, line) {
			t.Errorf("run --help misses %q:\n%s", line, usage)
		}
	}
}
