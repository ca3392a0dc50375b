-- Backends the operator drained or disabled from the admin console (no row: active). Every
-- process reads these before sending a task.
CREATE TABLE backend_modes (
    provider text PRIMARY KEY CHECK (char_length(provider) BETWEEN 1 AND 64),
    mode text NOT NULL CHECK (mode IN ('active', 'draining', 'disabled')),
    changed_by uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
