-- Every running process (its River client id) and when it was last seen
-- alive. A process that stops heartbeating is dead; the jobs it was working
-- are handed back to the queue at once instead of waiting for River's rescuer.
CREATE TABLE core_processes (
    id         text        PRIMARY KEY,
    host       text        NOT NULL,
    pid        integer     NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    seen_at    timestamptz NOT NULL DEFAULT now()
);
