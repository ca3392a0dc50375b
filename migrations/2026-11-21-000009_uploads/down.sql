ALTER TABLE ai_tasks DROP COLUMN reference_upload_id, DROP COLUMN strength;
DROP TABLE uploads;
