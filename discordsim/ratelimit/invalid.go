package ratelimit

import "net/http"

// countsAsInvalid reports whether Discord counts a response toward the
// invalid-request limit: 401, 403, and 429 except those with scope=shared
// (a shared-resource limit is not the client's fault).
func countsAsInvalid(status int, scope string) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return true
	case http.StatusTooManyRequests:
		return scope != ScopeShared
	}
	return false
}

// RecordStatus counts the response status sent to token toward the invalid
// request limit. scope is the X-RateLimit-Scope of a 429, empty otherwise.
func (l *Limiter) RecordStatus(token string, status int, scope string) {
	if !countsAsInvalid(status, scope) {
		return
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	w := lookup(l.invalid, token)
	w.roll(now, l.cfg.InvalidWindow)
	w.count++
}

// InvalidCount is the number of invalid responses token received in its
// current InvalidWindow.
func (l *Limiter) InvalidCount(token string) int {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.invalid[token]
	if !ok || w.expired(now) {
		return 0
	}
	return w.count
}

// InvalidExceeded reports whether token has reached InvalidLimit in its
// current window, the point at which Discord would temporarily ban it.
func (l *Limiter) InvalidExceeded(token string) bool {
	return l.InvalidCount(token) >= l.cfg.InvalidLimit
}
