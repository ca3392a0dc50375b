DROP TABLE api_key_tasks;
ALTER TABLE api_keys
    DROP COLUMN request_count,
    DROP COLUMN allowed_models,
    DROP COLUMN monthly_credit_limit,
    DROP COLUMN daily_credit_limit,
    DROP COLUMN expires_at;
