CREATE TABLE hello_greetings (
    guild_id   bigint      NOT NULL,
    user_id    bigint      NOT NULL,
    count      integer     NOT NULL DEFAULT 0,
    thanked    integer     NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, user_id)
);
