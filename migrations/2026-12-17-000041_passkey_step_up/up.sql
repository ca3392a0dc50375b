-- A passkey may also answer the step-up before sensitive actions: a `step_up` ceremony belongs
-- to the account and session that asked, as `register` does.
ALTER TABLE passkey_ceremonies DROP CONSTRAINT passkey_ceremonies_purpose_check;
ALTER TABLE passkey_ceremonies ADD CONSTRAINT passkey_ceremonies_purpose_check
    CHECK (purpose IN ('register', 'sign_in', 'second_factor', 'step_up'));
