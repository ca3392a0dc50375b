-- One delivery in flight per endpoint at a time, across every sender of every process: a slow
-- endpoint holds one sender, never the others' turns.
ALTER TABLE webhook_endpoints ADD COLUMN sending_until timestamptz;
