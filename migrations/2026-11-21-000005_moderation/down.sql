DROP TABLE moderation_events;
DROP TABLE moderation_rules;
