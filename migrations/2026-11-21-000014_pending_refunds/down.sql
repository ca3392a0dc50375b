DROP TABLE stripe_pending_refunds;
