//! Operator views over every account.

use chrono::Utc;
use uuid::Uuid;
use zimage_shared::Page;
use zimage_shared::account::User;
use zimage_shared::credits::{AdminCreditRequest, CreditBalance, GrantSource};
use zimage_shared::validate;

use crate::db::users;
use crate::domain::audit::{self, Actor};
use crate::domain::credits::{self, NewGrant};
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
        |r| r.to_dto(),
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
    users::find(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    if req.amount > 0 {
        credits::grant(
            &mut conn,
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
        credits::admin_debit(&mut conn, user_id, -req.amount, &reason, admin_id).await?;
    }
    audit::record(
        &mut conn,
        admin,
        "credits.adjusted",
        "user",
        Some(user_id.to_string()),
        serde_json::json!({"amount": req.amount, "reason": reason, "expires_at": req.expires_at}),
    )
    .await?;
    tracing::info!(admin_id = %admin_id, user_id = %user_id, amount = req.amount, "credits adjusted by an administrator");
    credits::balance(&mut conn, user_id).await
}
