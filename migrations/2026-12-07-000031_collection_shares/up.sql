-- Public links to collections, like image shares: the token is an HMAC of the row's id, so the
-- database never holds a usable token, and deleting the row revokes the link. Sharing again
-- after a revocation makes a new row, hence a new link.
CREATE TABLE collection_shares (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    collection_id uuid NOT NULL UNIQUE REFERENCES collections (id) ON DELETE CASCADE,
    include_prompts boolean NOT NULL DEFAULT false,
    views bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX collection_shares_by_owner ON collection_shares (user_id);
