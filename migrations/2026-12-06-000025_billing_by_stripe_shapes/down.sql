-- settle_hold_part as in 000022.
CREATE OR REPLACE FUNCTION settle_hold_part(p_hold uuid, p_spent bigint, p_reason text, p_return_reason text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    h credit_holds;
    rest bigint;
    a record;
    give bigint;
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
        SELECT al.grant_id, al.amount FROM credit_hold_allocations al
        JOIN credit_grants g ON g.id = al.grant_id
        WHERE al.hold_id = p_hold
        ORDER BY g.expires_at DESC NULLS FIRST, g.created_at DESC
    LOOP
        EXIT WHEN rest <= 0;
        give := least(a.amount, rest);
        UPDATE credit_grants SET remaining = remaining + give WHERE id = a.grant_id;
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
    UPDATE credit_accounts SET held = held - h.amount, available = available + rest,
                               updated_at = now()
    WHERE user_id = h.user_id;
    RETURN 'settled';
END
$$;

DROP INDEX stripe_pending_refunds_received_idx;
ALTER TABLE stripe_pending_refunds DROP COLUMN currency;
DROP TABLE stripe_invoices;
ALTER TABLE orders DROP COLUMN amount_refunded;
ALTER TABLE credit_grants DROP COLUMN revoked_at;
