package main

// Docs that run: every shell block in docs/ marked <!-- walkthrough --> is
// executed with bash against a real bot (`app run --sim`, what `make run`
// starts), after the export lines the bot prints at start. Each "# → " line
// under a command is that command's output, "…" standing for anything.

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/logging/logtest"
	"github.com/together-bot/together/discordsim"
)

const walkthroughMarker = "<!-- walkthrough -->"

// walkthrough is one marked block: its commands, each with the output the doc shows.
type walkthrough struct {
	doc   string
	line  int // of the opening fence
	steps []walkStep
	// exampleVars are the variables the doc's ```text examples export.
	exampleVars []string
}

type walkStep struct {
	command string
	want    []string // "# → " lines, in order; empty when the doc shows no output
}

func TestE2EDocWalkthroughs(t *testing.T) {
	apptest.SkipUnderRace(t)
	t.Parallel()
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the doc walkthroughs need %s (see README's prerequisites): %v", tool, err)
		}
	}
	docs, err := filepath.Glob("../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../docs/modules/*.md")
	var walks []walkthrough
	for _, doc := range append(append(docs, more...), "../README.md") {
		w, err := readWalkthroughs(doc)
		if err != nil {
			t.Fatal(err)
		}
		walks = append(walks, w...)
	}
	if len(walks) == 0 {
		t.Fatal("no " + walkthroughMarker + " block in docs/; docs/emulator.md has one")
	}
	for _, w := range walks {
		t.Run(fmt.Sprintf("%s:%d", filepath.Base(w.doc), w.line), func(t *testing.T) {
			exports := startBotForWalkthrough(t)
			checkExampleVars(t, w, exports)
			runWalkthrough(t, w, exports)
		})
	}
}

// readWalkthroughs parses the marked blocks of one markdown file.
func readWalkthroughs(path string) ([]walkthrough, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(raw), "\n")
	var exampleVars []string
	var out []walkthrough
	inText := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "```text"):
			inText = true
		case inText && strings.HasPrefix(l, "```"):
			inText = false
		case inText && strings.HasPrefix(l, "export "):
			exampleVars = append(exampleVars, exportedNames(l)...)
		}
		if strings.TrimSpace(l) != walkthroughMarker {
			continue
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```sh") {
			return nil, fmt.Errorf("%s:%d: %s must be followed by a ```sh block", path, i+1, walkthroughMarker)
		}
		w := walkthrough{doc: path, line: i + 2}
		for i += 2; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			l := lines[i]
			switch {
			case strings.HasPrefix(l, "# → "):
				if len(w.steps) == 0 {
					return nil, fmt.Errorf("%s:%d: output shown before any command", path, i+1)
				}
				last := &w.steps[len(w.steps)-1]
				last.want = append(last.want, strings.TrimPrefix(l, "# → "))
			case strings.TrimSpace(l) == "", strings.HasPrefix(strings.TrimSpace(l), "#"):
			default:
				w.steps = append(w.steps, walkStep{command: l})
			}
		}
		out = append(out, w)
	}
	for i := range out {
		out[i].exampleVars = exampleVars
	}
	return out, nil
}

func exportedNames(line string) []string {
	var names []string
	for _, f := range strings.Fields(strings.TrimPrefix(line, "export ")) {
		if name, _, ok := strings.Cut(f, "="); ok {
			names = append(names, name)
		}
	}
	return names
}

// startBotForWalkthrough runs `app run --sim` on a fresh schema and returns
// the export lines it prints, once the bot is ready and its commands are registered.
func startBotForWalkthrough(t *testing.T) []string {
	t.Helper()
	var out, errOut logtest.Buffer
	vars := map[string]string{"DATABASE_URL": schemaURL(t, dbtest.Schema(t)), "HTTP_ADDR": freeAddr(t), "LOG_LEVEL": "error"}
	env := &environment{stdout: &out, stderr: &errOut, getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() { exit <- run(ctx, env, []string{"run", "--sim"}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-exit:
			if code != 0 {
				t.Errorf("app run exited %d:\n%s", code, errOut.String())
			}
		case <-time.After(90 * time.Second):
			t.Error("app run did not stop")
		}
	})
	var exports []string
	dbtest.WaitUntil(t, 60*time.Second, "app run prints its export lines", func() bool {
		exports = nil
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(l, "export ") {
				exports = append(exports, l)
			}
		}
		return strings.Contains(out.String(), "export HEALTH=")
	})
	values := map[string]string{}
	for _, l := range exports {
		for _, f := range strings.Fields(strings.TrimPrefix(l, "export ")) {
			if k, v, ok := strings.Cut(f, "="); ok {
				values[k] = v
			}
		}
	}
	client := &http.Client{Timeout: 5 * time.Second}
	dbtest.WaitUntil(t, 60*time.Second, "bot ready with its commands registered", func() bool {
		resp, err := client.Get(values["HEALTH"])
		if err != nil {
			return false
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false
		}
		req, _ := http.NewRequest(http.MethodGet, values["SIM"]+"/api/v10/applications/"+discordsim.DefaultAppID+"/commands", nil)
		req.Header.Set("Authorization", "Bot "+values["TOKEN"])
		resp, err = client.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
		return resp.StatusCode == http.StatusOK && strings.Contains(b.String(), `"name":"duel"`)
	})
	return exports
}

// checkExampleVars keeps the doc's sample of the printed lines honest: the
// same variables, no more, no fewer.
func checkExampleVars(t *testing.T, w walkthrough, exports []string) {
	t.Helper()
	var printed []string
	for _, l := range exports {
		printed = append(printed, exportedNames(l)...)
	}
	sort.Strings(printed)
	shown := append([]string(nil), w.exampleVars...)
	sort.Strings(shown)
	if strings.Join(printed, " ") != strings.Join(shown, " ") {
		t.Errorf("%s shows the variables %v, app run prints %v", w.doc, shown, printed)
	}
}

func runWalkthrough(t *testing.T, w walkthrough, exports []string) {
	t.Helper()
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for _, l := range exports {
		script.WriteString(l + "\n")
	}
	for i, s := range w.steps {
		fmt.Fprintf(&script, "printf '\\n@@step %d\\n'\n%s\n", i, s.command)
	}
	fmt.Fprintf(&script, "printf '\\n@@step %d\\n'\n", len(w.steps))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	outputs := map[int][]string{}
	reached := -1
	for _, l := range strings.Split(stdout.String(), "\n") {
		if n, ok := strings.CutPrefix(l, "@@step "); ok {
			reached, _ = strconv.Atoi(n)
			continue
		}
		if reached >= 0 && strings.TrimSpace(l) != "" {
			outputs[reached] = append(outputs[reached], l)
		}
	}
	if runErr != nil || reached != len(w.steps) {
		failed := "?"
		if reached >= 0 && reached < len(w.steps) {
			failed = w.steps[reached].command
		}
		t.Fatalf("%s:%d: the walkthrough stopped (%v) at:\n  %s\noutput: %s\nstderr: %s", w.doc, w.line, runErr, failed,
			strings.Join(outputs[reached], "\n"), stderr.String())
	}
	for i, s := range w.steps {
		if len(s.want) == 0 {
			continue
		}
		got := strings.Join(outputs[i], "\n")
		if !shownOutput(s.want).MatchString(got) {
			t.Errorf("%s: the output of\n  %s\nis\n  %s\nbut the doc shows\n  %s", w.doc, s.command, got, strings.Join(s.want, "\n  "))
		}
	}
}

// shownOutput matches what the doc shows, "…" standing for any text.
func shownOutput(want []string) *regexp.Regexp {
	parts := strings.Split(strings.Join(want, "\n"), "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`(?s)\A` + strings.Join(parts, ".*?") + `\z`)
}
