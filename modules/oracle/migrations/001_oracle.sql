-- The oracle module's tables. Weeks are ISO weeks in the guild's time zone,
-- written 'YYYY-Www' (e.g. '2026-W48'): the text sorts in time order and is
-- the exact string the archetype hash is computed from (see week.go).

-- One row per guild and week: the archetype that week. The choice is a pure
-- function of (guild, week, library keys); the row freezes it so a library
-- change mid-week cannot change a week already shown.
CREATE TABLE oracle_weeks (
    guild_id      bigint      NOT NULL,
    week          text        NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
    archetype_key text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, week)
);

-- The week each guild's dashboard shows. The message itself (id, channel,
-- edits) belongs to core_projections; this row only says what to render.
CREATE TABLE oracle_dashboards (
    guild_id     bigint      PRIMARY KEY,
    week         text        NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    -- NULL: the weekly schedule; otherwise the staff member or operator.
    published_by bigint,
    FOREIGN KEY (guild_id, week) REFERENCES oracle_weeks (guild_id, week)
);

-- A member's claim for a week: the first one is kept, later claims show it
-- again. body is the guidance as rendered at claim time, so a re-claim (or a
-- copy sent later) is the same text even after a content update.
CREATE TABLE oracle_claims (
    guild_id      bigint      NOT NULL,
    week          text        NOT NULL,
    user_id       bigint      NOT NULL,
    archetype_key text        NOT NULL,
    tone          text        NOT NULL CHECK (tone IN ('soft', 'neutral', 'direct')),
    context       text        NOT NULL CHECK (context IN ('conflict', 'all_good', 'routine', 'distance', 'fatigue', 'jealousy')),
    locale        text        NOT NULL,
    body          text        NOT NULL,
    -- Each copy is sent at most once per claim: set before sending, cleared
    -- again only when Discord refused the send.
    dm_sent_at    timestamptz,
    pair_sent_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, week, user_id),
    FOREIGN KEY (guild_id, week) REFERENCES oracle_weeks (guild_id, week)
);
