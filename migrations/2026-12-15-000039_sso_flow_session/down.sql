ALTER TABLE sso_flows DROP COLUMN session_id;
