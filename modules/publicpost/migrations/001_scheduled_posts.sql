-- The publicpost outbox. Any module writes a row (inside its own transaction)
-- and the publisher turns each row into exactly one Discord message.
--
-- Life cycle: pending -> processing -> sent | failed, or pending -> cancelled.
-- A processing row carries a lease (lease_until); when the lease expires the
-- row is claimable again, so a process that died between sending and
-- recording does not leave the post stuck.
CREATE TABLE scheduled_posts (
    id                  bigserial   PRIMARY KEY,
    guild_id            bigint      NOT NULL,
    channel_id          bigint      NOT NULL,
    -- Who asked for the post: "publicpost" for /post schedule, else the producing module.
    source              text        NOT NULL DEFAULT 'publicpost',
    payload             jsonb       NOT NULL,
    scheduled_for       timestamptz NOT NULL,
    status              text        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'processing', 'sent', 'failed', 'cancelled')),
    idempotency_key     text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    -- Send attempts that reached the point of calling Discord (rate-limit
    -- rejections are given back, Discord refused them before acting).
    attempts            integer     NOT NULL DEFAULT 0,
    -- When the row may next be claimed; starts at scheduled_for, moves with backoff.
    next_attempt_at     timestamptz NOT NULL,
    lease_until         timestamptz,
    -- First time any process started a send: the start of the window in which
    -- a message for this post may exist on Discord.
    first_attempt_at    timestamptz,
    last_attempt_at     timestamptz,
    sent_at             timestamptz,
    published_message_id bigint,
    last_error          text,
    created_by          bigint,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT scheduled_posts_idempotency_key_key UNIQUE (idempotency_key)
);

-- The claim query: due pending rows and processing rows whose lease expired.
CREATE INDEX scheduled_posts_claim_idx ON scheduled_posts (next_attempt_at, id)
    WHERE status IN ('pending', 'processing');

-- /post list, /admin status and `app posts list --guild`.
CREATE INDEX scheduled_posts_guild_idx ON scheduled_posts (guild_id, status, scheduled_for);
