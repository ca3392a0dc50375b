//! Data-rights requests: export (access and portability), erasure, restriction and objection,
//! each answered within 30 days and most of them at once.
//!
//! Exports are built by a background job ([`crate::jobs::privacy`]); confirmed erasures switch the
//! account off at once and are purged by the scheduler after a grace period in which signing in
//! with `keep_account` cancels them.

use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;
use zimage_shared::privacy::{
    CreatePrivacyRequest, PrivacyFlags, PrivacyRequest, PrivacyRequestKind, PrivacyRequestStatus,
};
use zimage_shared::{ErrorCode, Page};

use crate::auth::secrets;
use crate::db::models::UserRow;
use crate::db::privacy::{self as db, PrivacyRequestRow};
use crate::db::{api_keys, generation, sessions, users, webhooks};
use crate::domain::ClientInfo;
use crate::domain::security::record;
use crate::error::{ApiError, ApiResult, Validator};
use crate::mail::{Template, render};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;
use crate::storage::ObjectStore;

/// Every request is answered within this many days of arriving.
pub const RESPONSE_DAYS: i64 = 30;
/// How long a finished export can be downloaded before the archive is deleted.
pub const EXPORT_TTL_DAYS: i64 = 7;
/// Exports one account may ask for in 30 days (each copies every image).
pub const MAX_EXPORTS_PER_30_DAYS: i64 = 5;
/// How long the e-mailed erasure confirmation link works.
pub const CONFIRM_TTL: Duration = Duration::hours(24);
/// Longest note on a request.
pub const MAX_NOTE_CHARS: usize = 2000;

fn kind_of(row: &PrivacyRequestRow) -> PrivacyRequestKind {
    PrivacyRequestKind::parse(&row.kind).unwrap_or(PrivacyRequestKind::Export)
}

fn status_of(row: &PrivacyRequestRow) -> PrivacyRequestStatus {
    PrivacyRequestStatus::parse(&row.status).unwrap_or(PrivacyRequestStatus::Failed)
}

/// Path of an export's download; signed for use without a token.
pub fn download_path(id: Uuid) -> String {
    format!("/v1/privacy/requests/{id}/download")
}

pub fn to_dto(state: &AppState, row: &PrivacyRequestRow) -> PrivacyRequest {
    let downloadable =
        row.archive_key.is_some() && status_of(row) == PrivacyRequestStatus::Completed;
    PrivacyRequest {
        id: row.id,
        kind: kind_of(row),
        status: status_of(row),
        note: row.note.clone(),
        received_at: row.received_at,
        due_at: row.due_at,
        completed_at: row.completed_at,
        purge_after: row.purge_after,
        archive_bytes: row.archive_bytes,
        download_url: downloadable.then(|| {
            state
                .urls
                .sign_for(&download_path(row.id), Utc::now(), DOWNLOAD_LINK_SECS)
        }),
        download_expires_at: if downloadable {
            row.archive_expires_at
        } else {
            None
        },
        error: row.error.clone(),
    }
}

/// Files a request. Exports are queued; erasure e-mails a confirmation link; restriction and
/// objection take effect at once.
pub async fn create(
    state: &AppState,
    user: &UserRow,
    req: CreatePrivacyRequest,
    client: &ClientInfo,
) -> ApiResult<PrivacyRequest> {
    let mut v = Validator::new();
    let note = req
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        v.add(
            "note",
            format!("must be at most {MAX_NOTE_CHARS} characters"),
        );
    }
    v.finish()?;
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    if req.kind == PrivacyRequestKind::Export
        && db::count_since(&mut conn, user.id, "export", now - Duration::days(30)).await?
            >= MAX_EXPORTS_PER_30_DAYS
    {
        return Err(ApiError::new(
            ErrorCode::LimitReached,
            format!(
                "at most {MAX_EXPORTS_PER_30_DAYS} exports in 30 days; download the latest one instead"
            ),
        ));
    }
    let token = secrets::random_token();
    let immediate = matches!(
        req.kind,
        PrivacyRequestKind::Restriction | PrivacyRequestKind::Objection
    );
    let row = PrivacyRequestRow {
        id: Uuid::new_v4(),
        user_id: Some(user.id),
        subject_ref: state.urls.pseudonym(user.id),
        kind: req.kind.as_str().to_string(),
        status: match req.kind {
            PrivacyRequestKind::Export => PrivacyRequestStatus::Pending,
            PrivacyRequestKind::Erasure => PrivacyRequestStatus::AwaitingConfirmation,
            _ => PrivacyRequestStatus::Completed,
        }
        .as_str()
        .to_string(),
        note,
        received_at: now,
        due_at: now + Duration::days(RESPONSE_DAYS),
        completed_at: immediate.then_some(now),
        confirm_token_hash: (req.kind == PrivacyRequestKind::Erasure)
            .then(|| secrets::hash(&token)),
        confirm_expires_at: (req.kind == PrivacyRequestKind::Erasure).then(|| now + CONFIRM_TTL),
        purge_after: None,
        archive_key: None,
        archive_bytes: None,
        archive_expires_at: None,
        attempts: 0,
        claimed_until: None,
        error: None,
        updated_at: now,
    };
    conn.transaction::<_, ApiError, _>(async |conn| {
        match db::insert(conn, &row).await {
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {
                return Err(ApiError::new(
                    ErrorCode::RequestInProgress,
                    format!(
                        "a {} request is already open; it is listed under your requests",
                        row.kind
                    ),
                ));
            }
            other => other?,
        }
        if immediate {
            db::set_flag(conn, user.id, &row.kind, Some(now)).await?;
        }
        if req.kind == PrivacyRequestKind::Export {
            generation::notify_workers(conn, generation::Queue::Privacy).await?;
        }
        record(
            conn,
            user.id,
            &format!("privacy.{}_requested", row.kind),
            Some(client),
            json!({"request_id": row.id}),
        )
        .await?;
        Ok(())
    })
    .await?;
    if req.kind == PrivacyRequestKind::Erasure {
        let link = format!(
            "{}/privacy/confirm?token={token}&request={}",
            state.config.public_url, row.id
        );
        state
            .mailer
            .send_or_log(&render(
                &Template::ConfirmErasure { link: &link },
                user.locale(),
                &user.email,
            ))
            .await;
    }
    tracing::info!(user_id = %user.id, request_id = %row.id, kind = %row.kind, "privacy request received");
    Ok(to_dto(state, &row))
}

pub async fn list(
    state: &AppState,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<PrivacyRequest>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_for_user(&mut conn, user_id, page).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.received_at,
            id: r.id,
        },
        |r| to_dto(state, r),
    ))
}

async fn own(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    id: Uuid,
) -> ApiResult<PrivacyRequestRow> {
    db::find(conn, id)
        .await?
        .filter(|r| r.user_id == Some(user_id))
        .ok_or_else(|| ApiError::not_found("privacy request"))
}

pub async fn get(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<PrivacyRequest> {
    let mut conn = state.db.get().await?;
    Ok(to_dto(state, &own(&mut conn, user_id, id).await?))
}

/// Withdraws an erasure not yet confirmed, or an export not yet started.
pub async fn cancel(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
    client: &ClientInfo,
) -> ApiResult<PrivacyRequest> {
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    let row = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let row = db::lock(conn, id)
                .await?
                .filter(|r| r.user_id == Some(user_id))
                .ok_or_else(|| ApiError::not_found("privacy request"))?;
            if !matches!(
                status_of(&row),
                PrivacyRequestStatus::AwaitingConfirmation | PrivacyRequestStatus::Pending
            ) {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    format!("a {} request cannot be withdrawn now", row.status),
                ));
            }
            db::set_status(conn, id, "canceled", None, now).await?;
            record(
                conn,
                user_id,
                &format!("privacy.{}_withdrawn", row.kind),
                Some(client),
                json!({"request_id": id}),
            )
            .await?;
            Ok(row)
        })
        .await?;
    tracing::info!(user_id = %user_id, request_id = %row.id, "privacy request withdrawn");
    get(state, user_id, id).await
}

/// The identity check of an erasure: the token from the e-mail. The account goes off at once.
pub async fn confirm(
    state: &AppState,
    id: Uuid,
    token: &str,
    client: &ClientInfo,
) -> ApiResult<PrivacyRequest> {
    let invalid = || {
        ApiError::new(
            ErrorCode::InvalidToken,
            "this confirmation link is not valid or has expired; ask for the deletion again",
        )
    };
    let now = state.clock.now();
    let grace = Duration::days(state.config.erasure_grace_days);
    let mut conn = state.db.get().await?;
    let (row, user) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let row = db::lock(conn, id).await?.ok_or_else(invalid)?;
            let expected = row.confirm_token_hash.clone().ok_or_else(invalid)?;
            let given = secrets::hash(token.trim());
            let matches = subtle::ConstantTimeEq::ct_eq(expected.as_slice(), given.as_slice());
            if !bool::from(matches)
                || row.kind != "erasure"
                || status_of(&row) != PrivacyRequestStatus::AwaitingConfirmation
                || row.confirm_expires_at.is_none_or(|at| at < now)
            {
                return Err(invalid());
            }
            let user_id = row.user_id.ok_or_else(invalid)?;
            let user = users::find(conn, user_id).await?.ok_or_else(invalid)?;
            db::schedule_erasure(conn, id, now + grace, now).await?;
            switch_off(conn, user_id, "erasure", now).await?;
            record(
                conn,
                user_id,
                "privacy.erasure_confirmed",
                Some(client),
                json!({"request_id": id, "purge_after": now + grace}),
            )
            .await?;
            Ok((row, user))
        })
        .await?;
    drop(conn);
    cancel_active_tasks(state, user.id).await;
    let on = (now + grace).format("%Y-%m-%d").to_string();
    let link = format!("{}/login?keep_account=1", state.config.public_url);
    state
        .mailer
        .send_or_log(&render(
            &Template::ErasureScheduled {
                on: &on,
                link: &link,
            },
            user.locale(),
            &user.email,
        ))
        .await;
    tracing::info!(user_id = %user.id, request_id = %row.id, "erasure confirmed; account switched off");
    let mut conn = state.db.get().await?;
    let row = db::find(&mut conn, id).await?.ok_or_else(invalid)?;
    Ok(to_dto(state, &row))
}

/// Switches an account off: every session, refresh token, API key, app authorization and
/// webhook stops working.
/// Runs in the caller's transaction; queued and running tasks are canceled afterwards with
/// [`cancel_active_tasks`].
pub async fn switch_off(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    db::set_disabled(conn, user_id, Some((now, reason))).await?;
    sessions::revoke_all(conn, user_id, None).await?;
    api_keys::revoke_all(conn, user_id).await?;
    crate::db::oauth::revoke_all_grants(conn, user_id).await?;
    webhooks::disable_all(conn, user_id, "the account was switched off").await?;
    Ok(())
}

/// Cancels the user's queued and running tasks; their held credits come back.
pub async fn cancel_active_tasks(state: &AppState, user_id: Uuid) {
    let ids = match state.db.get().await {
        Ok(mut conn) => generation::active_task_ids(&mut conn, user_id)
            .await
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    for id in ids {
        match crate::domain::generation::cancel(state, user_id, id).await {
            Ok(_) => {}
            Err(err) if err.code() == ErrorCode::TaskFinished => {}
            Err(err) => {
                tracing::error!(user_id = %user_id, task_id = %id, error = ?err, "could not cancel a task of a switched-off account")
            }
        }
    }
}

/// Whether a user whose password checked out may have a session. A confirmed erasure in its
/// grace period is cancelled by `keep_account`; otherwise a switched-off account stays off.
pub async fn check_can_sign_in(
    state: &AppState,
    user: &UserRow,
    keep_account: bool,
    client: &ClientInfo,
) -> ApiResult<()> {
    if user.disabled_at.is_none() {
        return Ok(());
    }
    if user.disabled_reason.as_deref() != Some("erasure") {
        return Err(ApiError::new(
            ErrorCode::AccountDisabled,
            "this account is switched off; contact support",
        ));
    }
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    let Some(request) = db::scheduled_erasure(&mut conn, user.id).await? else {
        return Err(ApiError::new(
            ErrorCode::AccountDisabled,
            "this account is being deleted",
        ));
    };
    if !keep_account {
        let on = request
            .purge_after
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        return Err(ApiError::new(
            ErrorCode::ErasurePending,
            format!(
                "this account is scheduled for deletion on {on}; sign in with `keep_account: true` to keep it"
            ),
        ));
    }
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::set_status(conn, request.id, "canceled", None, now).await?;
        db::set_disabled(conn, user.id, None).await?;
        record(
            conn,
            user.id,
            "privacy.erasure_canceled",
            Some(client),
            json!({"request_id": request.id}),
        )
        .await?;
        Ok(())
    })
    .await?;
    tracing::info!(user_id = %user.id, request_id = %request.id, "erasure canceled by signing in");
    Ok(())
}

/// The archive of a finished export, for its owner or a signed link.
/// An export archive on its way from storage: its size, a file name, and the pieces.
pub struct Archive {
    pub bytes: u64,
    pub name: String,
    pub body: crate::storage::ByteStream,
}

/// Opens a finished export for download, streamed from storage (archives run to gigabytes).
/// How long an export's `download_url` works: long enough to start the download, too short to
/// be worth passing around (fetch the request again for a fresh one).
pub const DOWNLOAD_LINK_SECS: i64 = 600;

pub async fn archive(
    state: &AppState,
    reader: &crate::routes::FileReader,
    id: Uuid,
) -> ApiResult<Archive> {
    let mut conn = state.db.get().await?;
    let row = db::find(&mut conn, id)
        .await?
        .filter(|r| match reader {
            crate::routes::FileReader::User(user_id) => r.user_id == Some(*user_id),
            crate::routes::FileReader::Signed => r.user_id.is_some(),
        })
        .ok_or_else(|| ApiError::not_found("privacy request"))?;
    let key = row
        .archive_key
        .as_deref()
        .filter(|_| status_of(&row) == PrivacyRequestStatus::Completed)
        .ok_or_else(|| {
            ApiError::not_found("export archive").with_detail(
                "this export has no archive to download (not ready yet, or deleted after 7 days)",
            )
        })?;
    let body = state.storage.get_stream(key).await.map_err(|e| match e {
        crate::storage::StorageError::NotFound => ApiError::not_found("export archive"),
        other => ApiError::internal(anyhow::anyhow!(other)),
    })?;
    let name = format!(
        "zimage-export-{}.zip",
        row.completed_at
            .unwrap_or(row.received_at)
            .format("%Y-%m-%d")
    );
    drop(conn);
    Ok(Archive {
        bytes: row.archive_bytes.unwrap_or_default().unsigned_abs(),
        name,
        body,
    })
}

pub async fn flags(state: &AppState, user_id: Uuid) -> ApiResult<PrivacyFlags> {
    let mut conn = state.db.get().await?;
    let user = users::find(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    Ok(PrivacyFlags {
        restricted_at: user.restricted_at,
        objected_at: user.objected_at,
    })
}

/// Lifts a restriction or withdraws an objection.
pub async fn lift_flag(
    state: &AppState,
    user_id: Uuid,
    kind: PrivacyRequestKind,
    client: &ClientInfo,
) -> ApiResult<PrivacyFlags> {
    if !matches!(
        kind,
        PrivacyRequestKind::Restriction | PrivacyRequestKind::Objection
    ) {
        return Err(ApiError::not_found("flag"));
    }
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::set_flag(conn, user_id, kind.as_str(), None).await?;
        record(
            conn,
            user_id,
            &format!("privacy.{}_lifted", kind.as_str()),
            Some(client),
            json!({}),
        )
        .await?;
        Ok(())
    })
    .await?;
    flags(state, user_id).await
}

/// Deletes everything of one person: stored objects first (so nothing is orphaned if a delete
/// fails: the purge is retried on the next run), then the account row with all that hangs off
/// it. Payment records, the privacy requests and the audit log keep a pseudonym instead.
pub async fn purge_account(state: &AppState, user_id: Uuid) -> ApiResult<()> {
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    for key in db::stored_object_keys(&mut conn, user_id).await? {
        state
            .storage
            .delete(&key)
            .await
            .map_err(|e| ApiError::internal(anyhow::anyhow!("deleting {key}: {e}")))?;
    }
    let pseudonym = state.urls.pseudonym(user_id);
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::purge_user(conn, user_id, &pseudonym, now).await?;
        Ok(())
    })
    .await?;
    tracing::info!(subject = %pseudonym, "account purged");
    Ok(())
}
