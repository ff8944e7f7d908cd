package restlimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disgoorg/disgo/rest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultSharedPerSecond is the deployment-wide budget: 92% of Discord's 50
// requests/s. Slots are spaced exactly 1/46 s apart and a send may leave up
// to one slot late, so any one second still holds at most about 47 sends
// at Discord; the projection benchmarks showed that 46 keeps every second
// under 50 even with CPU-starved processes (docs/benchmarks.md).
const DefaultSharedPerSecond = 46

// ErrBudgetUnavailable wraps the database error when the shared budget
// cannot be reached. Requests are then held (fail closed) for at most
// SharedOptions.OutageWait and fail with a *WaitError wrapping it.
var ErrBudgetUnavailable = errors.New("restlimit: shared REST budget unavailable")

const (
	// probeLease bounds how long a probe of an unknown bucket blocks the
	// bucket if its process dies before the response is recorded.
	probeLease = 10 * time.Second
	// windowMargin stretches a learned bucket window so network jitter
	// cannot squeeze one request too many into one of Discord's windows.
	windowMargin = 1.05
	// maxHorizon caps how far ahead a request without a deadline books.
	maxHorizon = time.Hour
	// learnTimeout bounds recording one response; a miss only costs
	// precision, the next response corrects it.
	learnTimeout = 5 * time.Second
	// Bucket rows unused for bucketForgetAfter are deleted at most every
	// sharedSweepEvery, by whichever process notices first.
	sharedSweepEvery  = 10 * time.Minute
	bucketForgetAfter = time.Hour
)

// SharedOptions tune a Shared budget. Zero values take the defaults.
type SharedOptions struct {
	// PerSecond is the global budget of the whole deployment. Default
	// DefaultSharedPerSecond.
	PerSecond float64
	// OutageWait is how long a request is held while the database cannot
	// be reached before Wait gives up with ErrBudgetUnavailable. Default 5 s.
	OutageWait time.Duration
}

// Shared is the REST budget every process of a deployment books from, kept
// in Postgres (migration 051_rest_budget.sql): one global schedule of send
// slots 1/PerSecond apart, and every per-route bucket learned from
// Discord's headers. Use it with WithShared. All times are the database's
// clock, so processes on different machines agree; a process only sleeps
// relative delays.
type Shared struct {
	pool       *pgxpool.Pool
	gap        time.Duration
	outageWait time.Duration

	mu        sync.Mutex
	gates     map[string]*keyGate
	lastSweep time.Time
	lastWarn  time.Time

	observeTake func(time.Duration) // benchmarks: the cost of one booking
}

// NewShared returns the budget stored in pool's database.
func NewShared(pool *pgxpool.Pool, o SharedOptions) *Shared {
	if o.PerSecond <= 0 {
		o.PerSecond = DefaultSharedPerSecond
	}
	if o.OutageWait <= 0 {
		o.OutageWait = 5 * time.Second
	}
	return &Shared{
		pool:       pool,
		gap:        time.Duration(float64(time.Second) / o.PerSecond),
		outageWait: o.OutageWait,
		gates:      map[string]*keyGate{},
	}
}

// grant is the answer of one booking attempt.
type grant struct {
	booked bool
	sendAt time.Time     // database clock: the slot, or when the request could go
	sendIn time.Duration // from the moment of asking until sendAt
	// retryIn is how long to wait before asking again when not booked.
	retryIn time.Duration
	scope   string    // ScopeGlobal or ScopeRoute: what held it back
	asked   time.Time // local clock when the answer arrived; sendIn counts from it
}

// take books one send of route (a bucket key; "" for none) at most
// maxAhead from now.
func (s *Shared) take(ctx context.Context, route string, maxAhead time.Duration) (grant, error) {
	s.maybeSweep(ctx)
	g := grant{asked: time.Now()}
	var sendIn, retryIn float64
	err := s.pool.QueryRow(ctx, `SELECT booked, send_at, extract(epoch FROM send_in)::float8, extract(epoch FROM retry_in)::float8, scope
		FROM core_rest_take($1, make_interval(secs => $2), make_interval(secs => $3), make_interval(secs => $4), $5)`,
		route, s.gap.Seconds(), min(maxAhead, maxHorizon).Seconds(), probeLease.Seconds(), windowMargin).
		Scan(&g.booked, &g.sendAt, &sendIn, &retryIn, &g.scope)
	if err != nil {
		return grant{}, fmt.Errorf("%w: book a send: %w", ErrBudgetUnavailable, err)
	}
	// Delays count from the answer: the time spent queuing for the
	// schedule's lock is already behind us, and measuring from the
	// question would make every slot at the head of the schedule look late.
	answered := time.Now()
	if s.observeTake != nil {
		s.observeTake(answered.Sub(g.asked))
	}
	g.asked = answered
	g.sendIn, g.retryIn = seconds(sendIn), seconds(retryIn)
	if g.scope == "" {
		g.scope = ScopeGlobal
	}
	return g, nil
}

// learn records what a response (nil: none arrived) said about route.
func (s *Shared) learn(route, hashKey string, info *respInfo) error {
	ctx, cancel := context.WithTimeout(context.Background(), learnTimeout)
	defer cancel()
	var (
		status                int
		global, anyHeader     bool
		limit, remaining      *int
		resetAfter, retryWait *float64
	)
	if info != nil {
		status, global, anyHeader = info.status, info.global, info.anyLimitHeader
		if info.hasLimit {
			limit = &info.limit
		}
		if info.hasRemaining {
			remaining = &info.remaining
		}
		if info.hasReset {
			r := info.resetAfter.Seconds()
			resetAfter = &r
		}
		r := info.retryAfter.Seconds()
		retryWait = &r
	}
	_, err := s.pool.Exec(ctx, `SELECT core_rest_learn($1, $2, $3, $4, $5, $6, make_interval(secs => $7), make_interval(secs => $8), $9)`,
		route, hashKey, status, global, limit, remaining, resetAfter, retryWait, anyHeader)
	if err != nil {
		return fmt.Errorf("%w: record a response: %w", ErrBudgetUnavailable, err)
	}
	return nil
}

// forgoShared records that the slot at (database clock) of key was given
// up unsent (core_rest_forgo): the send leaves the route's log and a probe
// is released, so the route is neither held back by a request Discord
// never saw nor blocked until the probe's lease expires.
func (l *Limiter) forgoShared(key, route string, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), learnTimeout)
	defer cancel()
	if _, err := l.shared.pool.Exec(ctx, `SELECT core_rest_forgo($1, $2)`, key, at); err != nil {
		l.log.Warn("given-up send slot not recorded in the shared REST budget", slog.String("route", route), slog.Any("error", err))
	}
}

// maybeSweep forgets buckets and route mappings nobody used for an hour.
func (s *Shared) maybeSweep(ctx context.Context) {
	s.mu.Lock()
	due := time.Since(s.lastSweep) >= sharedSweepEvery
	if due {
		s.lastSweep = time.Now()
	}
	s.mu.Unlock()
	if !due {
		return
	}
	// Best effort: a failure leaves a few stale rows for the next sweep.
	_, _ = s.pool.Exec(ctx, `WITH b AS (DELETE FROM core_rest_buckets
			WHERE seen_at < now() - make_interval(secs => $1) AND blocked_until < now())
		DELETE FROM core_rest_routes WHERE seen_at < now() - make_interval(secs => $1)`, bucketForgetAfter.Seconds())
}

// warnOutage reports whether an outage warning is due (one every 10 s).
func (s *Shared) warnOutage() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.lastWarn) < 10*time.Second {
		return false
	}
	s.lastWarn = time.Now()
	return true
}

// keyGate lets one request per bucket key and process ask the database at a
// time: the others would only learn the same "not yet" and multiply the
// queries of a busy channel by its waiters.
type keyGate struct {
	ch   chan struct{}
	refs int
}

// enter waits for key's gate; the returned func leaves it.
func (s *Shared) enter(ctx context.Context, key string) (leave func(), err error) {
	s.mu.Lock()
	g := s.gates[key]
	if g == nil {
		g = &keyGate{ch: make(chan struct{}, 1)}
		s.gates[key] = g
	}
	g.refs++
	s.mu.Unlock()
	drop := func() {
		s.mu.Lock()
		if g.refs--; g.refs == 0 {
			delete(s.gates, key)
		}
		s.mu.Unlock()
	}
	select {
	case g.ch <- struct{}{}:
		return func() { <-g.ch; drop() }, nil
	case <-ctx.Done():
		drop()
		return nil, ctx.Err()
	}
}

func seconds(f float64) time.Duration {
	if f <= 0 || math.IsNaN(f) {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

type maxWaitKey struct{}

// WithMaxWait returns a context telling the limiter not to hold the request
// back for longer than d. When the budget or the route's bucket cannot send
// it within d, Wait fails at once with a *WaitError whose Wait is the
// expected delay (resterr.RetryAfter), reserving nothing; a River job then
// snoozes instead of holding its worker. Unlike a context deadline, it does
// not bound the HTTP round trip itself.
func WithMaxWait(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, maxWaitKey{}, max(d, 0))
}

func maxWaitFrom(ctx context.Context) (time.Duration, bool) {
	d, ok := ctx.Value(maxWaitKey{}).(time.Duration)
	return d, ok
}

// waitShared books a non-exempt request from the Shared budget and sleeps
// until its slot, or uses the slot the context carries (WithSlot).
func (l *Limiter) waitShared(ctx context.Context, ep *rest.CompiledEndpoint, key, route string) error {
	if sl, ok := ctx.Value(slotKey{}).(*Slot); ok && sl.key == key && sl.used.CompareAndSwap(false, true) {
		if err := l.sleepFor(ctx, time.Until(sl.sendAt), route, ScopeGlobal); err != nil {
			l.forgoShared(key, route, sl.bookedAt)
			return err
		}
		late := time.Since(sl.sendAt)
		if late <= l.shared.gap {
			l.holdShared(ep)
			return nil
		}
		// Prepared too slowly (a starved process): as with a late wake-up
		// below, give the slot up rather than bunch with the next ones.
		l.log.Debug("request came too late for its booked slot; booking another", slog.String("route", route), slog.Duration("late", late))
		l.forgoShared(key, route, sl.bookedAt)
	}
	if _, _, err := l.bookShared(ctx, key, route, 0); err != nil {
		return err
	}
	l.holdShared(ep)
	return nil
}

// holdShared records an admitted request booked from the Shared budget, so
// Unlock reports its response there.
func (l *Limiter) holdShared(ep *rest.CompiledEndpoint) {
	l.mu.Lock()
	l.inflight++
	st := l.stateFor(ep)
	st.held = append(st.held, hold{shared: true})
	l.mu.Unlock()
}

// bookShared books a send of key from the Shared budget and sleeps until
// lead before its slot, which it returns on the local clock (sendAt) and as
// booked on the database's (bookedAt, for core_rest_forgo). The route's bucket
// is checked at the slot's time, so a request booked far ahead counts in
// the window it will really land in.
func (l *Limiter) bookShared(ctx context.Context, key, route string, lead time.Duration) (sendAt, bookedAt time.Time, err error) {
	limit, hasLimit := maxWaitFrom(ctx)
	var outageSince time.Time
	for {
		if err := ctx.Err(); err != nil {
			return time.Time{}, time.Time{}, &WaitError{Route: route, Scope: ScopeGlobal, Err: err}
		}
		ahead := maxHorizon
		if hasLimit {
			ahead = limit
		}
		if dl, ok := ctx.Deadline(); ok {
			ahead = min(ahead, time.Until(dl))
		}
		leave, err := l.shared.enter(ctx, key)
		if err != nil {
			return time.Time{}, time.Time{}, &WaitError{Route: route, Scope: ScopeRoute, Err: err}
		}
		g, err := l.shared.take(ctx, key, max(ahead, 0))
		leave()
		if err != nil {
			if ctx.Err() != nil {
				return time.Time{}, time.Time{}, &WaitError{Route: route, Scope: ScopeGlobal, Err: ctx.Err()}
			}
			// Fail closed: without the shared budget this process cannot
			// know what the others send.
			now := l.clock.Now()
			if outageSince.IsZero() {
				outageSince = now
			}
			if l.shared.warnOutage() {
				l.log.Warn("shared REST budget unreachable; holding Discord requests", slog.String("route", route), slog.Any("error", err))
			}
			left := l.shared.outageWait - now.Sub(outageSince)
			if left <= 0 {
				return time.Time{}, time.Time{}, &WaitError{Route: route, Scope: ScopeGlobal, Wait: time.Second, Err: err}
			}
			if err := l.sleepFor(ctx, min(left, 250*time.Millisecond), route, ScopeGlobal); err != nil {
				return time.Time{}, time.Time{}, err
			}
			continue
		}
		outageSince = time.Time{}
		if g.booked {
			sendAt = g.asked.Add(g.sendIn)
			if err := l.sleepFor(ctx, time.Until(sendAt.Add(-lead)), route, ScopeGlobal); err != nil {
				l.forgoShared(key, route, g.sendAt)
				return time.Time{}, time.Time{}, err
			}
			// Woken too late (a starved process): sending now would bunch
			// with the next slots, and with other processes doing the same
			// a second could exceed the ceiling. Give the slot up.
			if late := time.Since(sendAt); late > l.shared.gap {
				l.log.Debug("woke too late for the send slot; booking another", slog.String("route", route), slog.Duration("late", late))
				l.forgoShared(key, route, g.sendAt)
				continue
			}
			return sendAt, g.sendAt, nil
		}
		if g.sendIn > ahead {
			return time.Time{}, time.Time{}, &WaitError{Route: route, Scope: g.scope, Wait: g.sendIn, Err: context.DeadlineExceeded}
		}
		if err := l.sleepFor(ctx, max(g.retryIn, time.Millisecond), route, g.scope); err != nil {
			return time.Time{}, time.Time{}, err
		}
	}
}

// Slot is a send slot booked ahead from the Shared budget (Limiter.Book)
// for one request that is prepared only once its turn has come.
type Slot struct {
	limiter    *Limiter
	key, route string    // the bucket key and route label of the request it was booked for
	sendAt     time.Time // local clock
	bookedAt   time.Time // database clock, as booked (core_rest_forgo)
	used       atomic.Bool
}

// SendAt is the slot's time on the local clock.
func (s *Slot) SendAt() time.Time { return s.sendAt }

// Forgo gives the slot up if no request has used it, e.g. because the
// caller decided not to send after all. Defer it wherever a request may
// not follow: an unused slot that was its route's first request would
// otherwise hold the route back until the probe's lease expires. A nil or
// used slot is left alone.
func (s *Slot) Forgo() {
	if s != nil && s.used.CompareAndSwap(false, true) {
		s.limiter.forgoShared(s.key, s.route, s.bookedAt)
	}
}

type slotKey struct{}

// WithSlot returns a context whose request of the endpoint the slot was
// booked for is sent in that slot instead of booking another. Only the
// first such request uses it; a request of another route, a later one (a
// retry), or one that comes more than one slot (1/PerSecond) after the
// slot's time books as usual. A nil slot returns ctx.
func WithSlot(ctx context.Context, s *Slot) context.Context {
	if s == nil {
		return ctx
	}
	return context.WithValue(ctx, slotKey{}, s)
}

// Book books the next send slot for a request of ep from the Shared budget
// and sleeps until lead before it, for a caller that builds the request
// only then (a dashboard renders its newest state and sends it in the
// slot, instead of a snapshot taken before the wait). Pass the slot to the
// request with WithSlot, and defer Slot.Forgo in case none follows.
// It fails like Wait: a *WaitError, at once when WithMaxWait or the
// context's deadline cannot be met. Without a Shared budget, and for
// exempt endpoints, there is nothing to book: it returns nil and the
// request waits as usual.
func (l *Limiter) Book(ctx context.Context, ep *rest.CompiledEndpoint, lead time.Duration) (*Slot, error) {
	if l.shared == nil || isExempt(ep) {
		return nil, nil
	}
	key, route := keys(ep)
	sendAt, bookedAt, err := l.bookShared(ctx, key, route, lead)
	if err != nil {
		return nil, err
	}
	return &Slot{limiter: l, key: key, route: route, sendAt: sendAt, bookedAt: bookedAt}, nil
}

// sleepFor sleeps d, returning at once if d is not positive (l.sleep
// without a duration would wait for ctx alone).
func (l *Limiter) sleepFor(ctx context.Context, d time.Duration, route, scope string) error {
	if d <= 0 {
		return nil
	}
	return l.sleep(ctx, l.clock.Now(), d, nil, route, scope)
}
