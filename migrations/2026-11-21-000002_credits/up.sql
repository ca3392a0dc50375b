-- Credits: grants (where credits come from), holds (credits reserved for a task), and an
-- append-only ledger of every movement. credit_accounts caches the totals and is the row
-- every movement locks, so concurrent movements for one user serialise.

CREATE TABLE credit_accounts (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    available  bigint NOT NULL DEFAULT 0 CHECK (available >= 0),
    held       bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE credit_grants (
    id               uuid PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source           text NOT NULL CHECK (source IN ('signup_bonus', 'purchase', 'subscription', 'referral', 'admin', 'refund_adjustment')),
    amount           bigint NOT NULL CHECK (amount > 0),
    remaining        bigint NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
    expires_at       timestamptz,
    -- What the grant is for (order number, `signup:<user>`…); unique per source so a grant is made once.
    reference        text,
    reason           text NOT NULL,
    expiry_warned_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- NULL references never collide, so only referenced grants are deduplicated.
    CONSTRAINT credit_grants_source_reference_key UNIQUE (source, reference)
);

CREATE INDEX credit_grants_spendable_idx ON credit_grants (user_id, expires_at) WHERE remaining > 0;
CREATE INDEX credit_grants_expiry_idx ON credit_grants (expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;

CREATE TABLE credit_holds (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The generation task the credits are reserved for; one hold per task.
    task_id     uuid NOT NULL,
    amount      bigint NOT NULL CHECK (amount > 0),
    status      text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'settled', 'released')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    CONSTRAINT credit_holds_task_id_key UNIQUE (task_id)
);

CREATE INDEX credit_holds_user_id_idx ON credit_holds (user_id) WHERE status = 'held';

-- Which grants a hold drew from, so a release returns credits to the same grants.
CREATE TABLE credit_hold_allocations (
    hold_id  uuid NOT NULL REFERENCES credit_holds (id) ON DELETE CASCADE,
    grant_id uuid NOT NULL REFERENCES credit_grants (id) ON DELETE CASCADE,
    amount   bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (hold_id, grant_id)
);

-- Every movement. Sum(delta_available) = available, sum(delta_held) = held, for every user.
CREATE TABLE credit_ledger (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('grant', 'hold', 'settle', 'release', 'expire', 'clawback', 'admin_adjust')),
    delta_available bigint NOT NULL,
    delta_held      bigint NOT NULL,
    reason          text NOT NULL,
    reference       text,
    grant_id        uuid REFERENCES credit_grants (id) ON DELETE SET NULL,
    hold_id         uuid REFERENCES credit_holds (id) ON DELETE SET NULL,
    actor_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX credit_ledger_user_idx ON credit_ledger (user_id, created_at DESC, id DESC);
