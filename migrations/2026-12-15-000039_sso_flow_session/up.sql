-- A provider connected from Security belongs to the session that asked: signed out meanwhile,
-- the way back links nothing.
ALTER TABLE sso_flows ADD COLUMN session_id uuid REFERENCES sessions (id) ON DELETE CASCADE;
