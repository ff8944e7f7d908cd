package discordsim

import (
	"sync"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// idGenerator mints real-structured snowflakes: the timestamp comes from the
// server clock and the low 12 bits carry an increment so that ids minted in
// the same millisecond stay unique and ordered.
type idGenerator struct {
	mu     sync.Mutex
	now    func() time.Time
	lastMS int64
	seq    uint64
}

func (g *idGenerator) next() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	ms := g.now().UnixMilli()
	if ms <= g.lastMS {
		// Same (or an earlier, with a fake clock) millisecond: keep ids
		// monotonic by bumping the sequence, rolling into the next ms.
		g.seq++
		if g.seq > 0xFFF {
			g.lastMS++
			g.seq = 0
		}
		ms = g.lastMS
	} else {
		g.lastMS = ms
		g.seq = 0
	}
	base := snowflake.New(time.UnixMilli(ms))
	return snowflake.ID(uint64(base) | g.seq).String()
}

// snowflakeLess orders two ids as numbers: snowflakes have no leading zeros,
// so a shorter id is the smaller one and ids of one length compare as text.
func snowflakeLess(a, b string) bool { return len(a) < len(b) || len(a) == len(b) && a < b }
