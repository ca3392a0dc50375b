ALTER TABLE webhook_endpoints DROP COLUMN sending_until;
