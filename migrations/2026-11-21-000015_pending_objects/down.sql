DROP TABLE pending_objects;
