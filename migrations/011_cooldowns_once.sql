-- Per-user per-action cooldowns (interaction.Cooldown). A row is live until
-- "until"; the sweep job deletes rows that ended more than an hour ago.
CREATE TABLE core_cooldowns (
    guild_id bigint      NOT NULL,
    user_id  bigint      NOT NULL,
    action   text        NOT NULL,
    until    timestamptz NOT NULL,
    PRIMARY KEY (guild_id, user_id, action)
);
CREATE INDEX core_cooldowns_until ON core_cooldowns (until);

-- Once-only keyed operations (core/once). A key can be claimed again only
-- after it expires; the sweep job deletes expired keys.
CREATE TABLE core_once (
    key        text        PRIMARY KEY,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX core_once_expires_at ON core_once (expires_at);
