-- Per-guild raid settings (/config setting raid.*); a guild without a row uses
-- the defaults. Each raid copies them when it starts, so a change applies from
-- the next raid on.
CREATE TABLE raid_guild_settings (
    guild_id       bigint      PRIMARY KEY,
    daily_cap      integer     NOT NULL CHECK (daily_cap BETWEEN 1 AND 10000),
    offers_per_day integer     NOT NULL CHECK (offers_per_day BETWEEN 1 AND 10),
    goal           integer     NOT NULL CHECK (goal BETWEEN 1 AND 1000000),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     bigint
);
