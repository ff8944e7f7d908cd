package ratelimit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Header names, canonicalised the way net/http stores them.
const (
	HeaderLimit      = "X-Ratelimit-Limit"
	HeaderRemaining  = "X-Ratelimit-Remaining"
	HeaderReset      = "X-Ratelimit-Reset"
	HeaderResetAfter = "X-Ratelimit-Reset-After"
	HeaderBucket     = "X-Ratelimit-Bucket"
	HeaderGlobal     = "X-Ratelimit-Global"
	HeaderScope      = "X-Ratelimit-Scope"
	HeaderRetryAfter = "Retry-After"
)

// bucketHash is the opaque X-RateLimit-Bucket value of a "METHOD /route"
// key. It depends on the route only (not the major id, not the token) and is
// stable across processes, as Discord's bucket hashes are.
func bucketHash(routeKey string) string {
	sum := sha256.Sum256([]byte(routeKey))
	return hex.EncodeToString(sum[:16])
}

// formatSeconds renders seconds with millisecond precision, as Discord does
// for X-RateLimit-Reset and X-RateLimit-Reset-After.
func formatSeconds(s float64) string {
	return strconv.FormatFloat(s, 'f', 3, 64)
}

// formatEpoch renders a time as epoch seconds with millisecond precision,
// computed in integers: a float64 epoch would lose the last digits.
func formatEpoch(t time.Time) string {
	ms := t.UnixMilli()
	return strconv.FormatInt(ms/1000, 10) + "." + fmt.Sprintf("%03d", ms%1000)
}

// roundMillis rounds seconds to milliseconds for the JSON retry_after. A
// refusal always has time left, so it never rounds down to zero: a client
// told to wait 0 would retry immediately into the same 429.
func roundMillis(s float64) float64 { return max(math.Round(s*1000)/1000, 0.001) }

// retryAfterHeader is the integer Retry-After value: whole seconds, rounded
// up so a client that obeys it never retries early.
func retryAfterHeader(s float64) string {
	return strconv.FormatInt(int64(math.Ceil(s)), 10)
}

// bucketHeader builds the headers every response of a route bucket carries.
func bucketHeader(limit, remaining int, reset, now time.Time, hash string) http.Header {
	h := http.Header{}
	h.Set(HeaderLimit, strconv.Itoa(limit))
	h.Set(HeaderRemaining, strconv.Itoa(remaining))
	h.Set(HeaderReset, formatEpoch(reset))
	h.Set(HeaderResetAfter, formatSeconds(seconds(reset.Sub(now))))
	h.Set(HeaderBucket, hash)
	return h
}

// routeRefusal is a per-route 429: bucket headers plus Retry-After and
// scope=user.
func routeRefusal(limit int, reset, now time.Time, hash string) Result {
	wait := roundMillis(seconds(reset.Sub(now)))
	h := bucketHeader(limit, 0, reset, now, hash)
	h.Set(HeaderRetryAfter, retryAfterHeader(wait))
	h.Set(HeaderScope, ScopeUser)
	return Result{Scope: ScopeUser, RetryAfter: wait, Header: h}
}

// globalRefusal is a global 429. Discord sends no bucket headers with it:
// the refusal is not attributable to any route.
func globalRefusal(wait time.Duration) Result {
	s := roundMillis(seconds(wait))
	h := http.Header{}
	h.Set(HeaderRetryAfter, retryAfterHeader(s))
	h.Set(HeaderGlobal, "true")
	h.Set(HeaderScope, ScopeGlobal)
	return Result{Global: true, Scope: ScopeGlobal, RetryAfter: s, Header: h}
}

// tooManyRequestsBody is Discord's 429 JSON body.
type tooManyRequestsBody struct {
	Message    string  `json:"message"`
	RetryAfter float64 `json:"retry_after"`
	Global     bool    `json:"global"`
}

// WriteTooManyRequests writes res as Discord's 429 response: res.Header,
// status 429 and the JSON body {"message","retry_after","global"}.
func WriteTooManyRequests(w http.ResponseWriter, res Result) {
	for k, vs := range res.Header {
		w.Header()[k] = append([]string(nil), vs...)
	}
	w.Header().Set("Content-Type", "application/json")
	body, err := json.Marshal(tooManyRequestsBody{
		Message:    "You are being rate limited.",
		RetryAfter: res.RetryAfter,
		Global:     res.Global,
	})
	if err != nil {
		// Marshalling a struct of a string, a float and a bool cannot fail
		// unless RetryAfter is NaN or Inf, which Acquire never produces.
		panic("ratelimit: encoding 429 body: " + err.Error())
	}
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write(body)
}
