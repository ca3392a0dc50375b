-- API keys with an expiry, credit caps per day and per month (UTC), a list of models they may
-- use, and usage: requests (counted in each process and written with `last_used_at`, at most
-- once a minute) and the credits of the tasks they started.
ALTER TABLE api_keys
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN daily_credit_limit bigint CHECK (daily_credit_limit > 0),
    ADD COLUMN monthly_credit_limit bigint CHECK (monthly_credit_limit > 0),
    ADD COLUMN allowed_models text[],
    ADD COLUMN request_count bigint NOT NULL DEFAULT 0;

-- Which key started a task. A table of its own: the task row is read by every worker step and
-- stays as narrow as it is.
CREATE TABLE api_key_tasks (
    task_id uuid PRIMARY KEY REFERENCES ai_tasks (id) ON DELETE CASCADE,
    api_key_id uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_key_tasks_by_key ON api_key_tasks (api_key_id, created_at);
