-- Billing against Stripe's real event shapes (issue 22).

-- A grant whose purchase was fully refunded: its remaining credits were taken back, and credits
-- held from it by a running task go nowhere when the task releases them.
ALTER TABLE credit_grants ADD COLUMN revoked_at timestamptz;

-- Each paid subscription invoice we applied: what it granted and which payment paid it, so a
-- refund of that payment can find the period's credits.
CREATE TABLE stripe_invoices (
    invoice_id      text PRIMARY KEY,
    subscription_id text NOT NULL,
    user_id         uuid REFERENCES users (id) ON DELETE SET NULL,
    grant_id        uuid REFERENCES credit_grants (id) ON DELETE SET NULL,
    payment_intent  text,
    amount_paid     bigint NOT NULL,
    currency        text NOT NULL,
    clawed_credits  bigint NOT NULL DEFAULT 0,
    amount_refunded bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- The person's pseudonym once the account is erased (payment records are kept for tax law).
    customer_ref    text
);
CREATE INDEX stripe_invoices_payment_intent_idx ON stripe_invoices (payment_intent)
    WHERE payment_intent IS NOT NULL;

-- Money refunded on an order (revenue counts what was kept).
ALTER TABLE orders ADD COLUMN amount_refunded bigint NOT NULL DEFAULT 0;

-- Refunds that match no payment yet are shown to administrators after a day and dropped after 90.
ALTER TABLE stripe_pending_refunds ADD COLUMN currency text;
CREATE INDEX stripe_pending_refunds_received_idx ON stripe_pending_refunds (received_at);

-- As in 000022, and credits returning to a revoked grant are taken back instead (a `clawback`
-- entry beside the `release`), so a refunded purchase cannot come back through a running task.
CREATE OR REPLACE FUNCTION settle_hold_part(p_hold uuid, p_spent bigint, p_reason text, p_return_reason text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    h credit_holds;
    rest bigint;
    a record;
    give bigint;
    withheld bigint := 0;
BEGIN
    SELECT * INTO h FROM credit_holds WHERE id = p_hold;
    IF NOT FOUND THEN
        RETURN 'missing';
    END IF;
    IF p_spent >= h.amount THEN
        RETURN settle_hold(p_hold, p_reason);
    END IF;
    INSERT INTO credit_accounts (user_id) VALUES (h.user_id) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM credit_accounts WHERE user_id = h.user_id FOR UPDATE;
    UPDATE credit_holds SET status = 'settled', resolved_at = now()
    WHERE id = p_hold AND status = 'held';
    IF NOT FOUND THEN
        SELECT * INTO h FROM credit_holds WHERE id = p_hold;
        RETURN CASE WHEN h.status = 'settled' THEN 'already settled' ELSE h.status END;
    END IF;
    rest := h.amount - greatest(p_spent, 0);
    FOR a IN
        SELECT al.grant_id, al.amount, g.revoked_at FROM credit_hold_allocations al
        JOIN credit_grants g ON g.id = al.grant_id
        WHERE al.hold_id = p_hold
        -- Returned to live grants first: what was spent is counted against a refunded one.
        ORDER BY (g.revoked_at IS NOT NULL), g.expires_at DESC NULLS FIRST, g.created_at DESC
    LOOP
        EXIT WHEN rest <= 0;
        give := least(a.amount, rest);
        IF a.revoked_at IS NULL THEN
            UPDATE credit_grants SET remaining = remaining + give WHERE id = a.grant_id;
        ELSE
            -- The purchase behind this grant was refunded: what returns from it goes nowhere.
            withheld := withheld + give;
            INSERT INTO credit_ledger (id, user_id, kind, delta_available, delta_held, reason,
                                       reference, grant_id, hold_id, created_at)
            VALUES (gen_random_uuid(), h.user_id, 'clawback', -give, 0,
                    'held credits of a refunded purchase', 'task:' || h.task_id, a.grant_id,
                    h.id, now());
        END IF;
        rest := rest - give;
    END LOOP;
    IF rest > 0 THEN
        RAISE EXCEPTION 'hold % has fewer allocated credits than it holds', p_hold;
    END IF;
    rest := h.amount - greatest(p_spent, 0);
    IF p_spent > 0 THEN
        INSERT INTO credit_ledger (id, user_id, kind, delta_available, delta_held, reason,
                                   reference, hold_id, created_at)
        VALUES (gen_random_uuid(), h.user_id, 'settle', 0, -p_spent, p_reason,
                'task:' || h.task_id, h.id, now());
    END IF;
    INSERT INTO credit_ledger (id, user_id, kind, delta_available, delta_held, reason, reference,
                               hold_id, created_at)
    VALUES (gen_random_uuid(), h.user_id, 'release', rest, -rest, p_return_reason,
            'task:' || h.task_id, h.id, now());
    UPDATE credit_accounts SET held = held - h.amount, available = available + rest - withheld,
                               updated_at = now()
    WHERE user_id = h.user_id;
    RETURN 'settled';
END
$$;
