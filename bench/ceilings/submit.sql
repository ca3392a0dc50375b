-- Ceiling for POST /v1/generations: auth, moderation rules, the credit hold (account lock, grant
-- draw, allocation, ledger), the active-task count, task and job inserts and the NOTIFY, in one
-- transaction like the handler's, prepared, without HTTP, JSON, JWT or validation work.
SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = :sid AND s.user_id = :uid AND s.revoked_at IS NULL AND s.expires_at > now() LIMIT 1;
SELECT * FROM moderation_rules ORDER BY created_at;
SELECT gen_random_uuid() AS tid, gen_random_uuid() AS hid \gset
BEGIN;
SELECT * FROM credit_accounts WHERE user_id = :uid FOR UPDATE;
SELECT * FROM credit_holds WHERE task_id = :tid;
SELECT * FROM credit_grants WHERE user_id = :uid AND remaining > 0 AND expires_at <= now();
SELECT * FROM credit_accounts WHERE user_id = :uid FOR UPDATE;
INSERT INTO credit_holds (id, user_id, task_id, amount, status, created_at) VALUES (:hid, :uid, :tid, 1, 'held', now());
SELECT id, remaining FROM credit_grants WHERE user_id = :uid AND remaining > 0 AND (expires_at IS NULL OR expires_at > now()) ORDER BY expires_at ASC NULLS LAST, created_at, id FOR UPDATE;
UPDATE credit_grants SET remaining = remaining - 1 WHERE id = (SELECT id FROM credit_grants WHERE user_id = :uid AND remaining > 0 ORDER BY expires_at ASC NULLS LAST, created_at, id LIMIT 1);
INSERT INTO credit_hold_allocations (hold_id, grant_id, amount) SELECT :hid, id, 1 FROM credit_grants WHERE user_id = :uid ORDER BY created_at LIMIT 1;
INSERT INTO credit_ledger (id, user_id, kind, delta_available, delta_held, reason, hold_id, created_at) VALUES (gen_random_uuid(), :uid, 'hold', -1, 1, 'reserved for a generation task', :hid, now());
UPDATE credit_accounts SET available = available - 1, held = held + 1, updated_at = now() WHERE user_id = :uid;
SELECT count(*) FROM ai_tasks WHERE user_id = :uid AND status IN ('queued', 'running');
SELECT * FROM credit_accounts WHERE user_id = :uid;
INSERT INTO ai_tasks (id, user_id, model, provider, prompt, width, height, quality, output_format, seed, num_images, status, cost, charged, refunded, hold_id, created_at, updated_at) VALUES (:tid, :uid, 'z-image-local', 'local', 'a lighthouse at dusk', 256, 256, 'standard', 'png', 1, 1, 'queued', 1, 0, 0, :hid, now(), now());
INSERT INTO jobs (id, task_id, user_id, provider, status, attempts, max_attempts, run_at, created_at, updated_at) VALUES (gen_random_uuid(), :tid, :uid, 'local', 'queued', 0, 3, now(), now(), now());
NOTIFY zimage_jobs;
COMMIT;
