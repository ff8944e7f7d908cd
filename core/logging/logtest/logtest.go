// Package logtest holds what tests use to capture output written from several
// goroutines at once: a logger's handler, a child process's stdout and
// stderr (os/exec copies each from its own goroutine), a CLI run in-process.
package logtest

import (
	"bytes"
	"sync"
)

// Buffer collects writes and reads them back; safe for concurrent use, so a
// test may read it while the code under test is still writing.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Reset forgets everything written so far, so a table test can read each
// case's output alone.
func (b *Buffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}
