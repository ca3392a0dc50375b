//! API keys for third-party developers: created once, shown once, stored hashed.

use uuid::Uuid;
use zimage_shared::account::{ApiKeyCreated, ApiKeyInfo, CreateApiKeyRequest};
use zimage_shared::validate;
use zimage_shared::{ErrorCode, Page};

use crate::auth::secrets;
use crate::db::api_keys as db;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;

/// Most live keys one user may hold.
pub const MAX_KEYS_PER_USER: i64 = 25;

pub async fn create(
    state: &AppState,
    user_id: Uuid,
    req: CreateApiKeyRequest,
) -> ApiResult<ApiKeyCreated> {
    let name = validate::required_text(&req.name, validate::API_KEY_NAME_MAX_CHARS)
        .map_err(|e| ApiError::field("name", e.message()))?;
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
        key: row.to_dto(),
    })
}

pub async fn list(
    state: &AppState,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<ApiKeyInfo>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_active(&mut conn, user_id, page).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |r| r.to_dto(),
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
