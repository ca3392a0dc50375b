//! Log-in, refresh-token rotation with reuse detection, log-out and the session list.

use chrono::Utc;
use diesel_async::AsyncConnection;
use uuid::Uuid;
use zimage_shared::account::SessionInfo;
use zimage_shared::auth::{SecondFactorChallenge, TokenResponse};
use zimage_shared::validate;
use zimage_shared::{ErrorCode, Page};

use super::{ClientInfo, two_factor};
use crate::auth::{password, secrets};
use crate::db::models::UserRow;
use crate::db::{sessions as db, users};
use crate::error::{ApiError, ApiResult};
use crate::pagination::PageRequest;
use crate::state::AppState;

fn invalid_credentials() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidCredentials,
        "the e-mail address or password is incorrect",
    )
}

fn invalid_refresh() -> ApiError {
    ApiError::unauthorized("the refresh token is invalid or expired; sign in again")
}

/// What a right password gives: a session, or (with two-factor authentication on) a challenge
/// for the second step.
pub enum SignIn {
    Tokens(TokenResponse),
    SecondFactor(SecondFactorChallenge),
}

/// Checks credentials and opens a session. Unknown e-mail and wrong password look the same,
/// in body and in time (a dummy hash is verified when there is no account).
pub async fn login(
    state: &AppState,
    email: &str,
    password_plain: &str,
    keep_account: bool,
    client: &ClientInfo,
) -> ApiResult<SignIn> {
    let email = validate::normalize_email(email).unwrap_or_default();
    // No connection is held while the password is hashed (tens of milliseconds), and none is
    // held while the security log takes its own: holding one across either starves the pool
    // under a burst of sign-ins.
    let found = if email.is_empty() {
        None
    } else {
        let mut conn = state.db.get().await?;
        crate::db::two_factor::user_for_sign_in(&mut conn, &email).await?
    };
    let ok = password::verify(
        password_plain,
        found.as_ref().and_then(|(u, _)| u.password_hash.as_deref()),
    )
    .await?;
    let (user, second_factor) = match found {
        Some(found) if ok => found,
        _ => return Err(invalid_credentials()),
    };
    if second_factor {
        // Keeping an account scheduled for deletion waits for the second factor; anything
        // else that stops this account signing in is said now, to the password's owner only.
        let keeping = keep_account && user.disabled_reason.as_deref() == Some("erasure");
        if !keeping {
            crate::domain::privacy::check_can_sign_in(state, &user, false, client).await?;
        }
        let challenge = two_factor::challenge(state, user.id, keep_account).await?;
        return Ok(SignIn::SecondFactor(challenge));
    }
    // Only the password's owner learns that the account is off.
    crate::domain::privacy::check_can_sign_in(state, &user, keep_account, client).await?;
    open_session(state, &user, client, false)
        .await
        .map(SignIn::Tokens)
}

/// The second step of a sign-in with two-factor authentication: a challenge and its code.
pub async fn login_second_factor(
    state: &AppState,
    challenge: &str,
    code: &str,
    client: &ClientInfo,
) -> ApiResult<(TokenResponse, String)> {
    let (user, keep_account) = two_factor::answer(state, challenge, code, client).await?;
    crate::domain::privacy::check_can_sign_in(state, &user, keep_account, client).await?;
    let tokens = open_session(state, &user, client, true).await?;
    Ok((tokens, user.email))
}

/// Signs in with a passkey: alone, or as the second step after a password (both count as a
/// second factor proved).
pub async fn login_passkey(
    state: &AppState,
    req: &zimage_shared::auth::PasskeySignInRequest,
    client: &ClientInfo,
) -> ApiResult<(TokenResponse, String)> {
    let (user, keep_account) = super::passkeys::sign_in(state, req, client).await?;
    crate::domain::privacy::check_can_sign_in(state, &user, keep_account, client).await?;
    let tokens = open_session(state, &user, client, true).await?;
    Ok((tokens, user.email))
}

/// Signs in an account whose owner proved who they are elsewhere (at an identity provider):
/// the second factor is still asked for when the account has one.
pub async fn sign_in_elsewhere(
    state: &AppState,
    user: &UserRow,
    client: &ClientInfo,
) -> ApiResult<SignIn> {
    crate::domain::privacy::check_can_sign_in(state, user, false, client).await?;
    let mut conn = state.db.get().await?;
    let second_factor = two_factor::enabled(&mut conn, user.id).await?;
    drop(conn);
    if second_factor {
        let challenge = two_factor::challenge(state, user.id, false).await?;
        return Ok(SignIn::SecondFactor(challenge));
    }
    open_session(state, user, client, false)
        .await
        .map(SignIn::Tokens)
}

/// A new session for `user`, who proved a second factor for it when `second_factor`.
async fn open_session(
    state: &AppState,
    user: &UserRow,
    client: &ClientInfo,
    second_factor: bool,
) -> ApiResult<TokenResponse> {
    let session_id = Uuid::new_v4();
    let refresh = secrets::random_token();
    let expires_at = Utc::now() + state.config.refresh_token_ttl;
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::insert(
            conn,
            &db::NewSession {
                id: session_id,
                user_id: user.id,
                user_agent: client.user_agent.as_deref(),
                ip: Some(&client.ip),
                expires_at,
                second_factor_at: second_factor.then(|| state.clock.now()),
            },
        )
        .await?;
        db::insert_refresh_token(conn, session_id, &secrets::hash(&refresh)).await?;
        Ok(())
    })
    .await?;
    drop(conn);
    tracing::info!(user_id = %user.id, session_id = %session_id, "signed in");
    crate::domain::security::login(state, user.id, client).await?;
    tokens(state, user, session_id, refresh)
}

fn tokens(
    state: &AppState,
    user: &UserRow,
    session_id: Uuid,
    refresh_token: String,
) -> ApiResult<TokenResponse> {
    Ok(TokenResponse {
        access_token: state.jwt.issue(user.id, session_id)?,
        token_type: "Bearer".into(),
        expires_in: i64::try_from(state.jwt.ttl().as_secs()).unwrap_or(900),
        refresh_token,
        user: user.to_dto(&state.urls),
    })
}

/// Rotates a refresh token. Presenting one that was already used revokes its whole session:
/// either the legitimate client or a thief is replaying it, and we cannot tell which. Except
/// within the reuse grace (`refresh_reuse_grace`, 30 s by default) after its rotation, while its
/// successor is unused: then it is a retry whose answer was lost (a phone changing networks),
/// and it gets that same successor back with a new access token.
pub async fn refresh(
    state: &AppState,
    token: &str,
    client: &ClientInfo,
) -> ApiResult<TokenResponse> {
    let hash = secrets::hash(token.trim());
    let mut conn = state.db.get().await?;
    let (stored, session) = db::find_by_refresh_token(&mut conn, &hash)
        .await?
        .ok_or_else(invalid_refresh)?;
    if session.revoked_at.is_some() || session.expires_at <= Utc::now() {
        return Err(invalid_refresh());
    }
    let stored = if stored.used_at.is_some() {
        stored
    } else {
        let next = secrets::random_token();
        let next_hash = secrets::hash(&next);
        let sealed = state.sealer.seal(&next, &hash);
        let rotated = conn
            .transaction::<_, ApiError, _>(async |conn| {
                if !db::consume_refresh_token(conn, session.id, &hash, &sealed).await? {
                    return Ok(false);
                }
                db::insert_refresh_token(conn, session.id, &next_hash).await?;
                db::touch(conn, session.id, Some(&client.ip)).await?;
                Ok(true)
            })
            .await?;
        if rotated {
            let user = users::find(&mut conn, session.user_id)
                .await?
                .ok_or_else(invalid_refresh)?;
            return tokens(state, &user, session.id, next);
        }
        // Another use of the same token rotated it first: a retry racing its original, or a
        // replay. Decided below like any token presented again.
        db::find_by_refresh_token(&mut conn, &hash)
            .await?
            .ok_or_else(invalid_refresh)?
            .0
    };
    if let Some(successor) = retry_within_grace(state, &mut conn, &stored, &hash).await? {
        let user = users::find(&mut conn, session.user_id)
            .await?
            .ok_or_else(invalid_refresh)?;
        tracing::info!(user_id = %session.user_id, session_id = %session.id, "refresh retried within the reuse grace");
        return tokens(state, &user, session.id, successor);
    }
    db::revoke(&mut conn, session.id, session.user_id).await?;
    tracing::warn!(user_id = %session.user_id, session_id = %session.id, "refresh token reuse; session revoked");
    Err(ApiError::new(
        ErrorCode::RefreshTokenReused,
        "this refresh token was already used; the session has been revoked for safety",
    ))
}

/// The successor of a used refresh token, when it was used within the reuse grace and its
/// successor has not been used in turn.
async fn retry_within_grace(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    stored: &db::RefreshTokenRow,
    hash: &[u8],
) -> ApiResult<Option<String>> {
    let grace = chrono::Duration::from_std(state.config.refresh_reuse_grace).unwrap_or_default();
    let (Some(used_at), Some(sealed)) = (stored.used_at, stored.successor_sealed.as_deref()) else {
        return Ok(None);
    };
    if Utc::now() - used_at > grace {
        return Ok(None);
    }
    let Some(successor) = state.sealer.open(sealed, hash) else {
        return Ok(None);
    };
    let unused = db::find_by_refresh_token(conn, &secrets::hash(&successor))
        .await?
        .is_some_and(|(row, _)| row.used_at.is_none());
    Ok(unused.then_some(successor))
}

/// Ends the session a refresh token belongs to. Unknown tokens are ignored (log-out is idempotent).
pub async fn logout_by_refresh_token(state: &AppState, token: &str) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    if let Some((_, session)) =
        db::find_by_refresh_token(&mut conn, &secrets::hash(token.trim())).await?
    {
        db::revoke(&mut conn, session.id, session.user_id).await?;
        tracing::info!(user_id = %session.user_id, session_id = %session.id, "signed out");
    }
    Ok(())
}

/// Ends one session of the user.
pub async fn revoke(state: &AppState, user_id: Uuid, session_id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    if db::revoke(&mut conn, session_id, user_id).await? {
        tracing::info!(user_id = %user_id, session_id = %session_id, "session revoked");
        crate::domain::security::record(
            &mut conn,
            user_id,
            "session.revoked",
            None,
            serde_json::json!({"session_id": session_id}),
        )
        .await?;
        Ok(())
    } else {
        Err(ApiError::not_found("session"))
    }
}

/// The user's live sessions, newest first.
pub async fn list(
    state: &AppState,
    user_id: Uuid,
    current: Uuid,
    page: PageRequest,
) -> ApiResult<Page<SessionInfo>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_active(&mut conn, user_id, page).await?;
    Ok(page.page(
        rows,
        |r| crate::pagination::Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |r| r.to_dto(Some(current)),
    ))
}
