DROP TABLE consents;
DROP TABLE security_events;
