DROP TABLE stripe_events;
DROP TABLE billing_customers;
DROP TABLE subscriptions;
DROP TABLE orders;
