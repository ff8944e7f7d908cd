// Package scripts_test checks the shell scripts behind make's Postgres targets:
// `make pg-stop` must stop the server `make run` and `make test` leave running,
// as root and as an ordinary user, and fail loudly when it cannot.
package scripts_test

import (
	"crypto/md5"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/together-bot/together/core/logging/logtest"
)

// pgRun runs scripts/localpg.sh (or make with a target) with TOGETHER_PGDIR set,
// as runAs when it is not empty (the test must then be root).
type pgRun struct {
	dir   string // TOGETHER_PGDIR
	runAs string
	// path replaces PATH: Debian keeps initdb and pg_ctl out of it.
	path string
}

func (p pgRun) run(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	out, _, err := p.runSplit(t, name, args...)
	return out, err
}

// runSplit keeps stdout apart, for the URL localpg.sh prints there.
func (p pgRun) runSplit(t *testing.T, name string, args ...string) (combined, stdout string, err error) {
	t.Helper()
	env := []string{"TOGETHER_PGDIR=" + p.dir, "TOGETHER_PGDB=together", "PATH=" + p.path, "HOME=/tmp"}
	cmdArgs := append([]string{name}, args...)
	if p.runAs != "" {
		cmdArgs = append([]string{"runuser", "-u", p.runAs, "--", "env"}, append(env, cmdArgs...)...)
	} else {
		cmdArgs = append([]string{"env"}, append(env, cmdArgs...)...)
	}
	cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...)
	cmd.Dir = ".."
	// os/exec copies stdout and stderr from two goroutines, so the
	// combined buffer takes a lock.
	var all logtest.Buffer
	var out strings.Builder
	cmd.Stdout = io.MultiWriter(&all, &out)
	cmd.Stderr = &all
	err = cmd.Run()
	return all.String(), out.String(), err
}

// debianPath is a stock PATH without PostgreSQL's server tools.
const debianPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

func requirePostgres(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("psql"); err != nil {
		t.Fatalf("psql not found: install PostgreSQL (see README's prerequisites)")
	}
}

// newPGDir makes a TOGETHER_PGDIR that owner can write and everyone can reach.
func newPGDir(t *testing.T, owner string) string {
	t.Helper()
	parent, err := os.MkdirTemp("", "together-localpg-test-")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "pg")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	if owner != "" {
		if out, err := exec.Command("chown", owner, dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	t.Cleanup(func() {
		_ = os.RemoveAll(parent)
		_ = os.RemoveAll(fallbackDir(dir))
	})
	return dir
}

// fallbackDir is where localpg.sh puts the data when postgres cannot write dir.
func fallbackDir(dir string) string {
	return fmt.Sprintf("/tmp/together-pg-%x", md5.Sum([]byte(dir+"\n")))[:len("/tmp/together-pg-")+8]
}

func startStop(t *testing.T, p pgRun) {
	t.Helper()
	all, url, err := p.runSplit(t, "scripts/localpg.sh")
	if err != nil {
		t.Fatalf("start: %v\n%s", err, all)
	}
	url = strings.TrimSpace(url)
	t.Cleanup(func() { _, _ = p.run(t, "scripts/localpg.sh", "stop") })
	if out, err := exec.Command("psql", url, "-tAc", "select 1").CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Fatalf("the printed URL %s does not answer: %v %s", url, err, out)
	}
	if out, _ := p.run(t, "scripts/localpg.sh", "status"); !strings.Contains(out, "localpg: running") {
		t.Fatalf("status after start: %s", out)
	}
	// make pg-stop is the command the README gives.
	out, err := p.run(t, "make", "-s", "pg-stop")
	if err != nil || !strings.Contains(out, "localpg: stopped Postgres in") {
		t.Fatalf("make pg-stop: %v\n%s", err, out)
	}
	if out, err := exec.Command("psql", url, "-tAc", "select 1").CombinedOutput(); err == nil {
		t.Fatalf("Postgres still answers after make pg-stop: %s", out)
	}
	if out, err := p.run(t, "make", "-s", "pg-stop"); err != nil || !strings.Contains(out, "is not running") {
		t.Fatalf("make pg-stop on a stopped server: %v\n%s", err, out)
	}
}

// TestPGStopAsCurrentUser starts and stops the local Postgres as whoever runs
// the tests (root: the server runs as postgres, its data may fall back to /tmp).
func TestPGStopAsCurrentUser(t *testing.T) {
	requirePostgres(t)
	t.Parallel()
	dir := newPGDir(t, "")
	if os.Geteuid() == 0 {
		// A private parent, as with a checkout under /root: postgres cannot write
		// there, so localpg.sh falls back to /tmp, and pg-stop must find it there.
		if err := os.Chmod(filepath.Dir(dir), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	startStop(t, pgRun{dir: dir, path: debianPath})
}

// TestPGStopAsOrdinaryUser runs the same as an unprivileged user with a
// Debian PATH, and checks that user cannot stop root's server and says so.
func TestPGStopAsOrdinaryUser(t *testing.T) {
	requirePostgres(t)
	if os.Geteuid() != 0 {
		t.Skip("running as an ordinary user already: TestPGStopAsCurrentUser covers it")
	}
	if _, err := user.Lookup("nobody"); err != nil {
		t.Fatalf("no unprivileged user to run as: %v", err)
	}
	if err := exec.Command("runuser", "-u", "nobody", "--", "test", "-x", "../scripts/localpg.sh").Run(); err != nil {
		t.Skip("this checkout is private to root, so no other user can run its scripts; run the tests as an ordinary user in a checkout of their own")
	}
	t.Parallel()
	startStop(t, pgRun{dir: newPGDir(t, "nobody"), runAs: "nobody", path: debianPath})

	// Root's server (run as postgres) cannot be stopped by nobody: a loud failure.
	dir := newPGDir(t, "")
	root := pgRun{dir: dir, path: debianPath}
	if out, err := root.run(t, "scripts/localpg.sh"); err != nil {
		t.Fatalf("start as root: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = root.run(t, "scripts/localpg.sh", "stop") })
	out, err := pgRun{dir: dir, runAs: "nobody", path: debianPath}.run(t, "make", "-s", "pg-stop")
	if err == nil || !strings.Contains(out, "belongs to postgres") {
		t.Fatalf("make pg-stop as nobody on root's server: want a failure naming the owner, got %v\n%s", err, out)
	}
}
