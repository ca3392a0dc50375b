-- Models whose provider takes no seed: their tasks record none (they cannot be reproduced).
ALTER TABLE ai_tasks ALTER COLUMN seed DROP NOT NULL;

-- Settles a hold in part: p_spent is spent, the rest goes back to the grants it came from (those
-- that expire last first, since spending takes the soonest first). The ledger shows both: a
-- `settle` of what was spent and a `release` of what was returned. Outcomes as settle_hold's.
CREATE FUNCTION settle_hold_part(p_hold uuid, p_spent bigint, p_reason text, p_return_reason text)
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

-- As in 000019, and a task delivered with fewer images than it asked for is charged for those
-- delivered only (its cost is per image); the rest of its hold is returned.
CREATE OR REPLACE FUNCTION complete_generation(
    p_task uuid, p_user uuid, p_keys text[],
    p_ids uuid[], p_storage_keys text[], p_thumbnail_keys text[], p_widths integer[],
    p_heights integer[], p_formats text[], p_bytes bigint[], p_sha256 bytea[], p_event jsonb
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    t ai_tasks;
    listed integer;
    settled text;
    delivered integer := cardinality(p_ids);
    spent bigint;
BEGIN
    SELECT * INTO t FROM ai_tasks WHERE id = p_task AND user_id = p_user FOR UPDATE;
    IF NOT FOUND OR t.status IN ('succeeded', 'failed', 'canceled') THEN
        RETURN NULL;
    END IF;
    IF delivered < 1 THEN
        RAISE EXCEPTION 'a task cannot succeed without images';
    END IF;
    spent := CASE WHEN delivered >= t.num_images THEN t.cost
                  ELSE t.cost / t.num_images * delivered END;
    DELETE FROM pending_objects WHERE storage_key = ANY (p_keys);
    GET DIAGNOSTICS listed = ROW_COUNT;
    IF listed <> cardinality(p_keys) THEN
        RAISE EXCEPTION 'stored images were swept before they could be recorded';
    END IF;
    INSERT INTO images (id, user_id, task_id, position, storage_key, thumbnail_key, width, height,
                        format, bytes, sha256, favorite, created_at)
    SELECT i.id, p_user, p_task, (i.n - 1)::integer, i.storage_key, i.thumbnail_key, i.width,
           i.height, i.format, i.bytes, i.sha256, false, now()
    FROM unnest(p_ids, p_storage_keys, p_thumbnail_keys, p_widths, p_heights, p_formats, p_bytes,
                p_sha256) WITH ORDINALITY
         AS i (id, storage_key, thumbnail_key, width, height, format, bytes, sha256, n);
    UPDATE ai_tasks SET status = 'succeeded', charged = spent, refunded = t.cost - spent,
                        progress = 1, finished_at = now(), updated_at = now()
    WHERE id = p_task;
    UPDATE jobs SET status = 'done', lease_until = NULL, last_error = NULL, updated_at = now()
    WHERE task_id = p_task;
    IF p_event IS NOT NULL THEN
        PERFORM enqueue_webhook(p_user, p_event ->> 'type', p_event);
    END IF;
    IF t.hold_id IS NOT NULL THEN
        settled := settle_hold_part(t.hold_id, spent, 'spent on a generation task',
                                    format('returned: %s of %s images delivered', delivered,
                                           t.num_images));
        IF settled NOT IN ('settled', 'already settled') THEN
            RAISE EXCEPTION 'the task''s credit hold is %', settled;
        END IF;
    END IF;
    RETURN spent;
END
$$;
