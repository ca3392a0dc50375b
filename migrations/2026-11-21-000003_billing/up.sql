-- Orders, subscriptions and Stripe bookkeeping. Orders outlive their user (payment records are
-- kept for accounting), so their user reference is cleared rather than cascaded.

CREATE TABLE orders (
    id                    uuid PRIMARY KEY,
    number                text NOT NULL,
    user_id               uuid REFERENCES users (id) ON DELETE SET NULL,
    product_id            text NOT NULL,
    kind                  text NOT NULL CHECK (kind IN ('pack', 'plan')),
    credits               bigint NOT NULL CHECK (credits > 0),
    amount_cents          bigint NOT NULL CHECK (amount_cents >= 0),
    currency              text NOT NULL,
    status                text NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'paid', 'failed', 'expired', 'refunded')),
    stripe_session_id     text,
    stripe_payment_intent text,
    stripe_subscription_id text,
    receipt_url           text,
    grant_id              uuid REFERENCES credit_grants (id) ON DELETE SET NULL,
    clawed_credits        bigint NOT NULL DEFAULT 0 CHECK (clawed_credits >= 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    paid_at               timestamptz,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_number_key UNIQUE (number),
    CONSTRAINT orders_stripe_session_id_key UNIQUE (stripe_session_id)
);

CREATE INDEX orders_user_idx ON orders (user_id, created_at DESC);
CREATE INDEX orders_payment_intent_idx ON orders (stripe_payment_intent) WHERE stripe_payment_intent IS NOT NULL;

CREATE TABLE subscriptions (
    id                     uuid PRIMARY KEY,
    user_id                uuid REFERENCES users (id) ON DELETE SET NULL,
    plan_id                text NOT NULL,
    stripe_subscription_id text NOT NULL,
    stripe_customer_id     text,
    status                 text NOT NULL,
    current_period_end     timestamptz,
    cancel_at_period_end   boolean NOT NULL DEFAULT false,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subscriptions_stripe_subscription_id_key UNIQUE (stripe_subscription_id)
);

CREATE INDEX subscriptions_user_idx ON subscriptions (user_id, created_at DESC);

CREATE TABLE billing_customers (
    user_id            uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    stripe_customer_id text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT billing_customers_stripe_customer_id_key UNIQUE (stripe_customer_id)
);

-- Every Stripe event processed, so redeliveries are recognised and ignored.
CREATE TABLE stripe_events (
    id          text PRIMARY KEY,
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
