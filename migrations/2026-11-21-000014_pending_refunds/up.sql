-- Refunds Stripe reported before the payment they belong to was recorded (events can arrive in
-- any order). Applied as soon as the checkout completes; the latest total refunded wins.
CREATE TABLE stripe_pending_refunds (
    payment_intent  text PRIMARY KEY,
    amount          bigint NOT NULL,
    amount_refunded bigint NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now()
);
