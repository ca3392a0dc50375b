// @generated automatically by Diesel CLI.

diesel::table! {
    ai_tasks (id) {
        id -> Uuid,
        user_id -> Uuid,
        model -> Text,
        provider -> Text,
        prompt -> Text,
        negative_prompt -> Nullable<Text>,
        aspect_ratio -> Nullable<Text>,
        width -> Int4,
        height -> Int4,
        quality -> Text,
        output_format -> Text,
        seed -> Nullable<Int8>,
        num_images -> Int4,
        status -> Text,
        provider_task_id -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        failure_message -> Nullable<Text>,
        progress -> Nullable<Float4>,
        cost -> Int8,
        charged -> Int8,
        refunded -> Int8,
        hold_id -> Nullable<Uuid>,
        idempotency_key -> Nullable<Text>,
        request_hash -> Nullable<Bytea>,
        created_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
        reference_upload_id -> Nullable<Uuid>,
        strength -> Nullable<Float4>,
        webhook_endpoint_id -> Nullable<Uuid>,
        metadata -> Nullable<Jsonb>,
    }
}

diesel::table! {
    api_key_tasks (task_id) {
        task_id -> Uuid,
        api_key_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        prefix -> Text,
        secret_hash -> Bytea,
        scopes -> Array<Nullable<Text>>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        daily_credit_limit -> Nullable<Int8>,
        monthly_credit_limit -> Nullable<Int8>,
        allowed_models -> Nullable<Array<Nullable<Text>>>,
        request_count -> Int8,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        actor_id -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Text>,
        detail -> Jsonb,
        ip -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    backend_modes (provider) {
        provider -> Text,
        mode -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    billing_customers (user_id) {
        user_id -> Uuid,
        stripe_customer_id -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    collection_images (collection_id, image_id) {
        collection_id -> Uuid,
        image_id -> Uuid,
        added_at -> Timestamptz,
    }
}

diesel::table! {
    collection_shares (id) {
        id -> Uuid,
        user_id -> Uuid,
        collection_id -> Uuid,
        include_prompts -> Bool,
        views -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    collections (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        description -> Nullable<Text>,
        cover_image_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    consents (user_id) {
        user_id -> Uuid,
        marketing_email -> Bool,
        product_analytics -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    credit_accounts (user_id) {
        user_id -> Uuid,
        available -> Int8,
        held -> Int8,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    credit_grants (id) {
        id -> Uuid,
        user_id -> Uuid,
        source -> Text,
        amount -> Int8,
        remaining -> Int8,
        expires_at -> Nullable<Timestamptz>,
        reference -> Nullable<Text>,
        reason -> Text,
        expiry_warned_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    credit_hold_allocations (hold_id, grant_id) {
        hold_id -> Uuid,
        grant_id -> Uuid,
        amount -> Int8,
    }
}

diesel::table! {
    credit_holds (id) {
        id -> Uuid,
        user_id -> Uuid,
        task_id -> Uuid,
        amount -> Int8,
        status -> Text,
        created_at -> Timestamptz,
        resolved_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    credit_ledger (id) {
        id -> Uuid,
        user_id -> Uuid,
        kind -> Text,
        delta_available -> Int8,
        delta_held -> Int8,
        reason -> Text,
        reference -> Nullable<Text>,
        grant_id -> Nullable<Uuid>,
        hold_id -> Nullable<Uuid>,
        actor_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    downloads (id) {
        id -> Uuid,
        user_id -> Uuid,
        image_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    email_changes (id) {
        id -> Uuid,
        user_id -> Uuid,
        old_email -> Text,
        new_email -> Text,
        confirm_hash -> Nullable<Bytea>,
        confirm_expires_at -> Timestamptz,
        confirmed_at -> Nullable<Timestamptz>,
        revert_hash -> Nullable<Bytea>,
        revert_expires_at -> Nullable<Timestamptz>,
        reverted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    email_tokens (token_hash) {
        token_hash -> Bytea,
        user_id -> Uuid,
        purpose -> Text,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    identities (id) {
        id -> Uuid,
        user_id -> Uuid,
        provider -> Text,
        subject -> Text,
        email -> Nullable<Text>,
        username -> Nullable<Text>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    images (id) {
        id -> Uuid,
        user_id -> Uuid,
        task_id -> Nullable<Uuid>,
        position -> Int4,
        storage_key -> Text,
        thumbnail_key -> Text,
        width -> Int4,
        height -> Int4,
        format -> Text,
        bytes -> Int8,
        sha256 -> Bytea,
        favorite -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    invitations (id) {
        id -> Uuid,
        token_hash -> Bytea,
        email -> Nullable<Text>,
        note -> Nullable<Text>,
        max_uses -> Int4,
        uses -> Int4,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        task_id -> Uuid,
        user_id -> Uuid,
        status -> Text,
        attempts -> Int4,
        max_attempts -> Int4,
        run_at -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        provider -> Text,
        traceparent -> Nullable<Text>,
    }
}

diesel::table! {
    moderation_events (id) {
        id -> Uuid,
        user_id -> Nullable<Uuid>,
        rule_id -> Nullable<Uuid>,
        prompt -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    moderation_rules (id) {
        id -> Uuid,
        kind -> Text,
        pattern -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    oauth_apps (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        client_id -> Text,
        client_type -> Text,
        secret_hash -> Nullable<Bytea>,
        redirect_uris -> Array<Nullable<Text>>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    oauth_codes (hash) {
        hash -> Bytea,
        grant_id -> Uuid,
        redirect_uri -> Text,
        code_challenge -> Text,
        scopes -> Array<Nullable<Text>>,
        family -> Uuid,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    oauth_device_codes (id) {
        id -> Uuid,
        app_id -> Uuid,
        device_hash -> Bytea,
        user_code -> Text,
        scopes -> Array<Nullable<Text>>,
        expires_at -> Timestamptz,
        interval_secs -> Int4,
        last_polled_at -> Nullable<Timestamptz>,
        grant_id -> Nullable<Uuid>,
        denied_at -> Nullable<Timestamptz>,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    oauth_grant_tasks (task_id) {
        task_id -> Uuid,
        grant_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    oauth_grants (id) {
        id -> Uuid,
        app_id -> Uuid,
        user_id -> Uuid,
        scopes -> Array<Nullable<Text>>,
        monthly_credit_limit -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    oauth_tokens (hash) {
        hash -> Bytea,
        grant_id -> Uuid,
        family -> Uuid,
        scopes -> Array<Nullable<Text>>,
        kind -> Text,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        successor_sealed -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    orders (id) {
        id -> Uuid,
        number -> Text,
        user_id -> Nullable<Uuid>,
        product_id -> Text,
        kind -> Text,
        credits -> Int8,
        amount_cents -> Int8,
        currency -> Text,
        status -> Text,
        stripe_session_id -> Nullable<Text>,
        stripe_payment_intent -> Nullable<Text>,
        stripe_subscription_id -> Nullable<Text>,
        receipt_url -> Nullable<Text>,
        grant_id -> Nullable<Uuid>,
        clawed_credits -> Int8,
        created_at -> Timestamptz,
        paid_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
        customer_ref -> Nullable<Text>,
        amount_refunded -> Int8,
    }
}

diesel::table! {
    passkey_ceremonies (id) {
        id -> Uuid,
        purpose -> Text,
        user_id -> Nullable<Uuid>,
        session_id -> Nullable<Uuid>,
        challenge_hash -> Nullable<Bytea>,
        state -> Jsonb,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    passkeys (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        credential_id -> Bytea,
        credential -> Jsonb,
        backed_up -> Bool,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    pending_objects (storage_key) {
        storage_key -> Text,
        task_id -> Uuid,
        delete_after -> Timestamptz,
        attempts -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    privacy_requests (id) {
        id -> Uuid,
        user_id -> Nullable<Uuid>,
        subject_ref -> Text,
        kind -> Text,
        status -> Text,
        note -> Nullable<Text>,
        received_at -> Timestamptz,
        due_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
        confirm_token_hash -> Nullable<Bytea>,
        confirm_expires_at -> Nullable<Timestamptz>,
        purge_after -> Nullable<Timestamptz>,
        archive_key -> Nullable<Text>,
        archive_bytes -> Nullable<Int8>,
        archive_expires_at -> Nullable<Timestamptz>,
        attempts -> Int4,
        claimed_until -> Nullable<Timestamptz>,
        error -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    prompts (id) {
        id -> Uuid,
        user_id -> Uuid,
        title -> Text,
        prompt -> Text,
        negative_prompt -> Nullable<Text>,
        parameters -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    recovery_codes (user_id, code_hash) {
        user_id -> Uuid,
        code_hash -> Bytea,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        session_id -> Uuid,
        created_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        successor_sealed -> Nullable<Text>,
    }
}

diesel::table! {
    scheduled_runs (name) {
        name -> Text,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        runner -> Text,
    }
}

diesel::table! {
    security_events (id) {
        id -> Uuid,
        user_id -> Uuid,
        kind -> Text,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        detail -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        created_at -> Timestamptz,
        last_used_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        second_factor_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    shares (id) {
        id -> Uuid,
        user_id -> Uuid,
        image_id -> Uuid,
        include_prompt -> Bool,
        views -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sign_in_challenges (token_hash) {
        token_hash -> Bytea,
        user_id -> Uuid,
        failures -> Int4,
        keep_account -> Bool,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sso_flows (id) {
        id -> Uuid,
        state_hash -> Bytea,
        browser_hash -> Bytea,
        provider -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        user_id -> Nullable<Uuid>,
        invitation -> Nullable<Text>,
        return_to -> Nullable<Text>,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
        session_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    sso_pending (token_hash) {
        token_hash -> Bytea,
        purpose -> Text,
        provider -> Text,
        subject -> Text,
        email -> Text,
        username -> Nullable<Text>,
        display_name -> Nullable<Text>,
        user_id -> Nullable<Uuid>,
        invitation -> Nullable<Text>,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    stripe_events (id) {
        id -> Text,
        #[sql_name = "type"]
        type_ -> Text,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    stripe_invoices (invoice_id) {
        invoice_id -> Text,
        subscription_id -> Text,
        user_id -> Nullable<Uuid>,
        grant_id -> Nullable<Uuid>,
        payment_intent -> Nullable<Text>,
        amount_paid -> Int8,
        currency -> Text,
        clawed_credits -> Int8,
        amount_refunded -> Int8,
        created_at -> Timestamptz,
        customer_ref -> Nullable<Text>,
    }
}

diesel::table! {
    stripe_pending_refunds (payment_intent) {
        payment_intent -> Text,
        amount -> Int8,
        amount_refunded -> Int8,
        received_at -> Timestamptz,
        currency -> Nullable<Text>,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> Uuid,
        user_id -> Nullable<Uuid>,
        plan_id -> Text,
        stripe_subscription_id -> Text,
        stripe_customer_id -> Nullable<Text>,
        status -> Text,
        current_period_end -> Nullable<Timestamptz>,
        cancel_at_period_end -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        customer_ref -> Nullable<Text>,
    }
}

diesel::table! {
    support_messages (id) {
        id -> Uuid,
        ticket_id -> Uuid,
        author_id -> Nullable<Uuid>,
        from_staff -> Bool,
        body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    support_tickets (id) {
        id -> Uuid,
        user_id -> Uuid,
        number -> Text,
        subject -> Text,
        status -> Text,
        task_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        closed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    task_events (id) {
        id -> Int8,
        tx -> Int8,
        user_id -> Uuid,
        task_id -> Uuid,
        status -> Text,
        progress -> Nullable<Float4>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    totp_authenticators (user_id) {
        user_id -> Uuid,
        secret -> Text,
        confirmed_at -> Nullable<Timestamptz>,
        last_step -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    uploads (id) {
        id -> Uuid,
        user_id -> Uuid,
        storage_key -> Text,
        format -> Text,
        width -> Int4,
        height -> Int4,
        bytes -> Int8,
        sha256 -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        password_hash -> Nullable<Text>,
        display_name -> Nullable<Text>,
        locale -> Text,
        theme -> Text,
        organization -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        role -> Text,
        email_verified_at -> Nullable<Timestamptz>,
        referral_code -> Text,
        referred_by -> Nullable<Uuid>,
        terms_accepted_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        disabled_at -> Nullable<Timestamptz>,
        disabled_reason -> Nullable<Text>,
        restricted_at -> Nullable<Timestamptz>,
        objected_at -> Nullable<Timestamptz>,
        webhook_secret -> Nullable<Text>,
        avatar_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        endpoint_id -> Uuid,
        user_id -> Uuid,
        message_id -> Text,
        event_type -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_status -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Uuid,
        user_id -> Uuid,
        url -> Text,
        description -> Nullable<Text>,
        events -> Array<Nullable<Text>>,
        secret -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sending_until -> Nullable<Timestamptz>,
        per_request -> Bool,
    }
}

diesel::table! {
    worker_processes (id) {
        id -> Text,
        started_at -> Timestamptz,
        seen_at -> Timestamptz,
    }
}

diesel::joinable!(ai_tasks -> credit_holds (hold_id));
diesel::joinable!(ai_tasks -> users (user_id));
diesel::joinable!(ai_tasks -> webhook_endpoints (webhook_endpoint_id));
diesel::joinable!(api_key_tasks -> ai_tasks (task_id));
diesel::joinable!(api_key_tasks -> api_keys (api_key_id));
diesel::joinable!(api_keys -> users (user_id));
diesel::joinable!(billing_customers -> users (user_id));
diesel::joinable!(collection_images -> collections (collection_id));
diesel::joinable!(collection_images -> images (image_id));
diesel::joinable!(collection_shares -> collections (collection_id));
diesel::joinable!(collection_shares -> users (user_id));
diesel::joinable!(collections -> images (cover_image_id));
diesel::joinable!(collections -> users (user_id));
diesel::joinable!(consents -> users (user_id));
diesel::joinable!(credit_accounts -> users (user_id));
diesel::joinable!(credit_grants -> users (user_id));
diesel::joinable!(credit_hold_allocations -> credit_grants (grant_id));
diesel::joinable!(credit_hold_allocations -> credit_holds (hold_id));
diesel::joinable!(credit_holds -> users (user_id));
diesel::joinable!(credit_ledger -> credit_grants (grant_id));
diesel::joinable!(credit_ledger -> credit_holds (hold_id));
diesel::joinable!(downloads -> images (image_id));
diesel::joinable!(downloads -> users (user_id));
diesel::joinable!(email_changes -> users (user_id));
diesel::joinable!(email_tokens -> users (user_id));
diesel::joinable!(identities -> users (user_id));
diesel::joinable!(images -> ai_tasks (task_id));
diesel::joinable!(images -> users (user_id));
diesel::joinable!(invitations -> users (created_by));
diesel::joinable!(jobs -> ai_tasks (task_id));
diesel::joinable!(moderation_events -> moderation_rules (rule_id));
diesel::joinable!(moderation_events -> users (user_id));
diesel::joinable!(moderation_rules -> users (created_by));
diesel::joinable!(oauth_apps -> users (user_id));
diesel::joinable!(oauth_codes -> oauth_grants (grant_id));
diesel::joinable!(oauth_device_codes -> oauth_apps (app_id));
diesel::joinable!(oauth_device_codes -> oauth_grants (grant_id));
diesel::joinable!(oauth_grant_tasks -> ai_tasks (task_id));
diesel::joinable!(oauth_grant_tasks -> oauth_grants (grant_id));
diesel::joinable!(oauth_grants -> oauth_apps (app_id));
diesel::joinable!(oauth_grants -> users (user_id));
diesel::joinable!(oauth_tokens -> oauth_grants (grant_id));
diesel::joinable!(orders -> credit_grants (grant_id));
diesel::joinable!(orders -> users (user_id));
diesel::joinable!(passkey_ceremonies -> users (user_id));
diesel::joinable!(passkeys -> users (user_id));
diesel::joinable!(privacy_requests -> users (user_id));
diesel::joinable!(prompts -> users (user_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(security_events -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(shares -> images (image_id));
diesel::joinable!(shares -> users (user_id));
diesel::joinable!(sign_in_challenges -> users (user_id));
diesel::joinable!(sso_flows -> sessions (session_id));
diesel::joinable!(sso_flows -> users (user_id));
diesel::joinable!(sso_pending -> users (user_id));
diesel::joinable!(stripe_invoices -> credit_grants (grant_id));
diesel::joinable!(stripe_invoices -> users (user_id));
diesel::joinable!(subscriptions -> users (user_id));
diesel::joinable!(support_messages -> support_tickets (ticket_id));
diesel::joinable!(support_messages -> users (author_id));
diesel::joinable!(support_tickets -> ai_tasks (task_id));
diesel::joinable!(support_tickets -> users (user_id));
diesel::joinable!(task_events -> users (user_id));
diesel::joinable!(totp_authenticators -> users (user_id));
diesel::joinable!(uploads -> users (user_id));
diesel::joinable!(webhook_deliveries -> users (user_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_endpoints -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    ai_tasks,
    api_key_tasks,
    api_keys,
    audit_log,
    backend_modes,
    billing_customers,
    collection_images,
    collection_shares,
    collections,
    consents,
    credit_accounts,
    credit_grants,
    credit_hold_allocations,
    credit_holds,
    credit_ledger,
    downloads,
    email_changes,
    email_tokens,
    identities,
    images,
    invitations,
    jobs,
    moderation_events,
    moderation_rules,
    oauth_apps,
    oauth_codes,
    oauth_device_codes,
    oauth_grant_tasks,
    oauth_grants,
    oauth_tokens,
    orders,
    passkey_ceremonies,
    passkeys,
    pending_objects,
    privacy_requests,
    prompts,
    recovery_codes,
    refresh_tokens,
    scheduled_runs,
    security_events,
    sessions,
    shares,
    sign_in_challenges,
    sso_flows,
    sso_pending,
    stripe_events,
    stripe_invoices,
    stripe_pending_refunds,
    subscriptions,
    support_messages,
    support_tickets,
    task_events,
    totp_authenticators,
    uploads,
    users,
    webhook_deliveries,
    webhook_endpoints,
    worker_processes,
);
