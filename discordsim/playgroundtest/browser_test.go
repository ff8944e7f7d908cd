// Package playgroundtest drives the emulator's browser playground in a real
// headless Chromium (chromedp), with the real bot behind the emulator.
package playgroundtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/together-bot/together/discordsim"
)

// chromiumPath finds Debian's chromium (or another Chrome). Without one the
// browser tests skip, except in CI (CI set), where they must run.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("browser tests: no chromium on PATH and CI is set; `make browser` installs it (apt-get install chromium)")
	}
	t.Skip("browser tests skipped: no chromium on PATH (`make browser` installs it; in CI this fails instead)")
	return ""
}

// playgroundAt is the playground's URL opened as user on a guild's channel
// (the page's #g=&c=&u= fragment).
func playgroundAt(srv *discordsim.Server, guildID, channelID, userID string) string {
	return fmt.Sprintf("%s#g=%s&c=%s&u=%s", srv.PlaygroundURL(), guildID, channelID, userID)
}

// browser is one headless Chromium shared by a test's tabs.
type browser struct {
	t      *testing.T
	ctx    context.Context
	cancel context.CancelFunc
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // root in CI: Chromium's sandbox refuses to run as root
		chromedp.DisableGPU,
		chromedp.WindowSize(1600, 900),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	b := &browser{t: t, ctx: ctx, cancel: func() { cancel(); cancelAlloc() }}
	t.Cleanup(b.cancel)
	return b
}

// tab is one page, acting as one member. On failure of the test that
// opened it, it saves a screenshot and the console log.
type tab struct {
	t    *testing.T
	name string
	ctx  context.Context

	mu      sync.Mutex
	console []string
}

func (b *browser) tab(t *testing.T, name, url string) *tab {
	t.Helper()
	tb := &tab{t: t, name: name}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(func(ev any) {
		var line string
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				v := a.Description // objects and errors
				if len(a.Value) > 0 {
					v = strings.Trim(a.Value.String(), `"`)
				}
				args = append(args, v)
			}
			line = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
		case *runtime.EventExceptionThrown:
			line = "exception: " + ev.ExceptionDetails.Text
			if ex := ev.ExceptionDetails.Exception; ex != nil {
				line += " " + ex.Description
			}
		default:
			return
		}
		tb.mu.Lock()
		tb.console = append(tb.console, line)
		tb.mu.Unlock()
	}))
	tb.ctx = ctx
	// The first run opens the tab, which lives as long as that run's
	// context: never one with a timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("open tab %s: %v", name, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			tb.saveFailure()
		}
		cancel()
	})
	tb.run(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)))
	return tb
}

// saveFailure writes <dir>/<tab>.png and <tab>-console.log and prints dir.
func (tb *tab) saveFailure() {
	dir := os.Getenv("PLAYGROUND_FAILURE_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "playground-failures", strings.ReplaceAll(tb.t.Name(), "/", "_"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Logf("failure artifacts: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
		tb.t.Logf("tab %s: screenshot: %v", tb.name, err)
	} else if err := os.WriteFile(filepath.Join(dir, tb.name+".png"), png, 0o644); err != nil {
		tb.t.Logf("tab %s: screenshot: %v", tb.name, err)
	}
	tb.mu.Lock()
	log := strings.Join(tb.console, "\n")
	tb.mu.Unlock()
	_ = os.WriteFile(filepath.Join(dir, tb.name+"-console.log"), []byte(log+"\n"), 0o644)
	tb.t.Logf("tab %s: screenshot and console log saved in %s", tb.name, dir)
}

// run runs actions with a deadline, failing the test on error.
func (tb *tab) run(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("tab %s: %v", tb.name, err)
	}
}

// eval evaluates JavaScript and decodes its result.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.t.Fatalf("tab %s: %s: %v", tb.name, js, err)
	}
	return v
}

// waitText waits until an element matching sel contains text.
func (tb *tab) waitText(sel, text string) {
	tb.t.Helper()
	js := fmt.Sprintf(`[...document.querySelectorAll(%q)].some(e => e.textContent.includes(%q))`, sel, text)
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		tb.t.Fatalf("tab %s: no %s containing %q: %v", tb.name, sel, text, err)
	}
}

// has reports whether an element matching sel contains text now.
func (tb *tab) has(sel, text string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`[...document.querySelectorAll(%q)].some(e => e.textContent.includes(%q))`, sel, text))
}

// openChannel clicks the sidebar channel called name once it is visible.
func (tb *tab) openChannel(name string) {
	tb.t.Helper()
	tb.waitText("#channels .channel", name)
	eval[any](tb, fmt.Sprintf(`[...document.querySelectorAll("#channels .channel")].find(e => e.textContent === %q).click()`, name))
	tb.waitText("#channel-name", name)
}

// command runs a slash command through the command bar: type it, pick the
// suggestion, fill the options (by option name), press Run.
func (tb *tab) command(path string, options map[string]string) {
	tb.t.Helper()
	eval[any](tb, `document.querySelector("#command-input").value = ""`)
	tb.run(
		chromedp.SendKeys(chromedp.CSS("#command-input"), "/"+path),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#command-suggestions .suggestion[data-path=%q]`, path))),
	)
	for name, value := range options {
		sel := "#opt-" + name
		if eval[string](tb, fmt.Sprintf(`document.querySelector(%q).tagName`, sel)) == "SELECT" {
			js := `(() => { const s = document.querySelector(%q); s.value = %q; return s.value === %q })()`
			if !eval[bool](tb, fmt.Sprintf(js, sel, value, value)) {
				tb.t.Fatalf("tab %s: /%s option %s offers no %q", tb.name, path, name, value)
			}
			continue
		}
		tb.run(chromedp.SendKeys(chromedp.CSS(sel), value))
	}
	tb.run(chromedp.Click(chromedp.CSS("#command-run")))
}

// screenshot writes the viewport to path.
func (tb *tab) screenshot(path string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}
