-- Every table of a module carries the module's name. The outbox keeps its
-- rows; only the names change, and the code names the new ones
-- (publicpost_posts_idempotency_key_key in the insert's ON CONFLICT).
-- Renaming the unique constraint renames its index too.
ALTER TABLE scheduled_posts RENAME TO publicpost_posts;
ALTER TABLE publicpost_posts RENAME CONSTRAINT scheduled_posts_pkey TO publicpost_posts_pkey;
ALTER TABLE publicpost_posts RENAME CONSTRAINT scheduled_posts_idempotency_key_key TO publicpost_posts_idempotency_key_key;
ALTER INDEX scheduled_posts_claim_idx RENAME TO publicpost_posts_claim_idx;
ALTER INDEX scheduled_posts_guild_idx RENAME TO publicpost_posts_guild_idx;
ALTER SEQUENCE scheduled_posts_id_seq RENAME TO publicpost_posts_id_seq;
