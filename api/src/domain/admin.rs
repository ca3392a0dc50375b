//! Operator views over every account.

use zimage_shared::Page;
use zimage_shared::account::User;

use crate::db::users;
use crate::error::ApiResult;
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
