-- A prompt whose round left the answering phase before it was posted is no
-- longer skipped in silence: the room gets a "late" notice (docs/modules/duel.md).
-- Rows skipped before this change told the pair nothing; they keep no message id.
ALTER TABLE duel_deliveries DROP CONSTRAINT duel_deliveries_status_check;
UPDATE duel_deliveries SET status = 'late' WHERE status = 'skipped';
ALTER TABLE duel_deliveries ADD CONSTRAINT duel_deliveries_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'no_room', 'late'));
