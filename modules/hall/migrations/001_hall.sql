-- Consent: a member's opt-in to be named in one category's ranking. A pair
-- is named only when both members have a row for that category.
CREATE TABLE hall_optins (
    guild_id   bigint      NOT NULL,
    user_id    bigint      NOT NULL,
    category   text        NOT NULL CHECK (category ~ '^[a-z0-9_]{1,24}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, user_id, category)
);
CREATE INDEX hall_optins_category ON hall_optins (guild_id, category);

-- One card per guild and month. The period is fixed when the card is
-- created (the guild's timezone then); the next month's card starts where
-- this one ends, so no moment is counted twice or lost when the guild
-- changes its timezone.
CREATE TABLE hall_cards (
    guild_id     bigint      NOT NULL,
    month_key    text        NOT NULL CHECK (month_key ~ '^[0-9]{4}-[0-9]{2}$'),
    period_start timestamptz NOT NULL,
    period_end   timestamptz NOT NULL,
    timezone     text        NOT NULL,
    -- live: rendered from the categories now; final: from the frozen rows.
    status       text        NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'final')),
    -- Categories shown at the last sync (sorted keys joined by ','), so a
    -- module switched on or off in the guild re-renders the live card.
    shown        text        NOT NULL DEFAULT '',
    -- When the hourly refresh last asked for a render.
    refreshed_at timestamptz NOT NULL DEFAULT now(),
    -- Frozen at finalization.
    channel_id   bigint,
    active_pairs int,
    finalized_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, month_key),
    CHECK (period_start < period_end),
    CHECK ((status = 'final') = (finalized_at IS NOT NULL))
);
CREATE INDEX hall_cards_live ON hall_cards (period_end) WHERE status = 'live';

-- A finalized card's categories as they were shown.
CREATE TABLE hall_card_categories (
    guild_id      bigint NOT NULL,
    month_key     text   NOT NULL,
    category      text   NOT NULL,
    name_key      text   NOT NULL,
    ord           int    NOT NULL,
    participation int    NOT NULL,
    PRIMARY KEY (guild_id, month_key, category),
    FOREIGN KEY (guild_id, month_key) REFERENCES hall_cards (guild_id, month_key) ON DELETE CASCADE
);

-- A finalized card's rankings: only consenting pairs, members frozen.
CREATE TABLE hall_card_entries (
    guild_id  bigint NOT NULL,
    month_key text   NOT NULL,
    category  text   NOT NULL,
    place     int    NOT NULL CHECK (place BETWEEN 1 AND 5),
    pair_id   bigint NOT NULL,
    user_a    bigint NOT NULL,
    user_b    bigint NOT NULL,
    points    int    NOT NULL,
    PRIMARY KEY (guild_id, month_key, category, place),
    FOREIGN KEY (guild_id, month_key, category)
        REFERENCES hall_card_categories (guild_id, month_key, category) ON DELETE CASCADE
);
