-- Global schedules: one row per periodic job, switched on or off by operators
-- (`app schedules enable|disable`) for every process at once.
CREATE TABLE core_schedules (
    name        text        PRIMARY KEY,
    module      text        NOT NULL,
    kind        text        NOT NULL,
    spec        text        NOT NULL,
    args        jsonb       NOT NULL DEFAULT '{}',
    enabled     boolean     NOT NULL DEFAULT true,
    next_run_at timestamptz NOT NULL,
    last_run_at timestamptz,
    -- Refreshed by every process that runs the module; a schedule nobody serves
    -- any more stops firing instead of filling a queue no one drains.
    seen_at     timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
