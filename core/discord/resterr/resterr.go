// Package resterr classifies errors returned by the disgo REST client so
// callers (River jobs in particular) can decide between retrying, snoozing
// and giving up.
//
// It deliberately depends only on disgo's rest package so that any package,
// including core/discord/restlimit, can import it without cycles.
//
// Three outcomes matter to a caller:
//
//   - rate limited: RetryAfter reports how long Discord (or the local limiter)
//     asked us to wait. Snooze the job for that long instead of burning an
//     attempt.
//   - transient: 429, 5xx, request timeouts and network failures. Retry with
//     capped exponential backoff and jitter (see Backoff and Retry; River
//     already does this for jobs that return the error).
//   - permanent: any other 4xx, e.g. 10003 Unknown Channel, 10008 Unknown
//     Message, 50001 Missing Access, 50013 Missing Permissions. Retrying the
//     same request cannot succeed; cancel the job.
//
// Errors that are none of the above (marshalling bugs, discord.ErrCheckFailed,
// ...) report false from every predicate.
package resterr

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/disgoorg/disgo/rest"
)

// RetryAfterer is implemented by errors that know how long the caller should
// wait before trying again. restlimit.WaitError implements it; it is an
// interface here so resterr does not import restlimit.
type RetryAfterer interface {
	RetryAfter() time.Duration
}

// RetryAfter reports how long to wait before retrying a request that failed
// because of a rate limit. It understands:
//
//   - *rest.Error with status 429, which is what disgo returns once the
//     limiter's MaxRetries are exhausted. The JSON body's fractional
//     retry_after is preferred; the Retry-After and X-RateLimit-Reset-After
//     headers are fallbacks.
//   - any error in the chain implementing RetryAfterer with a positive
//     duration (restlimit.WaitError, returned when the caller's context ends
//     while the limiter is holding the request back).
//
// ok is false when err is not a rate-limit failure or no duration is known.
func RetryAfter(err error) (d time.Duration, ok bool) {
	if err == nil {
		return 0, false
	}
	var ra RetryAfterer
	if errors.As(err, &ra) {
		if d := ra.RetryAfter(); d > 0 {
			return d, true
		}
	}
	var re *rest.Error
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusTooManyRequests {
		return retryAfterFrom(re.RsBody, re.Response.Header)
	}
	return 0, false
}

func retryAfterFrom(body []byte, h http.Header) (time.Duration, bool) {
	var payload struct {
		RetryAfter *float64 `json:"retry_after"`
	}
	if json.Unmarshal(body, &payload) == nil && payload.RetryAfter != nil && *payload.RetryAfter > 0 {
		return Seconds(*payload.RetryAfter), true
	}
	for _, name := range []string{"Retry-After", "X-RateLimit-Reset-After"} {
		if v := h.Get(name); v != "" {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 {
				return Seconds(f), true
			}
		}
	}
	return 0, false
}

// Seconds converts Discord's fractional seconds to a Duration without the
// truncation disgo applies (0.9 must stay 900ms, not become 0).
func Seconds(f float64) time.Duration {
	if f <= 0 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// IsRateLimited reports whether err is a Discord 429 or a local rate-limit
// wait that was abandoned (see RetryAfterer).
func IsRateLimited(err error) bool {
	if StatusCode(err) == http.StatusTooManyRequests {
		return true
	}
	var ra RetryAfterer
	return errors.As(err, &ra)
}

// StatusCode returns the HTTP status of a *rest.Error in err's chain, or 0.
func StatusCode(err error) int {
	var re *rest.Error
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}

// Code returns the Discord JSON error code of a *rest.Error in err's chain.
// ok is false when there is no *rest.Error or Discord sent no code.
func Code(err error) (code rest.JSONErrorCode, ok bool) {
	var re *rest.Error
	if errors.As(err, &re) && re.Code != 0 {
		return re.Code, true
	}
	return 0, false
}

// transientCodes are JSON codes Discord sends for conditions that clear up by
// themselves even though they may arrive with a 4xx status.
var transientCodes = map[rest.JSONErrorCode]bool{
	rest.JSONErrorCodeAPIResourceOverloaded:        true, // 130000
	rest.JSONErrorCodeIndexNotYetAvailable:         true, // 110000
	rest.JSONErrorCodeServiceResourceRateLimited:   true, // 40062
	rest.JSONErrorCodeChannelWriteRateLimit:        true, // 20028
	rest.JSONErrorCodeServerWriteRateLimit:         true, // 20029
	rest.JSONErrorCodeOpeningDirectMessagesTooFast: true, // 40003
}

// IsTransient reports whether retrying the same request later may succeed:
// rate limits, 5xx, 408, Discord's "overloaded"-style JSON codes, timeouts
// and network failures. context.Canceled is not transient: somebody decided
// to stop, and retrying would override that decision.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	// Checked before context.Canceled: a limiter wait abandoned because the
	// job's context ended is still a rate-limit condition worth snoozing on.
	if IsRateLimited(err) {
		return true
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var re *rest.Error
	if errors.As(err, &re) {
		if transientCodes[re.Code] {
			return true
		}
		if re.Response == nil {
			return false
		}
		s := re.Response.StatusCode
		return s >= 500 || s == http.StatusRequestTimeout
	}
	// Network layer. disgo wraps the *url.Error from http.Client.Do with %w,
	// so these are reachable through the chain.
	var ne net.Error
	switch {
	case errors.As(err, &ne): // includes timeouts and context.DeadlineExceeded
		return true
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return false
}

// IsPermanent reports whether Discord rejected the request in a way that
// retrying cannot fix: any 4xx other than 408/429 and the rate-limit-like
// JSON codes treated as transient. Typical examples are 10003 Unknown
// Channel, 10004 Unknown Guild, 10008 Unknown Message, 50001 Missing Access
// and 50013 Missing Permissions.
func IsPermanent(err error) bool {
	var re *rest.Error
	if !errors.As(err, &re) || re.Response == nil || transientCodes[re.Code] {
		return false
	}
	s := re.Response.StatusCode
	return s >= 400 && s < 500 && s != http.StatusTooManyRequests && s != http.StatusRequestTimeout
}

// IsUnknownResource reports whether the target no longer exists (or never
// did): 404 or one of Discord's 100xx "Unknown ..." codes. Jobs usually treat
// this as "nothing left to do" rather than as a failure.
func IsUnknownResource(err error) bool {
	if c, ok := Code(err); ok {
		return c >= 10001 && c <= 10999
	}
	return StatusCode(err) == http.StatusNotFound
}

// IsForbidden reports whether the bot lacks access or permissions
// (50001 Missing Access, 50013 Missing Permissions, or a bare 403).
func IsForbidden(err error) bool {
	if c, ok := Code(err); ok {
		return c == rest.JSONErrorCodeMissingAccess || c == rest.JSONErrorCodeLackPermissionsToPerformAction
	}
	return StatusCode(err) == http.StatusForbidden
}
