//! Changing an account's e-mail address.
//!
//! 1. The owner asks, with the password (and a fresh second factor where it is on): a link goes
//!    to the new address, valid for [`CONFIRM_TTL`]. The answer is the same whether or not
//!    another account has that address, so this reveals nobody's account.
//! 2. The link moves the account to the new address (which it proves) and sends the old address
//!    a notice with an undo link, valid for [`REVERT_TTL`].
//! 3. Undoing puts the old address back, signs every device out, stops API keys, app
//!    authorizations and webhooks, and mails the old address a link to choose a new password:
//!    whoever changed the address knew the password.

use chrono::Duration;
use diesel_async::AsyncConnection;
use serde_json::json;
use zimage_shared::ErrorCode;
use zimage_shared::account::User;
use zimage_shared::auth::EmailChangePending;
use zimage_shared::validate;

use crate::auth::{Auth, password, secrets};
use crate::db::email_changes as db;
use crate::db::{sessions as session_db, users};
use crate::domain::ClientInfo;
use crate::domain::security::record;
use crate::error::{ApiError, ApiResult};
use crate::mail::{Template, render};
use crate::state::AppState;

/// How long the link to the new address works.
pub const CONFIRM_TTL: Duration = Duration::hours(24);
/// How long the old address can undo a change.
pub const REVERT_TTL: Duration = Duration::hours(24);

fn invalid_link() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidToken,
        "this link is invalid, already used or expired",
    )
}

/// Asks to move the account to `new_email`: checks the password, then mails a confirmation link
/// there (unless another account has the address, or `may_mail` is false because the address
/// had one lately: then nothing is sent, and the answer is the same).
pub async fn request(
    state: &AppState,
    auth: &Auth,
    new_email: &str,
    password_plain: &str,
    may_mail: bool,
    client: &ClientInfo,
) -> ApiResult<EmailChangePending> {
    auth.session()?;
    crate::domain::two_factor::require_fresh(state, auth).await?;
    let user = &auth.user;
    let new_email = validate::normalize_email(new_email)
        .map_err(|e| ApiError::field("new_email", e.message()))?;
    if new_email == user.email {
        return Err(ApiError::field(
            "new_email",
            "is the account's address already",
        ));
    }
    if !password::verify(password_plain, Some(&user.password_hash)).await? {
        return Err(ApiError::field("password", "is incorrect"));
    }
    let token = secrets::random_token();
    let expires_at = state.clock.now() + CONFIRM_TTL;
    let mut conn = state.db.get().await?;
    let taken = users::find_by_email(&mut conn, &new_email).await?.is_some();
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::replace_pending(
            conn,
            user.id,
            &user.email,
            &new_email,
            &secrets::hash(&token),
            expires_at,
        )
        .await?;
        record(
            conn,
            user.id,
            "email.change_requested",
            Some(client),
            json!({"new_email": new_email}),
        )
        .await
    })
    .await?;
    drop(conn);
    if may_mail && !taken {
        let link = format!("{}/email-change?token={token}", state.config.public_url);
        let message = render(
            &Template::ConfirmEmailChange { link: &link },
            user.locale(),
            &new_email,
        );
        state.mailer.send_or_log(&message).await;
    }
    Ok(EmailChangePending {
        new_email,
        expires_at,
    })
}

/// The link from the new address: the account moves there, and the old address is told, with
/// a link to undo it.
pub async fn confirm(state: &AppState, token: &str, client: &ClientInfo) -> ApiResult<User> {
    let hash = secrets::hash(token.trim());
    let undo = secrets::random_token();
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    let (change, user) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let change = db::lock_by_confirm(conn, &hash, now)
                .await?
                .ok_or_else(invalid_link)?;
            let user = users::find(conn, change.user_id)
                .await?
                .ok_or_else(invalid_link)?;
            if user.email != change.old_email {
                // The address changed another way since (an earlier change was confirmed).
                return Err(invalid_link());
            }
            if !db::set_email(conn, user.id, &change.new_email, now).await? {
                return Err(ApiError::new(
                    ErrorCode::EmailTaken,
                    "another account uses this address now; the change cannot be made",
                ));
            }
            db::confirm(
                conn,
                change.id,
                now,
                &secrets::hash(&undo),
                now + REVERT_TTL,
            )
            .await?;
            record(
                conn,
                user.id,
                "email.changed",
                Some(client),
                json!({"old_email": change.old_email, "new_email": change.new_email}),
            )
            .await?;
            let user = users::find(conn, user.id).await?.ok_or_else(invalid_link)?;
            Ok((change, user))
        })
        .await?;
    drop(conn);
    tracing::info!(user_id = %user.id, "e-mail address changed");
    let link = format!("{}/email-change/undo?token={undo}", state.config.public_url);
    let notice = render(
        &Template::EmailChanged {
            new_email: &change.new_email,
            link: &link,
        },
        user.locale(),
        &change.old_email,
    );
    state.mailer.send_or_log(&notice).await;
    Ok(user.to_dto())
}

/// The undo link from the old address: the old address comes back, every device is signed out,
/// keys, app authorizations and webhooks stop, and a link to choose a new password is mailed.
pub async fn revert(state: &AppState, token: &str, client: &ClientInfo) -> ApiResult<()> {
    let hash = secrets::hash(token.trim());
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    let restored = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let change = db::lock_by_revert(conn, &hash, now)
                .await?
                .ok_or_else(invalid_link)?;
            if !db::set_email(conn, change.user_id, &change.old_email, now).await? {
                return Err(ApiError::new(
                    ErrorCode::EmailTaken,
                    "another account uses the old address now; contact support",
                ));
            }
            db::mark_reverted(conn, change.id, now).await?;
            session_db::revoke_all(conn, change.user_id, None).await?;
            crate::domain::accounts::lock_down(conn, change.user_id).await?;
            record(
                conn,
                change.user_id,
                "email.change_undone",
                Some(client),
                json!({"old_email": change.old_email, "new_email": change.new_email}),
            )
            .await?;
            Ok(change.old_email)
        })
        .await?;
    drop(conn);
    tracing::info!("e-mail address change undone; sessions, keys and webhooks stopped");
    crate::domain::accounts::forgot_password(state, &restored).await
}
