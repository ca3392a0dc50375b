//! Two-factor authentication: an authenticator app (TOTP) with single-use recovery codes.
//!
//! - Turning it on: `begin` makes a secret (sealed in the database, shown once), and the first
//!   correct code from the app confirms it (`confirm`), which also makes ten recovery codes.
//! - Signing in: the password alone gives a challenge, not a session (`challenge`); the session
//!   comes from `answer` with the challenge and a code. There is no other way to a session: the
//!   OAuth flows start from a signed-in session, and refresh tokens only come from these.
//! - Sensitive actions (turning it off, new recovery codes, changing the password, creating API
//!   keys, asking for erasure) need a second factor proved by this session within
//!   `two_factor_fresh` (10 minutes unless configured): at sign-in, or again with `verify`.

use chrono::Duration;
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;
use zimage_shared::ErrorCode;
use zimage_shared::account::{Locale, RecoveryCodes, TotpSetup, TwoFactorStatus};
use zimage_shared::auth::SecondFactorChallenge;

use crate::auth::{Auth, secrets, totp};
use crate::db::models::UserRow;
use crate::db::two_factor as db;
use crate::db::users;
use crate::domain::ClientInfo;
use crate::domain::security::record;
use crate::error::{ApiError, ApiResult};
use crate::mail::{Template, render};
use crate::state::AppState;

/// How long a sign-in challenge waits for its code.
pub const CHALLENGE_TTL: Duration = Duration::minutes(5);
/// Wrong codes a challenge takes before it ends (the password must be given again).
pub const CHALLENGE_ATTEMPTS: i32 = 5;
/// Recovery codes made at a time.
pub const RECOVERY_CODES: usize = 10;
/// The name authenticator apps show beside the account.
const ISSUER: &str = "Z-Image Studio";

const CHALLENGE_GONE: &str =
    "the sign-in challenge is unknown, used or expired; sign in with your password again";

fn challenge_ended(detail: &'static str) -> ApiError {
    ApiError::new(ErrorCode::ChallengeEnded, detail)
}

/// 403 `challenge_ended`: the sign-in challenge is unknown, used or expired.
pub(crate) fn challenge_gone() -> ApiError {
    challenge_ended(CHALLENGE_GONE)
}

/// How the second step of a sign-in went.
enum Answer {
    Right {
        user_id: Uuid,
        keep_account: bool,
        method: &'static str,
    },
    Wrong {
        ended: bool,
    },
    /// The challenge went between the first look and the lock (used or expired meanwhile).
    Gone,
}

fn invalid_code() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidCode,
        "the code is wrong or was used already; use the current code from your authenticator app, or an unused recovery code",
    )
}

/// A new recovery code: 12 characters (60 bits) from an alphabet without look-alikes, written
/// `xxxx-xxxx-xxxx`.
fn new_recovery_code() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let bytes: [u8; 12] = rand::random();
    let chars: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    format!("{}-{}-{}", &chars[..4], &chars[4..8], &chars[8..])
}

/// A recovery code as typed, reduced to its characters (case, spaces and dashes do not matter);
/// `None` when it cannot be one.
fn normalize_recovery_code(code: &str) -> Option<String> {
    let plain: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (plain.len() == 12 && plain.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(plain)
}

/// A new set of recovery codes for the account, as shown and as stored.
fn new_recovery_codes(user_id: Uuid) -> (Vec<String>, Vec<Vec<u8>>) {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes = codes
        .iter()
        .map(|c| recovery_hash(user_id, &normalize_recovery_code(c).unwrap_or_default()))
        .collect();
    (codes, hashes)
}

/// Stored form of a recovery code: SHA-256 over the account and the code (60 random bits each,
/// so no table of precomputed hashes helps).
fn recovery_hash(user_id: Uuid, plain: &str) -> Vec<u8> {
    secrets::hash(&format!("{user_id}:{plain}"))
}

fn open_secret(state: &AppState, user_id: Uuid, sealed: &str) -> ApiResult<Vec<u8>> {
    let base32 = state
        .sealer
        .open(sealed, user_id.as_bytes())
        .ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("an authenticator secret does not open"))
        })?;
    totp::from_base32(&base32)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("an authenticator secret is not base32")))
}

/// Whether the account has a confirmed authenticator.
pub async fn enabled(conn: &mut diesel_async::AsyncPgConnection, user_id: Uuid) -> ApiResult<bool> {
    Ok(db::authenticator(conn, user_id)
        .await?
        .is_some_and(|a| a.confirmed_at.is_some()))
}

pub async fn status(state: &AppState, user_id: Uuid) -> ApiResult<TwoFactorStatus> {
    let mut conn = state.db.get().await?;
    let confirmed = db::authenticator(&mut conn, user_id)
        .await?
        .and_then(|a| a.confirmed_at);
    let left = if confirmed.is_some() {
        db::recovery_codes_left(&mut conn, user_id).await?
    } else {
        0
    };
    Ok(TwoFactorStatus {
        enabled: confirmed.is_some(),
        enabled_at: confirmed,
        recovery_codes_left: left,
    })
}

/// A new secret for an authenticator app, replacing one not confirmed yet.
pub async fn begin(state: &AppState, auth: &Auth) -> ApiResult<TotpSetup> {
    auth.session()?;
    let user = &auth.user;
    let secret = totp::base32(&totp::new_secret());
    let sealed = state.sealer.seal(&secret, user.id.as_bytes());
    let mut conn = state.db.get().await?;
    if !db::begin_authenticator(&mut conn, user.id, &sealed).await? {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "two-factor authentication is on already; turn it off first to change the authenticator",
        ));
    }
    Ok(TotpSetup {
        otpauth_uri: totp::otpauth_uri(ISSUER, &user.email, &secret),
        secret,
    })
}

/// Checks `code` against the account: a code from its authenticator (confirmed, or being set up
/// when `setting_up`), else an unused recovery code (once on). Uses what it accepts.
async fn check_code(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    user_id: Uuid,
    code: &str,
    setting_up: bool,
) -> ApiResult<Option<&'static str>> {
    let Some(authenticator) = db::authenticator(conn, user_id).await? else {
        return Ok(None);
    };
    if authenticator.confirmed_at.is_some() == setting_up {
        return Ok(None);
    }
    let secret = open_secret(state, user_id, &authenticator.secret)?;
    let now = state.clock.now().timestamp();
    if let Some(step) = totp::matching_step(&secret, code, now, authenticator.last_step) {
        return Ok(db::use_step(conn, user_id, step).await?.then_some("totp"));
    }
    if setting_up {
        return Ok(None);
    }
    let Some(plain) = normalize_recovery_code(code) else {
        return Ok(None);
    };
    let used = db::use_recovery_code(conn, user_id, &recovery_hash(user_id, &plain)).await?;
    Ok(used.then_some("recovery_code"))
}

/// The account's security settings in the web app, where mails about sign-in changes link.
pub(crate) fn security_page(state: &AppState) -> String {
    format!("{}/security", state.config.public_url)
}

/// Tells the owner of a change to their sign-in by e-mail (linking to [`security_page`]).
pub(crate) async fn tell_owner(state: &AppState, user: &UserRow, template: Template<'_>) {
    let locale = Locale::parse(&user.locale).unwrap_or_default();
    state
        .mailer
        .send_or_log(&render(&template, locale, &user.email))
        .await;
}

/// Turns two-factor authentication on with the first code from the app; returns the recovery
/// codes, shown once. The session counts as having proved its second factor.
pub async fn confirm(
    state: &AppState,
    auth: &Auth,
    code: &str,
    client: &ClientInfo,
) -> ApiResult<RecoveryCodes> {
    let session = auth.session()?;
    let user_id = auth.user_id();
    let (codes, hashes) = new_recovery_codes(user_id);
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        match db::authenticator(conn, user_id).await? {
            None => {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "no authenticator is being set up; start with POST /v1/me/two-factor/totp",
                ));
            }
            Some(a) if a.confirmed_at.is_some() => {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "two-factor authentication is on already",
                ));
            }
            Some(_) => {}
        }
        if check_code(state, conn, user_id, code, true)
            .await?
            .is_none()
        {
            return Err(invalid_code());
        }
        db::replace_recovery_codes(conn, user_id, &hashes).await?;
        db::set_second_factor_at(conn, session, state.clock.now()).await?;
        record(conn, user_id, "two_factor.enabled", Some(client), json!({})).await
    })
    .await?;
    let link = security_page(state);
    tell_owner(
        state,
        &auth.user,
        Template::TwoFactorChanged {
            enabled: true,
            link: &link,
        },
    )
    .await;
    Ok(RecoveryCodes { codes })
}

/// 429 once the account's budget of wrong codes (the sign-in budget per account, whichever
/// challenge, session or address they came from) is spent: a password thief spreading guesses
/// over many challenges and addresses gets no more of them. Otherwise the attempt is counted as
/// a wrong code before the code is checked (so parallel guesses cannot all pass the check before
/// any is counted), and taken back with [`not_a_wrong_code`] when it was not one.
async fn reserve_wrong_code(state: &AppState, user_id: Uuid) -> ApiResult<()> {
    let limit = state.config.rate_limits.login_per_account;
    let key = format!("2fa-fail:account:{user_id}");
    if let Some(wait) = state
        .limiter
        .blocked(&key, limit, crate::rate_limit::Outage::Refuse)
        .await?
    {
        return Err(ApiError::rate_limited(limit, wait)
            .with_detail(format!("too many wrong codes; try again in {wait} seconds")));
    }
    state.limiter.count(&key, limit).await;
    Ok(())
}

async fn not_a_wrong_code(state: &AppState, user_id: Uuid) {
    let limit = state.config.rate_limits.login_per_account;
    let key = format!("2fa-fail:account:{user_id}");
    state.limiter.uncount(&key, limit).await;
}

/// 403 `second_factor_required` unless the account has two-factor authentication off, or this
/// session proved a second factor within the configured `two_factor_fresh`.
pub async fn require_fresh(state: &AppState, auth: &Auth) -> ApiResult<()> {
    let session = auth.session()?;
    let mut conn = state.db.get().await?;
    if !enabled(&mut conn, auth.user_id()).await? {
        return Ok(());
    }
    let proved = db::second_factor_at(&mut conn, session).await?;
    let fresh_for = Duration::from_std(state.config.two_factor_fresh).unwrap_or_default();
    if proved.is_some_and(|at| state.clock.now() - at < fresh_for) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::SecondFactorRequired,
        "confirm it is you: send a code from your authenticator app to POST /v1/me/two-factor/verify, or answer POST /v1/me/two-factor/passkey-options with a passkey at POST /v1/me/two-factor/passkey, then try again",
    ))
}

/// Where the operator requires it (`ZIMAGE_ADMIN_REQUIRES_TWO_FACTOR`), administration needs
/// an account with two-factor authentication on and a session that proved it (at sign-in or
/// since): 403 `forbidden` until it is on, then `second_factor_required` until this session
/// proves it.
pub async fn require_for_admin(state: &AppState, auth: &Auth) -> ApiResult<()> {
    if !state.config.admin_requires_two_factor {
        return Ok(());
    }
    let session = auth.session()?;
    let mut conn = state.db.get().await?;
    if !enabled(&mut conn, auth.user_id()).await? {
        return Err(ApiError::forbidden(
            "this installation requires administrators to use two-factor authentication; turn it on under Security (POST /v1/me/two-factor/totp) first",
        ));
    }
    if db::second_factor_at(&mut conn, session).await?.is_none() {
        return Err(ApiError::new(
            ErrorCode::SecondFactorRequired,
            "administration needs a session that proved its second factor: send a code from your authenticator app to POST /v1/me/two-factor/verify (or use a passkey at POST /v1/me/two-factor/passkey), then try again",
        ));
    }
    Ok(())
}

/// 409 `conflict`: there is no second factor to prove.
pub fn turned_off() -> ApiError {
    ApiError::new(
        ErrorCode::Conflict,
        "two-factor authentication is off for this account",
    )
}

/// Proves the second factor again for this session (for sensitive actions).
pub async fn verify(
    state: &AppState,
    auth: &Auth,
    code: &str,
    client: &ClientInfo,
) -> ApiResult<()> {
    let session = auth.session()?;
    let user_id = auth.user_id();
    reserve_wrong_code(state, user_id).await?;
    let mut conn = state.db.get().await?;
    let used = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if !enabled(conn, user_id).await? {
                return Err(turned_off());
            }
            let used = check_code(state, conn, user_id, code, false).await?;
            if let Some(method) = used {
                db::set_second_factor_at(conn, session, state.clock.now()).await?;
                record(
                    conn,
                    user_id,
                    "two_factor.verified",
                    Some(client),
                    json!({"method": method}),
                )
                .await?;
            }
            Ok(used)
        })
        .await;
    let used = match used {
        Ok(used) => used,
        Err(err) => {
            not_a_wrong_code(state, user_id).await;
            return Err(err);
        }
    };
    match used {
        Some(method) => {
            not_a_wrong_code(state, user_id).await;
            if method == "recovery_code" {
                let link = security_page(state);
                tell_owner(
                    state,
                    &auth.user,
                    Template::RecoveryCodeUsed { link: &link },
                )
                .await;
            }
            Ok(())
        }
        None => Err(invalid_code()),
    }
}

/// Turns two-factor authentication off (needs a fresh second factor).
pub async fn disable(state: &AppState, auth: &Auth, client: &ClientInfo) -> ApiResult<()> {
    require_fresh(state, auth).await?;
    let user_id = auth.user_id();
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::delete_authenticator(conn, user_id).await?;
        db::delete_recovery_codes(conn, user_id).await?;
        record(
            conn,
            user_id,
            "two_factor.disabled",
            Some(client),
            json!({}),
        )
        .await
    })
    .await?;
    let link = security_page(state);
    tell_owner(
        state,
        &auth.user,
        Template::TwoFactorChanged {
            enabled: false,
            link: &link,
        },
    )
    .await;
    Ok(())
}

/// New recovery codes in place of the old ones (needs a fresh second factor).
pub async fn regenerate(
    state: &AppState,
    auth: &Auth,
    client: &ClientInfo,
) -> ApiResult<RecoveryCodes> {
    require_fresh(state, auth).await?;
    let user_id = auth.user_id();
    let (codes, hashes) = new_recovery_codes(user_id);
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if !enabled(conn, user_id).await? {
            return Err(turned_off());
        }
        db::replace_recovery_codes(conn, user_id, &hashes).await?;
        record(
            conn,
            user_id,
            "two_factor.recovery_codes_replaced",
            Some(client),
            json!({}),
        )
        .await
    })
    .await?;
    let link = security_page(state);
    tell_owner(
        state,
        &auth.user,
        Template::RecoveryCodesReplaced { link: &link },
    )
    .await;
    Ok(RecoveryCodes { codes })
}

/// After the right password for an account with two-factor authentication on: a challenge for
/// the second step.
pub async fn challenge(
    state: &AppState,
    user_id: Uuid,
    keep_account: bool,
) -> ApiResult<SecondFactorChallenge> {
    let token = secrets::random_token();
    let mut conn = state.db.get().await?;
    db::insert_challenge(
        &mut conn,
        &secrets::hash(&token),
        user_id,
        keep_account,
        state.clock.now(),
        CHALLENGE_TTL,
    )
    .await?;
    let mut methods = vec!["totp".to_owned(), "recovery_code".to_owned()];
    if state.passkeys.is_some() && crate::db::passkeys::count_of_user(&mut conn, user_id).await? > 0
    {
        methods.push("passkey".to_owned());
    }
    Ok(SecondFactorChallenge {
        challenge: token,
        expires_in: CHALLENGE_TTL.num_seconds(),
        methods,
    })
}

/// The second step of a sign-in: the account of `challenge` when `code` is right, with whether
/// the sign-in asked to keep an account scheduled for deletion. A wrong code counts against the
/// challenge, which ends after [`CHALLENGE_ATTEMPTS`].
pub async fn answer(
    state: &AppState,
    challenge: &str,
    code: &str,
    client: &ClientInfo,
) -> ApiResult<(UserRow, bool)> {
    let hash = secrets::hash(challenge.trim());
    let mut conn = state.db.get().await?;
    // The account's budget of wrong codes is asked before any row is locked.
    let owner = db::challenge_owner(&mut conn, &hash, state.clock.now()).await?;
    let Some(owner) = owner else {
        return Err(challenge_ended(CHALLENGE_GONE));
    };
    reserve_wrong_code(state, owner).await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let Some(row) = db::lock_challenge(conn, &hash, state.clock.now()).await? else {
                return Ok(Answer::Gone);
            };
            let Some(method) = check_code(state, conn, row.user_id, code, false).await? else {
                if row.failures + 1 >= CHALLENGE_ATTEMPTS {
                    db::delete_challenge(conn, &hash).await?;
                    return Ok(Answer::Wrong { ended: true });
                }
                db::fail_challenge(conn, &hash).await?;
                return Ok(Answer::Wrong { ended: false });
            };
            db::delete_challenge(conn, &hash).await?;
            record(
                conn,
                row.user_id,
                "two_factor.sign_in",
                Some(client),
                json!({"method": method}),
            )
            .await?;
            Ok(Answer::Right {
                user_id: row.user_id,
                keep_account: row.keep_account,
                method,
            })
        })
        .await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(err) => {
            not_a_wrong_code(state, owner).await;
            return Err(err);
        }
    };
    let (user_id, keep_account, method) = match outcome {
        Answer::Right {
            user_id,
            keep_account,
            method,
        } => {
            not_a_wrong_code(state, owner).await;
            (user_id, keep_account, method)
        }
        Answer::Gone => {
            not_a_wrong_code(state, owner).await;
            return Err(challenge_ended(CHALLENGE_GONE));
        }
        Answer::Wrong { ended } => {
            return Err(if ended {
                challenge_ended("too many wrong codes; sign in with your password again")
            } else {
                invalid_code()
            });
        }
    };
    let user = users::find(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("account"))?;
    drop(conn);
    if method == "recovery_code" {
        let link = security_page(state);
        tell_owner(state, &user, Template::RecoveryCodeUsed { link: &link }).await;
    }
    Ok((user, keep_account))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_read_however_they_are_typed() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 14);
        let plain = normalize_recovery_code(&code).unwrap();
        assert_eq!(
            normalize_recovery_code(&format!(" {} ", code.to_uppercase().replace('-', " "))),
            Some(plain)
        );
        assert_eq!(normalize_recovery_code("123456"), None);
        assert_ne!(new_recovery_code(), new_recovery_code());
    }
}
