-- Objects written to storage before the row that owns them is committed (a generation's images
-- and thumbnails). The worker records each key before uploading; the transaction that records
-- the images removes the keys again. A key still here at `delete_after` belongs to an upload that
-- never became an image (storage or the database failed, the task was canceled meanwhile, the
-- worker died), and the scheduled sweep deletes the object, retrying while storage is down.
CREATE TABLE pending_objects (
    storage_key  text PRIMARY KEY,
    task_id      uuid NOT NULL,
    delete_after timestamptz NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX pending_objects_due_idx ON pending_objects (delete_after);
