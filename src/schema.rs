// @generated automatically by Diesel CLI.

diesel::table! {
    accounts (id) {
        id -> Uuid,
        external_id -> Nullable<Text>,
        status -> Text,
        entity_type -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        redacted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        name -> Text,
        prefix -> Text,
        secret_hash -> Bytea,
        permissions -> Array<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        revoked_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    api_key_reads (api_key_id, day) {
        api_key_id -> Uuid,
        day -> Date,
        reads -> Int8,
    }
}

diesel::table! {
    approval_requests (id) {
        id -> Uuid,
        kind -> Text,
        session_id -> Uuid,
        requested_by -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        reason -> Nullable<Text>,
        comment -> Nullable<Text>,
        status -> Text,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    bulk_change_items (change_id, position) {
        change_id -> Uuid,
        position -> Int4,
        session_id -> Uuid,
        outcome -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    bulk_changes (id) {
        id -> Uuid,
        requested_by -> Uuid,
        action -> Text,
        assignee -> Nullable<Uuid>,
        note -> Nullable<Text>,
        query -> Text,
        filter -> Nullable<Jsonb>,
        total -> Nullable<Int4>,
        done -> Int4,
        changed -> Int4,
        unchanged -> Int4,
        refused -> Int4,
        lease_token -> Nullable<Uuid>,
        lease_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
        cancelled_at -> Nullable<Timestamptz>,
        cancelled_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    capture_links (id) {
        id -> Uuid,
        session_id -> Uuid,
        token_hash -> Bytea,
        resubmission_id -> Nullable<Uuid>,
        created_by_type -> Text,
        created_by_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        consented_at -> Nullable<Timestamptz>,
        consent_version -> Nullable<Text>,
        entered_fields -> Array<Text>,
        idv_document_type -> Nullable<Text>,
        idv_document_id -> Nullable<Uuid>,
        address_document_id -> Nullable<Uuid>,
        submitted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    document_files (id) {
        id -> Uuid,
        document_id -> Uuid,
        side -> Text,
        filename -> Nullable<Text>,
        content_type -> Text,
        byte_size -> Int4,
        sha256 -> Text,
        content -> Nullable<Bytea>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    documents (id) {
        id -> Uuid,
        session_id -> Uuid,
        kind -> Text,
        document_type -> Text,
        status -> Text,
        mrz -> Nullable<Text>,
        reported -> Nullable<Jsonb>,
        extracted -> Nullable<Jsonb>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    events (id) {
        id -> Int8,
        session_id -> Nullable<Uuid>,
        actor_type -> Text,
        actor_id -> Nullable<Uuid>,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        details -> Jsonb,
        ip -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (api_key_id, key) {
        api_key_id -> Uuid,
        key -> Text,
        request_hash -> Text,
        response_status -> Int2,
        response_body -> Jsonb,
        created_at -> Timestamptz,
        session_id -> Nullable<Uuid>,
        account_id -> Nullable<Uuid>,
        erased_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    job_ticks (name) {
        name -> Text,
        last_started_at -> Timestamptz,
        runs -> Int8,
        instance -> Text,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Int8,
        username -> Text,
        ip -> Text,
        succeeded -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    notes (id) {
        id -> Uuid,
        session_id -> Uuid,
        author_id -> Uuid,
        body -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Uuid,
        user_id -> Uuid,
        code_hash -> Text,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    resubmission_requests (id) {
        id -> Uuid,
        session_id -> Uuid,
        document_id -> Uuid,
        reason -> Text,
        message -> Nullable<Text>,
        requested_by_type -> Text,
        requested_by_id -> Uuid,
        created_at -> Timestamptz,
        fulfilled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    saved_views (id) {
        id -> Uuid,
        owner_id -> Uuid,
        name -> Text,
        query -> Text,
        shared -> Bool,
        pinned -> Bool,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    session_devices (id) {
        id -> Uuid,
        session_id -> Uuid,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        platform -> Nullable<Text>,
        browser -> Nullable<Text>,
        os -> Nullable<Text>,
        device_type -> Nullable<Text>,
        language -> Nullable<Text>,
        screen -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        account_id -> Uuid,
        status -> Text,
        previous_status -> Nullable<Text>,
        entity_type -> Text,
        creator_type -> Text,
        creator_id -> Nullable<Uuid>,
        required_verifications -> Array<Text>,
        first_name -> Nullable<Text>,
        middle_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        birth_date -> Nullable<Date>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        address_line1 -> Nullable<Text>,
        address_line2 -> Nullable<Text>,
        address_sublocality -> Nullable<Text>,
        address_locality -> Nullable<Text>,
        address_administrative_area -> Nullable<Text>,
        address_postal_code -> Nullable<Text>,
        address_country_code -> Nullable<Text>,
        identity_number -> Nullable<Text>,
        identity_number_issuing_country_code -> Nullable<Text>,
        identity_number_class -> Nullable<Text>,
        assigned_to -> Nullable<Uuid>,
        assigned_at -> Nullable<Timestamptz>,
        decision -> Nullable<Text>,
        decision_reason -> Nullable<Text>,
        decision_comment -> Nullable<Text>,
        decided_by_type -> Nullable<Text>,
        decided_by -> Nullable<Uuid>,
        last_activity -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        submitted_at -> Nullable<Timestamptz>,
        completed_at -> Nullable<Timestamptz>,
        failed_at -> Nullable<Timestamptz>,
        marked_for_review_at -> Nullable<Timestamptz>,
        decisioned_at -> Nullable<Timestamptz>,
        expired_at -> Nullable<Timestamptz>,
        expires_at -> Timestamptz,
        redacted_at -> Nullable<Timestamptz>,
        redacted_by_type -> Nullable<Text>,
        redacted_by -> Nullable<Uuid>,
        search_text -> Nullable<Text>,
        waiting_since -> Nullable<Timestamptz>,
        claimed_at -> Nullable<Timestamptz>,
        sla_breached_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        username -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        disabled -> Bool,
        session_epoch -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_login_at -> Nullable<Timestamptz>,
        totp_secret -> Nullable<Text>,
        totp_enabled_at -> Nullable<Timestamptz>,
        totp_last_step -> Nullable<Int8>,
        shortcuts_enabled -> Bool,
    }
}

diesel::table! {
    verification_checks (id) {
        id -> Uuid,
        verification_id -> Uuid,
        position -> Int2,
        name -> Text,
        status -> Text,
        requirement -> Text,
        reasons -> Array<Text>,
        metadata -> Jsonb,
    }
}

diesel::table! {
    verifications (id) {
        id -> Uuid,
        session_id -> Uuid,
        document_id -> Uuid,
        kind -> Text,
        status -> Text,
        extracted -> Nullable<Jsonb>,
        auto_update_session -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
        compared -> Nullable<Jsonb>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Int8,
        delivery_id -> Uuid,
        attempt -> Int4,
        status -> Nullable<Int4>,
        error -> Nullable<Text>,
        latency_ms -> Int4,
        created_at -> Timestamptz,
        response -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        endpoint_id -> Uuid,
        event_id -> Text,
        event_type -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_attempt_at -> Nullable<Timestamptz>,
        last_status -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        last_latency_ms -> Nullable<Int4>,
        last_response -> Nullable<Text>,
        redelivery_of -> Nullable<Uuid>,
        redelivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Uuid,
        url -> Text,
        description -> Text,
        events -> Nullable<Array<Text>>,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamptz>,
        failing_since -> Nullable<Timestamptz>,
        created_by_type -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(api_key_reads -> api_keys (api_key_id));
diesel::joinable!(api_keys -> users (created_by));
diesel::joinable!(capture_links -> sessions (session_id));
diesel::joinable!(approval_requests -> sessions (session_id));
diesel::joinable!(document_files -> documents (document_id));
diesel::joinable!(documents -> sessions (session_id));
diesel::joinable!(events -> sessions (session_id));
diesel::joinable!(idempotency_keys -> api_keys (api_key_id));
diesel::joinable!(idempotency_keys -> sessions (session_id));
diesel::joinable!(notes -> sessions (session_id));
diesel::joinable!(notes -> users (author_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(resubmission_requests -> sessions (session_id));
diesel::joinable!(bulk_change_items -> bulk_changes (change_id));
diesel::joinable!(saved_views -> users (owner_id));
diesel::joinable!(session_devices -> sessions (session_id));
diesel::joinable!(sessions -> accounts (account_id));
diesel::joinable!(sessions -> users (assigned_to));
diesel::joinable!(verification_checks -> verifications (verification_id));
diesel::joinable!(verifications -> documents (document_id));
diesel::joinable!(verifications -> sessions (session_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    api_key_reads,
    api_keys,
    approval_requests,
    bulk_change_items,
    bulk_changes,
    capture_links,
    document_files,
    documents,
    events,
    idempotency_keys,
    job_ticks,
    login_attempts,
    notes,
    recovery_codes,
    resubmission_requests,
    saved_views,
    session_devices,
    sessions,
    users,
    verification_checks,
    verifications,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
);
