//! The account's security log and consents. Events are written beside what they record; a
//! sign-in from a client never seen before also gets an e-mail.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde_json::{Value, json};
use uuid::Uuid;
use zimage_shared::Page;
use zimage_shared::account::Locale;
use zimage_shared::privacy::{Consents, SecurityEvent};

use crate::db::security::{self as db, ConsentRow, SecurityEventRow};
use crate::db::users;
use crate::domain::ClientInfo;
use crate::error::ApiResult;
use crate::mail::{Template, render};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;

/// Records one event.
pub async fn record(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    kind: &str,
    client: Option<&ClientInfo>,
    detail: Value,
) -> ApiResult<()> {
    db::insert_event(
        conn,
        &SecurityEventRow {
            id: Uuid::new_v4(),
            user_id,
            kind: kind.to_string(),
            ip: client.map(|c| c.ip.clone()),
            user_agent: client.and_then(|c| c.user_agent.clone()),
            detail,
            created_at: Utc::now(),
        },
    )
    .await?;
    Ok(())
}

/// Records a sign-in; from a client this account has not signed in with before (and not the
/// very first sign-in), the owner is told by e-mail.
pub async fn login(state: &AppState, user_id: Uuid, client: &ClientInfo) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    let seen = db::has_logged_in_with(&mut conn, user_id, client.user_agent.as_deref()).await?;
    let first = !db::has_logged_in(&mut conn, user_id).await?;
    let new_device = !seen && !first;
    record(
        &mut conn,
        user_id,
        "login",
        Some(client),
        json!({"new_device": new_device}),
    )
    .await?;
    if new_device && let Some(user) = users::find(&mut conn, user_id).await? {
        let when = Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
        let device = client.user_agent.as_deref().unwrap_or("an unknown client");
        let link = format!("{}/account", state.config.public_url);
        let template = Template::NewSignIn {
            device,
            ip: &client.ip,
            when: &when,
            link: &link,
        };
        let locale = Locale::parse(&user.locale).unwrap_or_default();
        state
            .mailer
            .send_or_log(&render(&template, locale, &user.email))
            .await;
    }
    Ok(())
}

pub async fn events(
    state: &AppState,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<SecurityEvent>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_events(&mut conn, user_id, page).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |r| SecurityEvent {
            id: r.id,
            kind: r.kind.clone(),
            ip: r.ip.clone(),
            user_agent: r.user_agent.clone(),
            detail: r.detail.clone(),
            created_at: r.created_at,
        },
    ))
}

pub async fn consents(state: &AppState, user_id: Uuid) -> ApiResult<Consents> {
    let mut conn = state.db.get().await?;
    Ok(db::find_consents(&mut conn, user_id)
        .await?
        .map(|c| Consents {
            marketing_email: c.marketing_email,
            product_analytics: c.product_analytics,
            answered_at: Some(c.updated_at),
        })
        .unwrap_or_default())
}

/// Sets both consents and when they were answered. A change (given or withdrawn) is kept in the
/// security log as proof; the same answer again only renews the time.
pub async fn set_consents(
    state: &AppState,
    user_id: Uuid,
    consents: Consents,
    client: &ClientInfo,
) -> ApiResult<Consents> {
    let mut conn = state.db.get().await?;
    let before = db::find_consents(&mut conn, user_id).await?;
    let now = Utc::now();
    db::upsert_consents(
        &mut conn,
        &ConsentRow {
            user_id,
            marketing_email: consents.marketing_email,
            product_analytics: consents.product_analytics,
            updated_at: now,
        },
    )
    .await?;
    // Never answered counts as both off, which is what an account starts with.
    let (was_marketing, was_analytics) = before
        .map(|b| (b.marketing_email, b.product_analytics))
        .unwrap_or_default();
    let answered = Consents {
        answered_at: Some(now),
        ..consents
    };
    if (was_marketing, was_analytics) != (consents.marketing_email, consents.product_analytics) {
        record(
            &mut conn,
            user_id,
            "consent.changed",
            Some(client),
            serde_json::json!({
                "marketing_email": consents.marketing_email,
                "product_analytics": consents.product_analytics,
            }),
        )
        .await?;
    }
    Ok(answered)
}

/// The one-click unsubscribe from marketing mail: works logged out with the token from the
/// mail; the change is logged like any other consent change.
pub async fn unsubscribe(state: &AppState, token: &str) -> ApiResult<()> {
    let user_id = state.urls.unsubscribe_user(token.trim()).ok_or_else(|| {
        crate::error::ApiError::new(
            zimage_shared::ErrorCode::InvalidToken,
            "this unsubscribe link is not valid",
        )
    })?;
    let mut conn = state.db.get().await?;
    if users::find(&mut conn, user_id).await?.is_none() {
        // The account is gone, and with it any mail to it.
        return Ok(());
    }
    let current = db::find_consents(&mut conn, user_id).await?;
    if current.as_ref().is_some_and(|c| !c.marketing_email) {
        return Ok(());
    }
    db::upsert_consents(
        &mut conn,
        &ConsentRow {
            user_id,
            marketing_email: false,
            product_analytics: current.is_some_and(|c| c.product_analytics),
            updated_at: Utc::now(),
        },
    )
    .await?;
    record(
        &mut conn,
        user_id,
        "consent.changed",
        None,
        json!({"marketing_email": false, "via": "unsubscribe_link"}),
    )
    .await?;
    tracing::info!(user_id = %user_id, "unsubscribed from marketing e-mail");
    Ok(())
}
