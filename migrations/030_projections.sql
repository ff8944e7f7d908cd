-- Projections: Discord messages that mirror Postgres state (core/projection).
-- One row per (kind, key). Every Request bumps version inside the business
-- transaction; the refresh worker records the version it last showed in
-- done_version, so "version > done_version" means "Discord is behind".
CREATE TABLE core_projections (
    kind          text        NOT NULL,
    key           text        NOT NULL,
    module        text        NOT NULL,
    -- pending: never shown yet; ok: Discord shows a rendered version;
    -- broken: Discord refused (unknown channel, missing access...), see last_error;
    -- gone: the renderer said the thing no longer exists, message deleted.
    state         text        NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'ok', 'broken', 'gone')),
    guild_id      bigint,
    channel_id    bigint,
    message_id    bigint,
    -- sha256 of the message body Discord shows; equal hash means no API call.
    content_hash  bytea,
    pinned        boolean     NOT NULL DEFAULT false,
    version       bigint      NOT NULL DEFAULT 1,
    done_version  bigint      NOT NULL DEFAULT 0,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    last_edit_at  timestamptz,
    last_error    text,
    broken_at     timestamptz,
    -- A broken projection is not retried against the same channel before
    -- this time (403s count towards Cloudflare's invalid-request ban).
    retry_at      timestamptz,
    -- Creation guard: only the holder of an unexpired lease may POST the
    -- message. The nonce is sent with enforce_nonce so that a retried POST
    -- whose first attempt did land returns that message instead of a copy.
    create_lease_until timestamptz,
    create_nonce  text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, key)
);

CREATE INDEX core_projections_channel ON core_projections (channel_id) WHERE channel_id IS NOT NULL;
CREATE INDEX core_projections_guild ON core_projections (guild_id, kind, key);
CREATE INDEX core_projections_attention ON core_projections (updated_at)
    WHERE state = 'broken' OR version > done_version;

-- Send pacing shared by every process. Row 0 holds next_at, the next free
-- slot of the projections' share of the global REST budget. A channel's row
-- holds recent, the times of its latest sends (at most the per-channel
-- limit), so "no more than N sends in any window" holds across processes.
-- Rows are updated under FOR UPDATE, always global (0) first.
CREATE TABLE core_projection_pacing (
    channel_id bigint        PRIMARY KEY,
    next_at    timestamptz   NOT NULL DEFAULT 'epoch',
    recent     timestamptz[] NOT NULL DEFAULT '{}'
);

INSERT INTO core_projection_pacing (channel_id) VALUES (0);
