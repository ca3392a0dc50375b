-- Reference images people upload for image-to-image generation. Files are re-encoded on upload
-- (no metadata survives) and kept under the user's storage prefix.
CREATE TABLE uploads (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    storage_key text NOT NULL,
    format      text NOT NULL CHECK (format IN ('png', 'jpeg', 'webp')),
    width       integer NOT NULL CHECK (width > 0),
    height      integer NOT NULL CHECK (height > 0),
    bytes       bigint NOT NULL,
    sha256      bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX uploads_user_idx ON uploads (user_id, created_at DESC, id DESC);

-- No foreign key: a task keeps naming its reference after the upload is deleted, so a task still
-- queued then fails as `reference_missing` instead of silently running without it.
ALTER TABLE ai_tasks
    ADD COLUMN reference_upload_id uuid,
    ADD COLUMN strength real CHECK (strength IS NULL OR (strength > 0 AND strength <= 1));
