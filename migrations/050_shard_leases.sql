-- Shard leases (core/discord/shardlease): with SHARD_IDS=auto identical
-- processes divide the gateway shards among themselves. A row per shard of a
-- shard count; holder is a core_processes id, expires_at is in database time
-- and NULL when the lease is free.
CREATE TABLE core_shard_leases (
    shard_count integer     NOT NULL,
    shard_id    integer     NOT NULL,
    holder      text,
    expires_at  timestamptz,
    acquired_at timestamptz,
    renewed_at  timestamptz,
    PRIMARY KEY (shard_count, shard_id),
    CHECK ((holder IS NULL) = (expires_at IS NULL))
);

-- The next time an identify may be sent in each max_concurrency bucket
-- (bucket = shard_id % max_concurrency), shared by every process: Discord
-- allows one identify per bucket per 5 s for the whole application.
CREATE TABLE core_identify_slots (
    bucket  integer     PRIMARY KEY,
    next_at timestamptz NOT NULL
);

-- The shard count a process leases for; NULL for processes that do not take
-- part (explicit SHARD_IDS). Only members with the same count share shards.
ALTER TABLE core_processes ADD COLUMN shard_lease_count integer;
