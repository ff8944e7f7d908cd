-- Pairs and their private rooms. A pair is written before its room exists
-- (room_state = 'pending'); the pairhome.room job creates the channel and
-- records channel_id, so a crash between the two is repaired by the job.
CREATE TABLE pairhome_pairs (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id       bigint      NOT NULL,
    -- Members ordered numerically, so (a, b) and (b, a) are the same pair.
    user_low       bigint      NOT NULL,
    user_high      bigint      NOT NULL,
    status         text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    -- pending: no channel yet; ready: channel_id is the live room;
    -- archived: room kept read-only; deleted: no room any more.
    room_state     text        NOT NULL DEFAULT 'pending'
                   CHECK (room_state IN ('pending', 'ready', 'archived', 'deleted')),
    channel_id     bigint,
    -- Name chosen at creation from the members' display names (any script).
    room_name      text        NOT NULL,
    -- Last reason the room job could not finish (shown by /pair room), NULL when fine.
    room_error     text,
    archive_reason text        CHECK (archive_reason IN ('dissolved', 'member_left')),
    created_by     bigint,
    created_at     timestamptz NOT NULL DEFAULT now(),
    archived_at    timestamptz,
    archived_by    bigint,
    -- Room work (create, repair, archive) is serialized per pair by this
    -- lease, so two jobs never create two channels or apply stale permissions.
    room_lease_until timestamptz,
    room_lease_token text,
    -- When the reconcile job last confirmed both members are still in the guild.
    members_checked_at timestamptz,
    CHECK (user_low < user_high),
    CHECK (status = 'archived' OR archive_reason IS NULL)
);

CREATE INDEX pairhome_pairs_guild_status ON pairhome_pairs (guild_id, status);
CREATE UNIQUE INDEX pairhome_pairs_channel ON pairhome_pairs (channel_id) WHERE channel_id IS NOT NULL;

-- One row per member of an ACTIVE pair: the primary key is what makes "a
-- member belongs to at most one active pair per guild" a database rule.
-- Rows are deleted when the pair is archived.
CREATE TABLE pairhome_members (
    guild_id bigint NOT NULL,
    user_id  bigint NOT NULL,
    pair_id  bigint NOT NULL REFERENCES pairhome_pairs (id) ON DELETE CASCADE,
    PRIMARY KEY (guild_id, user_id)
);

CREATE INDEX pairhome_members_pair ON pairhome_members (pair_id);

-- Module-specific guild settings (explicit columns, owned here).
CREATE TABLE pairhome_settings (
    guild_id         bigint      PRIMARY KEY,
    -- Moderators see pair rooms only when the guild opts in.
    moderator_access boolean     NOT NULL DEFAULT false,
    -- What dissolving does to the room.
    archive_mode     text        NOT NULL DEFAULT 'readonly' CHECK (archive_mode IN ('readonly', 'delete')),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       bigint
);

-- A member's consent to dissolve their pair; both members' consents archive it.
CREATE TABLE pairhome_dissolve_consents (
    pair_id    bigint      NOT NULL REFERENCES pairhome_pairs (id) ON DELETE CASCADE,
    user_id    bigint      NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (pair_id, user_id)
);

-- The panel sections last shown per guild (sorted module names joined by ','),
-- so turning a contributing module on or off re-renders every panel once.
CREATE TABLE pairhome_guild_sections (
    guild_id   bigint      PRIMARY KEY,
    modules    text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
