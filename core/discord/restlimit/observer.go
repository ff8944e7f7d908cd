package restlimit

import "time"

// Observer receives rate-limit events so the ops layer can export metrics.
// Methods are called synchronously on the request path, outside the
// limiter's locks; keep them cheap. A nil Observer is fine.
type Observer interface {
	// OnRequest is called for every response Discord (or the edge) returned.
	// route is the low-cardinality template, e.g.
	// "POST /channels/{channel.id}/messages". Requests that got no response
	// (network errors, failed disgo checks) are not reported, because the
	// limiter cannot tell the two apart.
	OnRequest(route string, status int)
	// On429 is called for every 429, with the Scope* value and how long the
	// affected requests will now be held back.
	On429(route, scope string, retryAfter time.Duration)
}
