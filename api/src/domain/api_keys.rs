//! API keys for third-party developers: created once, shown once, stored hashed.

use chrono::Datelike;
use uuid::Uuid;
use zimage_shared::account::{ApiKeyCreated, ApiKeyInfo, CreateApiKeyRequest};
use zimage_shared::validate;
use zimage_shared::{ErrorCode, Page};

use crate::auth::secrets;
use crate::db::api_keys as db;
use crate::error::{ApiError, ApiResult, Validator};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;

/// Most live keys one user may hold.
pub const MAX_KEYS_PER_USER: i64 = 25;

/// The limits of a new key, checked: an expiry in the future and at most a year ahead, caps
/// from 1 to a billion credits, and models from the catalogue.
struct Limits {
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    daily: Option<i64>,
    monthly: Option<i64>,
    models: Option<Vec<String>>,
}

fn limits(state: &AppState, req: &CreateApiKeyRequest) -> ApiResult<Limits> {
    use zimage_shared::account::{MAX_KEY_CREDIT_LIMIT, MAX_KEY_LIFETIME_DAYS, MAX_KEY_MODELS};
    let mut v = Validator::new();
    let now = chrono::Utc::now();
    if let Some(at) = req.expires_at
        && (at <= now || at > now + chrono::Duration::days(MAX_KEY_LIFETIME_DAYS))
    {
        v.add(
            "expires_at",
            format!("must be in the future, at most {MAX_KEY_LIFETIME_DAYS} days ahead"),
        );
    }
    for (field, cap) in [
        ("daily_credit_limit", req.daily_credit_limit),
        ("monthly_credit_limit", req.monthly_credit_limit),
    ] {
        if cap.is_some_and(|c| !(1..=MAX_KEY_CREDIT_LIMIT).contains(&c)) {
            v.add(field, format!("must be from 1 to {MAX_KEY_CREDIT_LIMIT}"));
        }
    }
    let models = req.allowed_models.as_ref().map(|models| {
        let mut models = models.clone();
        models.sort();
        models.dedup();
        models
    });
    if let Some(models) = &models {
        if models.is_empty() || models.len() > MAX_KEY_MODELS {
            v.add(
                "allowed_models",
                format!("name 1 to {MAX_KEY_MODELS} models, or leave it out for any"),
            );
        }
        for model in models {
            if state.models.find(model).is_none() {
                v.add(
                    "allowed_models",
                    format!("`{model}` is not a model from GET /v1/models"),
                );
            }
        }
    }
    v.finish()?;
    Ok(Limits {
        expires_at: req.expires_at,
        daily: req.daily_credit_limit,
        monthly: req.monthly_credit_limit,
        models,
    })
}

pub async fn create(
    state: &AppState,
    user_id: Uuid,
    req: CreateApiKeyRequest,
) -> ApiResult<ApiKeyCreated> {
    let name = validate::required_text(&req.name, validate::API_KEY_NAME_MAX_CHARS)
        .map_err(|e| ApiError::field("name", e.message()))?;
    let limits = limits(state, &req)?;
    let mut scopes: Vec<_> = req.scopes;
    scopes.sort();
    scopes.dedup();
    let mut conn = state.db.get().await?;
    if db::count_active(&mut conn, user_id).await? >= MAX_KEYS_PER_USER {
        return Err(ApiError::new(
            ErrorCode::LimitReached,
            format!("you can hold at most {MAX_KEYS_PER_USER} API keys; revoke one first"),
        ));
    }
    let secret = secrets::new_api_key();
    let prefix: String = secret.chars().take(secrets::API_KEY_SHOWN_CHARS).collect();
    let row = db::insert(
        &mut conn,
        db::NewApiKey {
            id: Uuid::new_v4(),
            user_id,
            name: &name,
            prefix: &prefix,
            secret_hash: &secrets::hash(&secret),
            scopes: scopes.iter().map(|s| s.as_str().to_string()).collect(),
            expires_at: limits.expires_at,
            daily_credit_limit: limits.daily,
            monthly_credit_limit: limits.monthly,
            allowed_models: limits.models,
        },
    )
    .await?;
    tracing::info!(user_id = %user_id, key_id = %row.id, "API key created");
    crate::domain::security::record(
        &mut conn,
        user_id,
        "api_key.created",
        None,
        serde_json::json!({"key_id": row.id, "name": row.name, "prefix": row.prefix}),
    )
    .await?;
    Ok(ApiKeyCreated {
        secret,
        key: row.to_dto(db::Spent::default()),
    })
}

pub async fn list(
    state: &AppState,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<ApiKeyInfo>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_active(&mut conn, user_id, page).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let spent = db::spent(&mut conn, &ids).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |r| r.to_dto(spent.get(&r.id).copied().unwrap_or_default()),
    ))
}

pub async fn revoke(state: &AppState, user_id: Uuid, key_id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    if db::revoke(&mut conn, key_id, user_id).await? {
        tracing::info!(user_id = %user_id, key_id = %key_id, "API key revoked");
        crate::domain::security::record(
            &mut conn,
            user_id,
            "api_key.revoked",
            None,
            serde_json::json!({"key_id": key_id}),
        )
        .await?;
        Ok(())
    } else {
        Err(ApiError::not_found("API key"))
    }
}

/// When the UTC calendar month after `now`'s begins: when monthly credit caps start over.
pub fn next_month_start(
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    now.date_naive()
        .with_day(1)
        .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Before a key starts a generation of `model` costing `cost`: the model must be one it may use,
/// and the cost must fit in what is left of its daily and monthly caps (held and spent credits
/// of its earlier tasks count; refunds do not). Runs in the submission's transaction, under the
/// account lock the credit hold took, so two submissions cannot both take the last credits.
pub async fn check_spend(
    conn: &mut diesel_async::AsyncPgConnection,
    key_id: Uuid,
    model: &str,
    cost: i64,
) -> ApiResult<()> {
    let Some(key) = db::find_live(conn, key_id).await? else {
        return Err(ApiError::unauthorized("the API key is invalid or revoked"));
    };
    if let Some(models) = key.allowed_models()
        && !models.iter().any(|m| m == model)
    {
        return Err(ApiError::forbidden(format!(
            "this API key may generate only with: {}",
            models.join(", ")
        )));
    }
    if key.daily_credit_limit.is_none() && key.monthly_credit_limit.is_none() {
        return Ok(());
    }
    let spent = db::spent(conn, &[key_id])
        .await?
        .remove(&key_id)
        .unwrap_or_default();
    let now = chrono::Utc::now();
    let tomorrow = (now.date_naive() + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc());
    let next_month = next_month_start(now);
    for (limit, used, period, resets) in [
        (key.daily_credit_limit, spent.today, "day", tomorrow),
        (
            key.monthly_credit_limit,
            spent.this_month,
            "month",
            next_month,
        ),
    ] {
        if let Some(limit) = limit
            && used + cost > limit
        {
            let wait = resets.map_or(3600, |at| (at - now).num_seconds().max(1));
            return Err(ApiError::new(
                ErrorCode::SpendLimitReached,
                format!(
                    "this API key may spend {limit} credits a {period} (UTC); {used} are spent \
                     and this costs {cost}"
                ),
            )
            .with_retry_after(u64::try_from(wait).unwrap_or(3600)));
        }
    }
    Ok(())
}
