-- Collections (albums) of a user's images, private unless shared by a revocable link.
CREATE TABLE collections (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text,
    -- Shown on the collection's card; the newest image when unset or deleted.
    cover_image_id uuid REFERENCES images (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX collections_by_owner ON collections (user_id, created_at);

CREATE TABLE collection_images (
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    image_id uuid NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, image_id)
);
CREATE INDEX collection_images_by_image ON collection_images (image_id);

