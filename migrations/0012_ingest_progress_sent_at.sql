-- How far the consumer has got is now told by the queue's send time, not the events' arrival: the one row's
-- old value is an arrival time, close enough to the send times that follow it, so it is kept under the new name.
ALTER TABLE `ingest_progress` RENAME COLUMN `received_at` TO `sent_at`;
