ALTER TABLE jobs ALTER COLUMN created_at SET DEFAULT now();
DROP FUNCTION claim_job(bigint, text, bigint, bigint);
