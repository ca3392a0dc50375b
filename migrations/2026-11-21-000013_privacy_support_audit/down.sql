DROP TABLE audit_log;
DROP FUNCTION audit_log_immutable();
DROP TABLE support_messages;
DROP TABLE support_tickets;
DROP TABLE privacy_requests;
ALTER TABLE subscriptions DROP COLUMN customer_ref;
ALTER TABLE orders DROP COLUMN customer_ref;
ALTER TABLE users
    DROP CONSTRAINT users_disabled_reason_check,
    DROP COLUMN objected_at,
    DROP COLUMN restricted_at,
    DROP COLUMN disabled_reason,
    DROP COLUMN disabled_at;
