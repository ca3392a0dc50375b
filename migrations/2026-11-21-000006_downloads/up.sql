-- Every download of an original image file, for the user's own history.
CREATE TABLE downloads (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    image_id   uuid REFERENCES images (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX downloads_user_idx ON downloads (user_id, created_at DESC);
