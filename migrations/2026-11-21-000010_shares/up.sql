-- Public links to single images. The link's token is derived from the share id with the server
-- secret (HMAC), so the database never holds a usable token; deleting the row revokes the link.
CREATE TABLE shares (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    image_id       uuid NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    include_prompt boolean NOT NULL DEFAULT false,
    views          bigint NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT shares_image_key UNIQUE (image_id)
);

CREATE INDEX shares_user_idx ON shares (user_id, created_at DESC, id DESC);
