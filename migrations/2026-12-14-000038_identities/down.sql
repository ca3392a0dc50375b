DROP TABLE sso_pending;
DROP TABLE sso_flows;
DROP TABLE identities;
-- No password can match this, so accounts made by sign-in elsewhere stay, closed to passwords.
UPDATE users SET password_hash = '!' WHERE password_hash IS NULL;
ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL;
