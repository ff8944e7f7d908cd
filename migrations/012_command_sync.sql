-- Hash of the command definitions last bulk-overwritten per scope ("<api url> global" or
-- "<api url> guild:<id>"), so `app run` syncs at start only when the definitions changed.
CREATE TABLE core_command_sync (
    scope     text        PRIMARY KEY,
    app_id    bigint      NOT NULL,
    hash      text        NOT NULL,
    synced_at timestamptz NOT NULL DEFAULT now()
);
