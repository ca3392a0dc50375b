//! Operator views over every account.

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;
use zimage_shared::account::{Locale, User};
use zimage_shared::admin::{
    AdminReason, AdminTask, AdminUserDetail, Announcement, AnnouncementSent, Dashboard,
    ModerationHit, PrivacyQueueItem, ProviderStats, Revenue, UnmatchedRefund,
};
use zimage_shared::credits::{AdminCreditRequest, CreditBalance, GrantSource};
use zimage_shared::generation::TaskStatus;
use zimage_shared::{ErrorCode, Page, validate};

use crate::db::admin::{self as admin_db, TaskFilter};
use crate::db::billing as billing_db;
use crate::db::generation::{self as generation_db, TaskRow};
use crate::db::privacy as privacy_db;
use crate::db::{sessions, users};
use crate::domain::audit::{self, Actor};
use crate::domain::credits::{self, NewGrant};
use crate::domain::privacy;
use crate::error::{ApiError, ApiResult, Validator};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;

/// Accounts newest first, optionally filtered by part of the e-mail address.
pub async fn list_users(
    state: &AppState,
    email: Option<&str>,
    page: PageRequest,
) -> ApiResult<Page<User>> {
    let mut conn = state.db.get().await?;
    let filter = email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty());
    let rows = users::list(&mut conn, filter.as_deref(), page).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |r| r.to_dto(&state.urls),
    ))
}

/// Largest single administrative grant or removal.
pub const MAX_ADMIN_CREDITS: i64 = 1_000_000;

/// Grants or removes credits on an administrator's authority.
pub async fn adjust_credits(
    state: &AppState,
    admin: &Actor,
    user_id: Uuid,
    req: AdminCreditRequest,
) -> ApiResult<CreditBalance> {
    let admin_id = admin.id;
    let mut v = Validator::new();
    if req.amount == 0 || req.amount.abs() > MAX_ADMIN_CREDITS {
        v.add(
            "amount",
            format!("must be non-zero and at most {MAX_ADMIN_CREDITS} either way"),
        );
    }
    let reason = v.check("reason", validate::required_text(&req.reason, 500));
    if req.amount < 0 && req.expires_at.is_some() {
        v.add("expires_at", "only applies to grants (a positive amount)");
    }
    if req.expires_at.is_some_and(|at| at <= Utc::now()) {
        v.add("expires_at", "must be in the future");
    }
    v.finish()?;
    let reason = reason.unwrap_or_default();
    let mut conn = state.db.get().await?;
    // The change and its audit entry commit together or not at all.
    conn.transaction::<_, ApiError, _>(async |conn| {
        users::find(conn, user_id)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
        if req.amount > 0 {
            credits::grant(
                conn,
                user_id,
                NewGrant {
                    source: GrantSource::Admin,
                    amount: req.amount,
                    expires_at: req.expires_at,
                    reference: None,
                    reason: reason.clone(),
                    actor: Some(admin_id),
                },
            )
            .await?;
        } else {
            credits::admin_debit(conn, user_id, -req.amount, &reason, admin_id).await?;
        }
        audit::record(
            conn,
            admin,
            "credits.adjusted",
            "user",
            Some(user_id.to_string()),
            serde_json::json!({"amount": req.amount, "reason": reason, "expires_at": req.expires_at}),
        )
        .await
    })
    .await?;
    tracing::info!(admin_id = %admin_id, user_id = %user_id, amount = req.amount, "credits adjusted by an administrator");
    credits::balance(&mut conn, user_id).await
}

fn reason_of(req: &AdminReason) -> ApiResult<String> {
    let mut v = Validator::new();
    let reason = v.check("reason", validate::required_text(&req.reason, 500));
    v.finish()?;
    Ok(reason.unwrap_or_default())
}

/// Everything about one account that support needs.
pub async fn user_detail(state: &AppState, user_id: Uuid) -> ApiResult<AdminUserDetail> {
    let mut conn = state.db.get().await?;
    let user = users::find(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let (tasks, images) = admin_db::count_tasks_and_images(&mut conn, user_id).await?;
    let sessions = sessions::list_active(
        &mut conn,
        user_id,
        PageRequest {
            after: None,
            limit: 100,
        },
    )
    .await?;
    Ok(AdminUserDetail {
        user: user.to_dto(&state.urls),
        disabled_at: user.disabled_at,
        disabled_reason: user.disabled_reason.clone(),
        restricted_at: user.restricted_at,
        objected_at: user.objected_at,
        balance: credits::balance(&mut conn, user_id).await?,
        tasks,
        images,
        sessions: sessions.iter().map(|s| s.to_dto(None)).collect(),
    })
}

/// Switches an account off: sessions, keys and webhooks stop; running tasks are canceled.
pub async fn disable_user(
    state: &AppState,
    admin: &Actor,
    user_id: Uuid,
    req: AdminReason,
) -> ApiResult<AdminUserDetail> {
    let reason = reason_of(&req)?;
    if user_id == admin.id {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "you cannot switch off your own account",
        ));
    }
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let user = users::find(conn, user_id)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
        if user.disabled_at.is_some() {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "the account is already switched off",
            ));
        }
        privacy::switch_off(conn, user_id, "admin", now).await?;
        audit::record(
            conn,
            admin,
            "user.disabled",
            "user",
            Some(user_id.to_string()),
            json!({"reason": reason}),
        )
        .await
    })
    .await?;
    drop(conn);
    privacy::cancel_active_tasks(state, user_id).await;
    tracing::info!(admin_id = %admin.id, user_id = %user_id, "account switched off by an administrator");
    user_detail(state, user_id).await
}

/// Switches an account an administrator switched off back on (not one being erased).
pub async fn enable_user(
    state: &AppState,
    admin: &Actor,
    user_id: Uuid,
) -> ApiResult<AdminUserDetail> {
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let user = users::find(conn, user_id)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
        if user.disabled_reason.as_deref() != Some("admin") {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "only accounts an administrator switched off can be switched on here",
            ));
        }
        privacy_db::set_disabled(conn, user_id, None).await?;
        audit::record(
            conn,
            admin,
            "user.enabled",
            "user",
            Some(user_id.to_string()),
            json!({}),
        )
        .await
    })
    .await?;
    user_detail(state, user_id).await
}

/// Signs the user out everywhere.
pub async fn revoke_sessions(
    state: &AppState,
    admin: &Actor,
    user_id: Uuid,
) -> ApiResult<AdminUserDetail> {
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        users::find(conn, user_id)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
        let n = sessions::revoke_all(conn, user_id, None).await?;
        audit::record(
            conn,
            admin,
            "user.sessions_revoked",
            "user",
            Some(user_id.to_string()),
            json!({"sessions": n}),
        )
        .await
    })
    .await?;
    user_detail(state, user_id).await
}

fn admin_task(row: &TaskRow, email: &str) -> AdminTask {
    AdminTask {
        id: row.id,
        user_id: row.user_id,
        user_email: email.to_string(),
        model: row.model.clone(),
        provider: row.provider.clone(),
        provider_task_id: row.provider_task_id.clone(),
        status: TaskStatus::parse(&row.status).unwrap_or(TaskStatus::Failed),
        failure_reason: row.failure_reason.clone(),
        failure_message: row.failure_message.clone(),
        prompt: row.prompt.clone(),
        cost: row.cost,
        charged: row.charged,
        refunded: row.refunded,
        created_at: row.created_at,
        finished_at: row.finished_at,
    }
}

pub async fn search_tasks(
    state: &AppState,
    filter: &TaskFilter,
    page: PageRequest,
) -> ApiResult<Page<AdminTask>> {
    let mut conn = state.db.get().await?;
    let rows = admin_db::search_tasks(&mut conn, filter, page).await?;
    Ok(page.page(
        rows,
        |(r, _)| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |(r, email)| admin_task(r, email),
    ))
}

/// Gives back what a finished task was charged (once; the grant is keyed by the task).
pub async fn refund_task(
    state: &AppState,
    admin: &Actor,
    task_id: Uuid,
    req: AdminReason,
) -> ApiResult<AdminTask> {
    let reason = reason_of(&req)?;
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let task = generation_db::find_task(conn, task_id)
            .await?
            .ok_or_else(|| ApiError::not_found("task"))?;
        let task = generation_db::lock_task(conn, task_id, task.user_id)
            .await?
            .ok_or_else(|| ApiError::not_found("task"))?;
        let amount = task.charged - task.refunded;
        if amount <= 0 {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "nothing left to refund: the task was not charged or was refunded already",
            ));
        }
        let granted = credits::grant(
            conn,
            task.user_id,
            NewGrant {
                source: GrantSource::Admin,
                amount,
                expires_at: None,
                reference: Some(format!("task-refund:{task_id}")),
                reason: format!("refund for task {task_id}: {reason}"),
                actor: Some(admin.id),
            },
        )
        .await?;
        if granted.is_none() {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "this task was refunded already",
            ));
        }
        admin_db::add_refund(conn, task_id, amount).await?;
        audit::record(
            conn,
            admin,
            "task.refunded",
            "task",
            Some(task_id.to_string()),
            json!({"amount": amount, "reason": reason, "user_id": task.user_id}),
        )
        .await
    })
    .await?;
    let filter = TaskFilter {
        q: Some(task_id.to_string()),
        ..Default::default()
    };
    let page = PageRequest {
        after: None,
        limit: 1,
    };
    let rows = admin_db::search_tasks(&mut conn, &filter, page).await?;
    rows.first()
        .map(|(r, e)| admin_task(r, e))
        .ok_or_else(|| ApiError::not_found("task"))
}

pub async fn moderation_hits(
    state: &AppState,
    page: PageRequest,
) -> ApiResult<Page<ModerationHit>> {
    let mut conn = state.db.get().await?;
    let rows = admin_db::moderation_hits(&mut conn, page).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |r| ModerationHit {
            id: r.id,
            user_id: r.user_id,
            user_email: r.email.clone(),
            rule_id: r.rule_id,
            prompt: r.prompt.clone(),
            created_at: r.created_at,
        },
    ))
}

/// Open data-rights requests, the soonest due first, overdue ones flagged.
pub async fn privacy_queue(
    state: &AppState,
    page: PageRequest,
) -> ApiResult<Page<PrivacyQueueItem>> {
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    let rows = privacy_db::open_queue(&mut conn, page).await?;
    Ok(page.page(
        rows,
        |(r, _)| Cursor {
            created_at: r.due_at,
            id: r.id,
        },
        |(r, email)| PrivacyQueueItem {
            request: privacy::to_dto(state, r),
            user_id: r.user_id,
            user_email: email.clone(),
            overdue: r.due_at < now,
        },
    ))
}

/// Longest dashboard period.
pub const MAX_DASHBOARD_DAYS: i64 = 366;

pub async fn dashboard(
    state: &AppState,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> ApiResult<Dashboard> {
    let to = to.unwrap_or_else(|| state.clock.now());
    let from = from.unwrap_or(to - Duration::days(30));
    if from >= to || to - from > Duration::days(MAX_DASHBOARD_DAYS) {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            format!("`from` must be before `to`, at most {MAX_DASHBOARD_DAYS} days apart"),
        ));
    }
    let mut conn = state.db.get().await?;
    let figures = admin_db::figures(&mut conn, from, to).await?;
    let providers = admin_db::providers(&mut conn, from, to)
        .await?
        .into_iter()
        .map(|p| ProviderStats {
            failure_rate: if p.finished > 0 {
                p.failed as f64 / p.finished as f64
            } else {
                0.0
            },
            provider: p.provider,
            tasks: p.tasks,
            failed: p.failed,
        })
        .collect();
    let revenue = admin_db::revenue(&mut conn, from, to)
        .await?
        .into_iter()
        .map(|r| Revenue {
            currency: r.currency,
            amount_cents: r.amount,
        })
        .collect();
    Ok(Dashboard {
        from,
        to,
        signups: figures.signups,
        generations: figures.generations,
        generations_failed: figures.failed,
        providers,
        credits_sold: figures.credits_sold,
        credits_spent: figures.credits_spent,
        revenue,
        excluded_accounts: figures.excluded,
        unmatched_refunds: billing_db::unmatched_refunds(
            &mut conn,
            state.clock.now() - Duration::days(1),
            50,
        )
        .await?
        .into_iter()
        .map(
            |(payment_intent, amount_refunded, currency, received_at)| UnmatchedRefund {
                payment_intent,
                amount_refunded,
                currency,
                received_at,
            },
        )
        .collect(),
    })
}

/// Sends a marketing e-mail to everyone who opted in (and did not restrict or object), each
/// with a one-click unsubscribe link. Sent in the background; returns the recipient count.
pub async fn announce(
    state: &actix_web::web::Data<AppState>,
    admin: &Actor,
    req: Announcement,
) -> ApiResult<AnnouncementSent> {
    let mut v = Validator::new();
    let subject = v.check("subject", validate::required_text(&req.subject, 150));
    let body = v.check("body", validate::required_multiline(&req.body, 5000));
    v.finish()?;
    let (subject, body) = (subject.unwrap_or_default(), body.unwrap_or_default());
    let mut conn = state.db.get().await?;
    let audience = admin_db::marketing_audience(&mut conn).await?;
    let recipients = i64::try_from(audience.len()).unwrap_or(i64::MAX);
    audit::record(
        &mut conn,
        admin,
        "announcement.sent",
        "announcement",
        None,
        json!({"subject": subject, "recipients": recipients}),
    )
    .await?;
    let state = state.clone();
    tokio::spawn(async move {
        for (user_id, email, locale) in audience {
            let link = format!(
                "{}/unsubscribe?token={}",
                state.config.public_url,
                state.urls.unsubscribe_token(user_id)
            );
            let one_click = format!(
                "{}/v1/unsubscribe?token={}",
                state.config.public_url,
                state.urls.unsubscribe_token(user_id)
            );
            let locale = Locale::parse(&locale).unwrap_or_default();
            let message = crate::mail::render_announcement(
                &subject, &body, &link, &one_click, locale, &email,
            );
            state.mailer.send_or_log(&message).await;
        }
    });
    Ok(AnnouncementSent { recipients })
}
