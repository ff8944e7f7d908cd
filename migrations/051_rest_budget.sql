-- One REST budget for the whole deployment (core/discord/restlimit, shared.go).
-- Every request that counts against Discord's global limit, from any process,
-- books a slot here; per-route buckets learned from Discord's headers live
-- here too, so processes agree on them. Times are the database clock.

-- Row 0 is the global schedule: the next free send slot (slots are
-- 1/rate apart) and the end of a global 429 pause any process received.
CREATE TABLE core_rest_schedule (
    id           smallint    PRIMARY KEY CHECK (id = 0),
    next_at      timestamptz NOT NULL DEFAULT 'epoch',
    paused_until timestamptz NOT NULL DEFAULT 'epoch'
);
INSERT INTO core_rest_schedule (id) VALUES (0);

-- Discord shares one limit across routes that report the same
-- X-RateLimit-Bucket hash (for the same major parameters): route key ->
-- bucket key (hash + major parameters).
CREATE TABLE core_rest_routes (
    route   text        PRIMARY KEY,
    bucket  text        NOT NULL,
    seen_at timestamptz NOT NULL DEFAULT now()
);

-- One per-route bucket. lim is NULL until Discord's headers are known (then
-- one request at a time, the probe, holds probe_until), -1 for a route
-- without a per-route limit. sends holds the booked send times of the last
-- lim requests (probes included); a request is booked only if fewer than lim fall within
-- window_ms (the longest X-RateLimit-Reset-After seen, plus a margin) before
-- its slot: a sliding window, stricter than Discord's fixed one.
CREATE TABLE core_rest_buckets (
    bucket        text          PRIMARY KEY,
    lim           integer,
    window_ms     integer       NOT NULL DEFAULT 0,
    sends         timestamptz[] NOT NULL DEFAULT '{}',
    blocked_until timestamptz   NOT NULL DEFAULT 'epoch',
    probe_until   timestamptz   NOT NULL DEFAULT 'epoch',
    seen_at       timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX core_rest_buckets_seen ON core_rest_buckets (seen_at);
CREATE INDEX core_rest_routes_seen ON core_rest_routes (seen_at);

-- core_rest_take books a send of route p_route ('' : no per-route bucket):
-- the next global slot, if it lies at most p_max_ahead away and the route's
-- bucket has room at that slot. One statement, so one round trip; the
-- schedule row is locked first, so every caller takes locks in one order.
--
-- booked: the slot is reserved; send_in is how long until it.
-- Not booked: send_in estimates how long until the request could go, and
-- retry_in is how long to wait before asking again.
-- scope: 'global' or 'route', what held the request back.
CREATE FUNCTION core_rest_take(p_route text, p_gap interval, p_max_ahead interval, p_probe interval, p_margin double precision)
RETURNS TABLE (booked boolean, send_at timestamptz, send_in interval, retry_in interval, scope text)
LANGUAGE plpgsql AS $$
DECLARE
    v_now    timestamptz;
    v_at     timestamptz;
    v_key    text;
    v_win    interval;
    v_recent timestamptz[];
    v_free   timestamptz;
    b        core_rest_buckets%ROWTYPE;
    s        core_rest_schedule%ROWTYPE;
BEGIN
    SELECT * INTO STRICT s FROM core_rest_schedule WHERE id = 0 FOR UPDATE;
    -- The clock is read once the lock is held: a caller that queued for the
    -- lock must not get a slot that is already past.
    v_now := clock_timestamp();
    v_at := greatest(v_now, s.next_at, s.paused_until);
    IF v_at - v_now > p_max_ahead THEN
        RETURN QUERY SELECT false, v_at, v_at - v_now, v_at - v_now - p_max_ahead, 'global'::text;
        RETURN;
    END IF;

    IF p_route <> '' THEN
        v_key := coalesce((SELECT r.bucket FROM core_rest_routes r WHERE r.route = p_route), p_route);
        INSERT INTO core_rest_buckets (bucket) VALUES (v_key) ON CONFLICT DO NOTHING;
        SELECT * INTO STRICT b FROM core_rest_buckets WHERE bucket = v_key FOR UPDATE;
        v_free := NULL;
        IF b.blocked_until > v_at THEN
            v_free := b.blocked_until;
        ELSIF b.lim IS NULL AND b.probe_until > v_now THEN
            -- The probe's response will tell the limit; ask again a round
            -- trip after the probe was due to be sent.
            v_free := greatest(b.probe_until - p_probe, v_at) + interval '50 milliseconds';
        ELSIF b.lim IS NOT NULL AND b.lim >= 0 THEN
            v_win := make_interval(secs => greatest(b.window_ms, 1) * p_margin / 1000.0);
            SELECT coalesce(array_agg(t ORDER BY t), '{}') INTO v_recent FROM unnest(b.sends) t WHERE t > v_at - v_win;
            IF cardinality(v_recent) >= greatest(b.lim, 1) THEN
                v_free := v_recent[cardinality(v_recent) - greatest(b.lim, 1) + 1] + v_win;
            END IF;
        END IF;
        IF v_free IS NOT NULL THEN
            UPDATE core_rest_buckets SET seen_at = v_now WHERE bucket = v_key;
            RETURN QUERY SELECT false, v_free, v_free - v_now,
                greatest(v_free - v_at, interval '5 milliseconds'), 'route'::text;
            RETURN;
        END IF;
        IF b.lim IS NULL THEN
            -- The probe counts at Discord like any other send: log it, so the
            -- window it opens is full once the limit is known.
            UPDATE core_rest_buckets SET probe_until = v_at + p_probe, sends = (b.sends || v_at)[greatest(1, cardinality(b.sends) - 98):],
                seen_at = v_now WHERE bucket = v_key;
        ELSIF b.lim >= 0 THEN
            UPDATE core_rest_buckets SET sends = (v_recent || v_at)[greatest(1, cardinality(v_recent) + 2 - greatest(b.lim, 1)):],
                seen_at = v_now WHERE bucket = v_key;
        ELSE
            UPDATE core_rest_buckets SET seen_at = v_now WHERE bucket = v_key;
        END IF;
    END IF;

    UPDATE core_rest_schedule SET next_at = v_at + p_gap WHERE id = 0;
    RETURN QUERY SELECT true, v_at, v_at - v_now, interval '0', ''::text;
END
$$;

-- core_rest_learn records what one response said about its route (or, for a
-- global 429, about everything). p_status 0 means no response arrived: only
-- the probe is released. p_hash_key is Discord's bucket hash + major
-- parameters, '' when the response named none.
CREATE FUNCTION core_rest_learn(p_route text, p_hash_key text, p_status integer, p_global boolean,
    p_lim integer, p_remaining integer, p_reset_after interval, p_retry_after interval, p_any_header boolean)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_now timestamptz := clock_timestamp();
    v_key text;
    b     core_rest_buckets%ROWTYPE;
BEGIN
    IF p_global THEN
        UPDATE core_rest_schedule SET paused_until = greatest(paused_until, v_now + p_retry_after) WHERE id = 0;
    END IF;
    IF p_hash_key <> '' THEN
        IF NOT EXISTS (SELECT 1 FROM core_rest_routes r WHERE r.route = p_route AND r.bucket = p_hash_key) THEN
            -- First sighting of the route in this bucket: carry its state
            -- over, so the sends booked under the route key still count.
            INSERT INTO core_rest_buckets AS t (bucket, lim, window_ms, sends, blocked_until)
                SELECT p_hash_key, f.lim, f.window_ms, f.sends, f.blocked_until FROM core_rest_buckets f WHERE f.bucket = p_route
                ON CONFLICT (bucket) DO UPDATE SET
                    sends = (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(t.sends || EXCLUDED.sends) x),
                    blocked_until = greatest(t.blocked_until, EXCLUDED.blocked_until);
        END IF;
        INSERT INTO core_rest_routes (route, bucket) VALUES (p_route, p_hash_key)
            ON CONFLICT (route) DO UPDATE SET bucket = EXCLUDED.bucket, seen_at = v_now;
        v_key := p_hash_key;
    ELSE
        v_key := coalesce((SELECT r.bucket FROM core_rest_routes r WHERE r.route = p_route), p_route);
    END IF;
    INSERT INTO core_rest_buckets (bucket) VALUES (v_key) ON CONFLICT DO NOTHING;
    SELECT * INTO STRICT b FROM core_rest_buckets WHERE bucket = v_key FOR UPDATE;
    -- Every answer (or a failure without one) ends the probe.
    b.probe_until := 'epoch';
    IF p_lim IS NOT NULL THEN
        b.lim := p_lim;
    END IF;
    IF p_reset_after IS NOT NULL THEN
        -- Reset-After never exceeds the window, so the longest seen is the
        -- best lower bound of it.
        b.window_ms := greatest(b.window_ms, ceil(extract(epoch FROM p_reset_after) * 1000)::integer);
    END IF;
    IF p_status = 429 AND NOT p_global THEN
        b.blocked_until := greatest(b.blocked_until, v_now + p_retry_after);
        IF b.window_ms = 0 THEN
            b.window_ms := ceil(extract(epoch FROM p_retry_after) * 1000)::integer;
        END IF;
    ELSIF p_remaining = 0 AND p_reset_after IS NOT NULL THEN
        b.blocked_until := greatest(b.blocked_until, v_now + p_reset_after);
    ELSIF b.lim IS NULL AND p_status BETWEEN 200 AND 299 AND NOT p_any_header THEN
        b.lim := -1; -- no per-route limit
    END IF;
    IF b.lim IS NOT NULL AND b.lim >= 0 AND b.window_ms = 0 THEN
        b.window_ms := 1000; -- a limit without a reset time: assume one second
    END IF;
    UPDATE core_rest_buckets SET lim = b.lim, window_ms = b.window_ms, blocked_until = b.blocked_until,
        probe_until = b.probe_until, seen_at = v_now WHERE bucket = v_key;
END
$$;

-- Dashboards book only their per-channel pacing now; the global schedule
-- that lived in row 0 is core_rest_schedule.
DELETE FROM core_projection_pacing WHERE channel_id = 0;
