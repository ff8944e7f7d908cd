package logtest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/together-bot/together/core/logging/logtest"
)

// TestBufferKeepsConcurrentWrites: every write from many goroutines arrives
// whole, and reading while they write is safe (run with -race).
func TestBufferKeepsConcurrentWrites(t *testing.T) {
	t.Parallel()
	var b logtest.Buffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				_, _ = fmt.Fprintf(&b, "w%d-%d\n", i, j)
				_ = b.String()
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 8*50 {
		t.Fatalf("%d lines, want %d", len(lines), 8*50)
	}
	for i := range 8 {
		if !strings.Contains(b.String(), fmt.Sprintf("w%d-49\n", i)) {
			t.Errorf("writer %d's last line is missing", i)
		}
	}
}

func TestBufferResetForgetsEarlierWrites(t *testing.T) {
	t.Parallel()
	var b logtest.Buffer
	_, _ = b.Write([]byte("before"))
	b.Reset()
	_, _ = b.Write([]byte("after"))
	if got := b.String(); got != "after" {
		t.Fatalf("String() = %q, want %q", got, "after")
	}
}
