-- A duel is a series of rounds in one guild with a public scoreboard.
CREATE TABLE duel_duels (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id    bigint      NOT NULL,
    channel_id  bigint      NOT NULL,
    title       text        NOT NULL,
    status      text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    created_by  bigint,
    created_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    ended_by    bigint,
    CHECK ((status = 'ended') = (ended_at IS NOT NULL))
);

-- The database, not a check-then-insert, keeps one active duel per guild.
CREATE UNIQUE INDEX duel_duels_one_active ON duel_duels (guild_id) WHERE status = 'active';

-- phase moves answering -> voting -> closed (or answering -> closed), or to
-- cancelled; every move is an UPDATE guarded by the phase it leaves.
CREATE TABLE duel_rounds (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    duel_id         bigint      NOT NULL REFERENCES duel_duels (id),
    guild_id        bigint      NOT NULL,
    round_no        int         NOT NULL,
    prompt          text        NOT NULL,
    phase           text        NOT NULL DEFAULT 'answering'
                    CHECK (phase IN ('answering', 'voting', 'closed', 'cancelled')),
    vote_minutes    int         NOT NULL CHECK (vote_minutes BETWEEN 0 AND 1440),
    started_by      bigint,
    started_at      timestamptz NOT NULL DEFAULT now(),
    answer_deadline timestamptz NOT NULL,
    vote_deadline   timestamptz,
    ended_at        timestamptz,
    UNIQUE (duel_id, round_no)
);

-- One open round per duel (and so per guild).
CREATE UNIQUE INDEX duel_rounds_one_open ON duel_rounds (duel_id) WHERE phase IN ('answering', 'voting');
CREATE INDEX duel_rounds_open_deadlines ON duel_rounds (phase) WHERE phase IN ('answering', 'voting');

-- One answer per pair and round; a resubmission overwrites it (the last counts).
CREATE TABLE duel_answers (
    round_id    bigint      NOT NULL REFERENCES duel_rounds (id) ON DELETE CASCADE,
    pair_id     bigint      NOT NULL,
    answer      text        NOT NULL CHECK (char_length(answer) BETWEEN 2 AND 400),
    answered_by bigint      NOT NULL,
    -- When the answer that counts was sent; ties in a round go to the earlier.
    answered_at timestamptz NOT NULL DEFAULT now(),
    submissions int         NOT NULL DEFAULT 1,
    -- Anonymous ballot number, assigned when voting opens.
    label       int,
    removed_at  timestamptz,
    removed_by  bigint,
    PRIMARY KEY (round_id, pair_id),
    UNIQUE (round_id, label)
);

-- One vote per member and round; changing it overwrites the row.
CREATE TABLE duel_votes (
    round_id       bigint      NOT NULL,
    voter_id       bigint      NOT NULL,
    voter_pair_id  bigint      NOT NULL,
    target_pair_id bigint      NOT NULL,
    voted_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (round_id, voter_id),
    CHECK (voter_pair_id <> target_pair_id),
    FOREIGN KEY (round_id, target_pair_id) REFERENCES duel_answers (round_id, pair_id) ON DELETE CASCADE
);
CREATE INDEX duel_votes_target ON duel_votes (round_id, target_pair_id);

-- Points applied when a round closes; the primary key makes a second
-- application impossible even if the phase guard were bypassed.
CREATE TABLE duel_scores (
    round_id     bigint      NOT NULL REFERENCES duel_rounds (id),
    pair_id      bigint      NOT NULL,
    duel_id      bigint      NOT NULL,
    guild_id     bigint      NOT NULL,
    answer_points int        NOT NULL,
    vote_points  int         NOT NULL,
    points       int         NOT NULL,
    place        int         NOT NULL,
    answered_at  timestamptz NOT NULL,
    scored_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (round_id, pair_id)
);
CREATE INDEX duel_scores_duel ON duel_scores (duel_id, pair_id);
CREATE INDEX duel_scores_guild_time ON duel_scores (guild_id, scored_at);

-- Round-start notices, one per pair room: the fan-out's progress report.
CREATE TABLE duel_deliveries (
    round_id   bigint      NOT NULL REFERENCES duel_rounds (id) ON DELETE CASCADE,
    pair_id    bigint      NOT NULL,
    channel_id bigint,
    -- pending: job queued; sent; failed: gave up (last_error says why);
    -- no_room: the pair had no room yet; skipped: the round was no longer open.
    status     text        NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'sent', 'failed', 'no_room', 'skipped')),
    attempts   int         NOT NULL DEFAULT 0,
    message_id bigint,
    last_error text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (round_id, pair_id)
);
CREATE INDEX duel_deliveries_pending ON duel_deliveries (round_id) WHERE status = 'pending';
