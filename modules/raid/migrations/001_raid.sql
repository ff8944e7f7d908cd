-- The quest library shipped with the module, upserted by key at run time
-- (library.go); an operator may set active = false to retire a quest.
CREATE TABLE raid_quests (
    key        text        PRIMARY KEY CHECK (key ~ '^[a-z0-9_]{1,40}$'),
    category   text        NOT NULL,
    difficulty text        NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    points     int         NOT NULL CHECK (points BETWEEN 1 AND 100),
    text_en    text        NOT NULL,
    text_ru    text        NOT NULL,
    active     boolean     NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One raid per guild and week. The week is the guild-local Monday
-- (week_start) in the zone recorded at start, so a later timezone change
-- never moves a running raid's days.
CREATE TABLE raid_raids (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id       bigint      NOT NULL,
    channel_id     bigint      NOT NULL,
    timezone       text        NOT NULL,
    week_start     date        NOT NULL,
    ends_at        timestamptz NOT NULL,
    goal           int         NOT NULL CHECK (goal > 0),
    -- progress is only ever moved by "progress + applied" under the row
    -- lock, so it always equals the sum of raid_claims.applied.
    progress       int         NOT NULL DEFAULT 0 CHECK (progress >= 0),
    daily_cap      int         NOT NULL CHECK (daily_cap > 0),
    offers_per_day int         NOT NULL CHECK (offers_per_day > 0),
    status         text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    -- Set once, by the confirm that reaches the goal.
    completed_at   timestamptz,
    -- The guild-local day the dashboard and panels last showed; the
    -- frequent step re-renders them when the day changes.
    shown_day      date,
    auto           boolean     NOT NULL DEFAULT false,
    created_by     bigint,
    created_at     timestamptz NOT NULL DEFAULT now(),
    ended_at       timestamptz,
    ended_by       bigint,
    CHECK ((status = 'ended') = (ended_at IS NOT NULL))
);

-- The database, not a check-then-insert, keeps one active raid per guild.
CREATE UNIQUE INDEX raid_raids_one_active ON raid_raids (guild_id) WHERE status = 'active';
CREATE INDEX raid_raids_guild_week ON raid_raids (guild_id, week_start);

-- Today's offers, frozen on first use so a library change mid-day cannot
-- change what pairs see.
CREATE TABLE raid_offers (
    raid_id    bigint      NOT NULL REFERENCES raid_raids (id),
    day        date        NOT NULL,
    quest_keys text[]      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (raid_id, day)
);

CREATE TABLE raid_claims (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    raid_id        bigint      NOT NULL REFERENCES raid_raids (id),
    guild_id       bigint      NOT NULL,
    pair_id        bigint      NOT NULL,
    day            date        NOT NULL,
    quest_key      text        NOT NULL REFERENCES raid_quests (key),
    points         int         NOT NULL CHECK (points > 0),
    requested_by   bigint      NOT NULL,
    status         text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed')),
    -- Points that counted: less than points when the daily cap cut it.
    applied        int         NOT NULL DEFAULT 0 CHECK (applied BETWEEN 0 AND points),
    confirmed_by   bigint,
    confirmed_at   timestamptz,
    -- Delivery of the confirm prompt to the pair's room.
    prompt_status  text        NOT NULL DEFAULT 'pending' CHECK (prompt_status IN ('pending', 'sent', 'failed')),
    prompt_message bigint,
    prompt_tries   int         NOT NULL DEFAULT 0,
    prompt_error   text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (raid_id, pair_id, day, quest_key),
    CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL)),
    CHECK (confirmed_by IS NULL OR confirmed_by <> requested_by)
);
CREATE INDEX raid_claims_guild_confirmed ON raid_claims (guild_id, confirmed_at) WHERE status = 'confirmed';
CREATE INDEX raid_claims_prompt_pending ON raid_claims (created_at) WHERE status = 'pending' AND prompt_status = 'pending';

-- The per-pair, per-day ledger whose row lock serialises confirms and
-- enforces the daily cap (claims.go).
CREATE TABLE raid_pair_days (
    raid_id  bigint NOT NULL REFERENCES raid_raids (id),
    pair_id  bigint NOT NULL,
    day      date   NOT NULL,
    guild_id bigint NOT NULL,
    points   int    NOT NULL DEFAULT 0 CHECK (points >= 0),
    PRIMARY KEY (raid_id, pair_id, day)
);
CREATE INDEX raid_pair_days_pair ON raid_pair_days (raid_id, pair_id);
