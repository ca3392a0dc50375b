DELETE FROM passkey_ceremonies WHERE purpose = 'step_up';
ALTER TABLE passkey_ceremonies DROP CONSTRAINT passkey_ceremonies_purpose_check;
ALTER TABLE passkey_ceremonies ADD CONSTRAINT passkey_ceremonies_purpose_check
    CHECK (purpose IN ('register', 'sign_in', 'second_factor'));
