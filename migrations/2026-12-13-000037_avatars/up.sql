-- Uploaded profile pictures: the current one's id (its file is
-- `users/<user id>/avatar/<avatar id>.webp` in object storage). A new upload gets a new id, so
-- its URL never shows an older picture from a cache.
ALTER TABLE users ADD COLUMN avatar_id uuid UNIQUE;
