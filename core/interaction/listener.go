package interaction

import (
	"sync/atomic"

	"github.com/disgoorg/disgo/bot"
)

// Listener is the bot.EventListener given to the gateway. It forwards to the
// Router once attached. It exists on its own because the gateway is built
// before the REST client the Router needs (the runtime's REST metrics depend
// on the gateway), so the Router itself cannot be a gateway dependency.
type Listener struct {
	r atomic.Pointer[Router]
}

// NewListener returns an unattached listener.
func NewListener() *Listener { return &Listener{} }

// Attach starts forwarding events to r.
func (l *Listener) Attach(r *Router) { l.r.Store(r) }

// OnEvent implements bot.EventListener; events before Attach are dropped
// (the gateway is started after fx invokes run, so none are expected).
func (l *Listener) OnEvent(e bot.Event) {
	if r := l.r.Load(); r != nil {
		r.OnEvent(e)
	}
}
