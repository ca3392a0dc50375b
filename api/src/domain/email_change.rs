//! Changing an account's e-mail address.
//!
//! 1. The owner asks, with the password (and a fresh second factor where it is on): a link goes
//!    to the new address, valid for [`CONFIRM_TTL`]. The answer is the same whether or not
//!    another account has that address, so this reveals nobody's account.
//! 2. The link moves the account to the new address (which it proves) and sends the old address
//!    a notice with an undo link, valid for [`REVERT_TTL`].
//! 3. Undoing puts the old address back (held for its owner until then, so nobody can take it),
//!    signs every device out, stops API keys, app authorizations, webhooks, other links and the
//!    password, removes an authenticator added since, and mails the old address a link to choose
//!    a new password: whoever changed the address knew the password.

use chrono::Duration;
use diesel_async::AsyncConnection;
use serde_json::json;
use zimage_shared::ErrorCode;
use zimage_shared::account::User;
use zimage_shared::auth::EmailChangePending;
use zimage_shared::validate;

use crate::auth::{Auth, password, secrets};
use crate::db::email_changes as db;
use crate::db::tokens::{self, Purpose};
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
/// there (in the background, so the answer takes as long either way), unless another account
/// has the address or it had such a mail lately: then nothing is sent, and the answer is the
/// same. Refused while an earlier change can still be undone, so only one undo link is alive
/// at a time.
pub async fn request(
    state: &actix_web::web::Data<AppState>,
    auth: &Auth,
    new_email: &str,
    password_plain: &str,
    client: &ClientInfo,
) -> ApiResult<EmailChangePending> {
    auth.session()?;
    // Where sign-up is invite-only, an address at an allowed domain needs no invitation: it must
    // be proved before the account may move elsewhere, or anyone could get in through it.
    if state.config.signup.mode == zimage_shared::auth::SignupMode::Invite {
        auth.require_verified()?;
    }
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
    if user.password_hash.is_none() {
        return Err(ApiError::field(
            "password",
            "your account has no password yet: set one with \"Forgot password\" on the sign-in page first",
        ));
    }
    if !password::verify(password_plain, user.password_hash.as_deref()).await? {
        return Err(ApiError::field("password", "is incorrect"));
    }
    let now = state.clock.now();
    let expires_at = now + CONFIRM_TTL;
    let mut conn = state.db.get().await?;
    if db::undoable(&mut conn, user.id, now).await? {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "the address was changed less than 24 hours ago; it can be changed again once the old address can no longer undo that",
        ));
    }
    let taken = users::find_by_email(&mut conn, &new_email).await?.is_some()
        || db::held(&mut conn, &new_email, now).await?;
    // At most one such mail per address per window, whoever asks; beyond it the waiting change
    // (and its link) stays as it is.
    let budget = state.config.rate_limits.email_per_account;
    let may_mail = state
        .limiter
        .check_quietly(&format!("email-change:account:{new_email}"), budget)
        .await;
    if !may_mail {
        return Ok(EmailChangePending {
            new_email,
            expires_at,
        });
    }
    let token = secrets::random_token();
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::replace_pending(
            conn,
            user.id,
            &user.email,
            &new_email,
            &secrets::hash(&token),
            expires_at,
        )
        .await
        .map_err(|err| match err {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => ApiError::new(
                ErrorCode::Conflict,
                "another change of address is being asked for at this moment",
            ),
            err => err.into(),
        })?;
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
    if !taken {
        let link = format!("{}/email-change?token={token}", state.config.public_url);
        let message = render(
            &Template::ConfirmEmailChange { link: &link },
            user.locale(),
            &new_email,
        );
        let state = state.clone();
        tokio::spawn(async move { state.mailer.send_or_log(&message).await });
    }
    Ok(EmailChangePending {
        new_email,
        expires_at,
    })
}

/// The link from the new address: the account moves there, and the old address is told, with
/// a link to undo it (the old address is held for its owner meanwhile).
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
            let current = db::lock_user_email(conn, change.user_id)
                .await?
                .ok_or_else(invalid_link)?;
            if current != change.old_email {
                // The address changed another way since it was asked for.
                return Err(invalid_link());
            }
            let free = !db::held(conn, &change.new_email, now).await?
                && db::set_email(conn, change.user_id, &current, &change.new_email, now).await?;
            if !free {
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
                change.user_id,
                "email.changed",
                Some(client),
                json!({"old_email": change.old_email, "new_email": change.new_email}),
            )
            .await?;
            let user = users::find(conn, change.user_id)
                .await?
                .ok_or_else(invalid_link)?;
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
    Ok(user.to_dto(&state.urls))
}

/// The undo link from the old address. Whoever changed the address knew the password and held a
/// session, so besides putting the old address back this shuts every door they may have opened:
/// every session, API key, app authorization and webhook stops; earlier reset and verification
/// links and other address changes end; the password stops working until the owner chooses a
/// new one (a link goes to the old address); an authenticator added since the change is removed.
pub async fn revert(state: &AppState, token: &str, client: &ClientInfo) -> ApiResult<()> {
    let hash = secrets::hash(token.trim());
    let now = state.clock.now();
    // Nobody knows this password: the owner chooses a new one from the reset link.
    let unusable = password::hash(&secrets::random_token()).await?;
    let mut conn = state.db.get().await?;
    let (change, restored) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let change = db::lock_by_revert(conn, &hash, now)
                .await?
                .ok_or_else(invalid_link)?;
            let user_id = change.user_id;
            let current = db::lock_user_email(conn, user_id)
                .await?
                .ok_or_else(invalid_link)?;
            let restored = current == change.old_email
                || db::set_email(conn, user_id, &current, &change.old_email, now).await?;
            db::mark_reverted(conn, change.id, now).await?;
            db::end_all(conn, user_id).await?;
            tokens::invalidate_all(conn, user_id, Purpose::ResetPassword).await?;
            tokens::invalidate_all(conn, user_id, Purpose::VerifyEmail).await?;
            users::set_password(conn, user_id, &unusable).await?;
            session_db::revoke_all(conn, user_id, None).await?;
            crate::domain::accounts::lock_down(conn, user_id).await?;
            let authenticator_removed =
                crate::db::two_factor::delete_if_added_after(conn, user_id, change.created_at)
                    .await?;
            record(
                conn,
                user_id,
                "email.change_undone",
                Some(client),
                json!({
                    "old_email": change.old_email,
                    "new_email": change.new_email,
                    "restored": restored,
                    "authenticator_removed": authenticator_removed,
                }),
            )
            .await?;
            Ok((change, restored))
        })
        .await?;
    drop(conn);
    tracing::info!(user_id = %change.user_id, restored, "e-mail address change undone; sessions, keys, webhooks and the password stopped");
    if !restored {
        // Only possible if the old address was taken in a race; the account is locked anyway.
        return Err(ApiError::new(
            ErrorCode::EmailTaken,
            "another account uses the old address now, so it could not be put back; every device was signed out and the password stopped working: contact support",
        ));
    }
    crate::domain::accounts::forgot_password(state, &change.old_email).await
}
