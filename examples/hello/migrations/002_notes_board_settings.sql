ALTER TABLE hello_greetings ADD COLUMN note text NOT NULL DEFAULT '';

-- One row per guild that changed a hello setting; absent means the defaults.
CREATE TABLE hello_settings (
    guild_id bigint PRIMARY KEY,
    style    text   NOT NULL DEFAULT 'wave'
);
