-- core_rest_forgo undoes the route side of a booking given up unsent (a
-- process woke, or its request was ready, more than one slot late): the
-- send time leaves its bucket's log, so the route is not held back by a
-- request Discord never saw, and a probe (limit still unknown) is released
-- instead of blocking the route for its lease. The global slot is not
-- returned; later slots are booked already. p_at is the slot as
-- core_rest_take returned it (send_at).
CREATE FUNCTION core_rest_forgo(p_route text, p_at timestamptz)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_key text;
BEGIN
    v_key := coalesce((SELECT r.bucket FROM core_rest_routes r WHERE r.route = p_route), p_route);
    UPDATE core_rest_buckets SET sends = array_remove(sends, p_at),
        probe_until = CASE WHEN lim IS NULL THEN 'epoch'::timestamptz ELSE probe_until END
    WHERE bucket = v_key;
END
$$;
