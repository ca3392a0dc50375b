-- What happened to an account's security (shown to its owner), and the owner's consents.
CREATE TABLE security_events (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    ip         text,
    user_agent text,
    detail     jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX security_events_user_idx ON security_events (user_id, created_at DESC, id DESC);
CREATE INDEX security_events_created_idx ON security_events (created_at);

-- Optional uses of personal data; both off until the owner turns them on.
CREATE TABLE consents (
    user_id           uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    marketing_email   boolean NOT NULL DEFAULT false,
    product_analytics boolean NOT NULL DEFAULT false,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
