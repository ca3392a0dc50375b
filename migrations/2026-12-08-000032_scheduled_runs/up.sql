-- Periodic work shared by every replica: each kind runs on one replica at a time, at most once
-- per interval, claimed here on the database's clock.
CREATE TABLE scheduled_runs (
    name TEXT PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    runner TEXT NOT NULL
);
