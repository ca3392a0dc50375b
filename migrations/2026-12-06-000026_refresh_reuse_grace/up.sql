-- A rotated refresh token keeps its successor, sealed, for the reuse grace: a client whose
-- refresh answer was lost and that presents the old token again within the grace gets the same
-- successor back instead of having its session revoked.
ALTER TABLE refresh_tokens ADD COLUMN successor_sealed text;
