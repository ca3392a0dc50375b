-- Ceiling for GET /v1/generations/{id}: the statements the handler runs (the session's user,
-- the task, its images), prepared, without HTTP, JSON or JWT work. :sid :uid :tid are set by -D.
-- The handler sends all three together (pipelined, one round trip), and so does this script.
\startpipeline
SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = :sid AND s.user_id = :uid AND s.revoked_at IS NULL AND s.expires_at > now() LIMIT 1;
SELECT * FROM ai_tasks WHERE id = :tid AND user_id = :uid LIMIT 1;
SELECT * FROM images WHERE task_id = :tid AND user_id = :uid ORDER BY position;
\endpipeline
