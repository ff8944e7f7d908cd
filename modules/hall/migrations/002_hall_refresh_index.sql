-- The tick's "not refreshed for an hour" page (dueGuilds) reads live cards
-- oldest-refreshed first.
CREATE INDEX hall_cards_refresh ON hall_cards (refreshed_at) WHERE status = 'live';
