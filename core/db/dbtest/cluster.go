package dbtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Cluster is a throwaway Postgres server a test may stop and start, for outage
// drills that must not disturb the shared server.
type Cluster struct {
	t    testing.TB
	dir  string
	port int
}

// NewCluster initialises and starts a private server; it is removed at cleanup.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	base, err := os.MkdirTemp("", "together-pgcluster-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, dir: base, port: freePort(t)}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root; the server runs as postgres.
		if out, err := exec.Command("chown", "postgres", base).CombinedOutput(); err != nil {
			t.Fatalf("chown %s: %v %s", base, err, out)
		}
	}
	c.pg(t, "initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	c.Start()
	t.Cleanup(func() {
		_ = c.pgErr("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
		_ = os.RemoveAll(base)
	})
	return c
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// URL points at the cluster's postgres database.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=2", c.port)
}

// Start (re)starts the server on its port.
func (c *Cluster) Start() {
	c.t.Helper()
	c.pg(c.t, "pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir), "start")
}

// Stop shuts the server down at once, as an outage would.
func (c *Cluster) Stop() {
	c.t.Helper()
	c.pg(c.t, "pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
}

func (c *Cluster) pg(t testing.TB, name string, args ...string) {
	t.Helper()
	if err := c.pgErr(name, args...); err != nil {
		t.Fatal(err)
	}
}

func (c *Cluster) pgErr(name string, args ...string) error {
	bin, err := pgBinary(name)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(context.Background(), bin, args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func pgBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return "", fmt.Errorf("%s not found: install PostgreSQL", name)
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, p, _ := net.SplitHostPort(l.Addr().String())
	port, _ := strconv.Atoi(p)
	return port
}

// WaitUntil polls cond every 20 ms until it holds or the timeout passes.
func WaitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
