-- Prompt moderation: administrator-maintained rules and a record of every refusal.

CREATE TABLE moderation_rules (
    id         uuid PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('term', 'regex')),
    pattern    text NOT NULL CHECK (length(pattern) BETWEEN 1 AND 500),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE moderation_events (
    id         uuid PRIMARY KEY,
    user_id    uuid REFERENCES users (id) ON DELETE CASCADE,
    rule_id    uuid REFERENCES moderation_rules (id) ON DELETE SET NULL,
    prompt     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX moderation_events_user_idx ON moderation_events (user_id, created_at DESC);
