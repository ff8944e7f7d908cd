-- Per-guild settings owned by the core. Module-specific settings live in each
-- module's own tables (explicit columns, its own migrations); the core keeps
-- only what every module shares: locale, timezone, moderator role, which
-- modules are on, and which channel serves each declared purpose.
CREATE TABLE core_guild_settings (
    guild_id          bigint      PRIMARY KEY,
    -- NULL: follow the Discord guild locale, then DEFAULT_LOCALE.
    locale            text        CHECK (locale IN ('en', 'ru')),
    -- NULL: DEFAULT_TIMEZONE. Validated as an IANA zone before it is written.
    timezone          text,
    moderator_role_id bigint,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    updated_by        bigint
);

-- Only explicit switches are stored: a module without a row is ON.
CREATE TABLE core_guild_modules (
    guild_id   bigint      NOT NULL,
    module     text        NOT NULL,
    enabled    boolean     NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint,
    PRIMARY KEY (guild_id, module)
);

-- One channel per (module, purpose) as declared by guild.ChannelPurpose.
CREATE TABLE core_guild_channels (
    guild_id   bigint      NOT NULL,
    module     text        NOT NULL,
    purpose    text        NOT NULL,
    channel_id bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint,
    PRIMARY KEY (guild_id, module, purpose)
);
