-- Backends the operator drained or disabled from the admin console (no row: active). Every
-- process reads these before sending a task. Who changed a mode is in the audit log.
CREATE TABLE backend_modes (
    provider text PRIMARY KEY CHECK (char_length(provider) BETWEEN 1 AND 64),
    mode text NOT NULL CHECK (mode IN ('active', 'draining', 'disabled')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
