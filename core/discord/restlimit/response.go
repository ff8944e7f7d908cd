package restlimit

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/together-bot/together/core/discord/resterr"
)

// respInfo is what the limiter learns from one response.
type respInfo struct {
	status int
	hash   string

	limit, remaining       int
	hasLimit, hasRemaining bool
	resetAfter             time.Duration
	hasReset               bool
	anyLimitHeader         bool
	retryAfter             time.Duration // 429 only
	scope                  string        // 429 only
	global                 bool          // 429 only: pause all non-exempt requests
	bad                    []string      // malformed headers, for debug logs
}

func parseResponse(rs *http.Response, clock Clock) *respInfo {
	h := rs.Header // reading a nil Header is fine
	info := &respInfo{status: rs.StatusCode, hash: header(h, "X-Ratelimit-Bucket")}
	intHeader := func(name string) (int, bool) {
		v := header(h, name)
		if v == "" {
			return 0, false
		}
		info.anyLimitHeader = true
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			info.bad = append(info.bad, name)
			return 0, false
		}
		return n, true
	}
	floatHeader := func(name string) (float64, bool) {
		v := header(h, name)
		if v == "" {
			return 0, false
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			info.bad = append(info.bad, name)
			return 0, false
		}
		return f, true
	}
	info.limit, info.hasLimit = intHeader("X-Ratelimit-Limit")
	info.remaining, info.hasRemaining = intHeader("X-Ratelimit-Remaining")
	// Reset-After is relative, so immune to clock skew, and fractional;
	// prefer it over the absolute Reset epoch.
	if f, ok := floatHeader("X-Ratelimit-Reset-After"); ok {
		info.resetAfter, info.hasReset = resterr.Seconds(f), true
		info.anyLimitHeader = true
	} else if f, ok := floatHeader("X-Ratelimit-Reset"); ok {
		info.anyLimitHeader = true
		sec := int64(f)
		at := time.Unix(sec, int64((f-float64(sec))*float64(time.Second)))
		info.resetAfter, info.hasReset = max(0, at.Sub(clock.Now())), true
	}
	if info.hash != "" {
		info.anyLimitHeader = true
	}
	if rs.StatusCode == http.StatusTooManyRequests {
		parse429(rs, info, floatHeader)
	}
	return info
}

// parse429 fills retryAfter, scope and global. It reads the body but puts an
// equivalent one back, because disgo reads it after Unlock to build its
// *rest.Error.
func parse429(rs *http.Response, info *respInfo, floatHeader func(string) (float64, bool)) {
	h := rs.Header
	var body struct {
		RetryAfter *float64 `json:"retry_after"`
		Global     bool     `json:"global"`
	}
	discordJSON := false
	if rs.Body != nil && rs.Body != http.NoBody {
		buf, _ := io.ReadAll(io.LimitReader(rs.Body, max429Body))
		rs.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(buf), rs.Body), closer: rs.Body}
		ct, _, _ := mime.ParseMediaType(header(h, "Content-Type"))
		if err := json.Unmarshal(buf, &body); err == nil && (ct == "application/json" || body.RetryAfter != nil) {
			discordJSON = true
		}
	}

	switch {
	case body.RetryAfter != nil && *body.RetryAfter > 0:
		info.retryAfter = resterr.Seconds(*body.RetryAfter)
	default:
		if f, ok := floatHeader("Retry-After"); ok && f > 0 {
			info.retryAfter = resterr.Seconds(f)
		} else if info.hasReset && info.resetAfter > 0 {
			info.retryAfter = info.resetAfter
		} else {
			info.retryAfter = fallbackRetryAfter
		}
	}

	scope := strings.ToLower(header(h, "X-Ratelimit-Scope"))
	switch {
	case body.Global || strings.EqualFold(header(h, "X-Ratelimit-Global"), "true") || scope == ScopeGlobal:
		info.scope, info.global = ScopeGlobal, true
	case !discordJSON && info.hash == "" && scope == "":
		// Not Discord's JSON and no Discord rate-limit headers: an edge
		// (Cloudflare) block, which applies to everything we send.
		info.scope, info.global = ScopeCloudflare, true
	case scope != "":
		info.scope = scope
	default:
		info.scope = ScopeUser
	}
}

// header reads a header by its canonical key. net/http canonicalises
// response header keys, so indexing the map directly skips the
// canonicalisation (and allocation) that Header.Get does for Discord's
// mixed-case "X-RateLimit-*" spellings. Callers pass canonical keys.
func header(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

type replayBody struct {
	io.Reader
	closer io.Closer
}

func (r *replayBody) Close() error { return r.closer.Close() }
