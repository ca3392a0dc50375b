//! Passkeys (WebAuthn): adding them from Security, signing in with one instead of a password,
//! answering the second step of a password sign-in with one, and confirming it is you with one
//! before a sensitive action (the step-up, instead of a code).
//!
//! - Every ceremony has two requests: the options (a challenge) and the authenticator's answer.
//!   Between them its state lives in `passkey_ceremonies` (any replica may take the answer),
//!   taken once, within [`CEREMONY_TTL`].
//! - Passkeys are made discoverable (resident) and with user verification, so one proves both
//!   "something you have" and "something you are or know": a sign-in with a passkey counts as
//!   a second factor, and no code is asked after it.
//! - A passkey's signature counter is checked and moved at each sign-in, with the passkey's row
//!   locked: an answer replayed, or from a cloned authenticator, is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;
use webauthn_rs::Webauthn;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey as WebauthnPasskey, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential,
};
use zimage_shared::ErrorCode;
use zimage_shared::account::{
    MAX_PASSKEYS, PASSKEY_NAME_MAX, Passkey, PasskeyCreateRequest, PasskeyList,
    PasskeyOptionsRequest, PasskeyStepUpRequest,
};
use zimage_shared::auth::{PasskeyOptions, PasskeySignInOptionsRequest, PasskeySignInRequest};
use zimage_shared::validate;

use super::ClientInfo;
use super::identities::{WaysIn, confirm_password};
use super::two_factor::{security_page, tell_owner};
use crate::auth::{Auth, secrets};
use crate::db::models::UserRow;
use crate::db::passkeys::{self as db, CeremonyRow, NewCeremony, NewPasskey, PasskeyRow};
use crate::db::{two_factor as challenges, users};
use crate::error::{ApiError, ApiResult};
use crate::mail::Template;
use crate::state::AppState;

/// How long a ceremony waits for the authenticator's answer.
pub const CEREMONY_TTL: Duration = Duration::minutes(5);

const REGISTER: &str = "register";
const SIGN_IN: &str = "sign_in";
const SECOND_FACTOR: &str = "second_factor";
const STEP_UP: &str = "step_up";

fn rejected(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::PasskeyRejected, detail)
}

fn ceremony_gone() -> ApiError {
    rejected("the passkey ceremony is unknown, used or expired; ask for new options and try again")
}

/// The relying party, or 403 where this installation has no passkeys.
fn relying_party(state: &AppState) -> ApiResult<&Webauthn> {
    state.passkeys.as_deref().ok_or_else(|| {
        ApiError::forbidden(
            "this installation does not offer passkeys (they need its public address to be HTTPS at a host name)",
        )
    })
}

fn parse_ceremony(id: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| ceremony_gone())
}

fn to_json<T: serde::Serialize>(value: &T) -> ApiResult<serde_json::Value> {
    serde_json::to_value(value).map_err(ApiError::internal)
}

fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> ApiResult<T> {
    serde_json::from_value(value).map_err(ApiError::internal)
}

/// What the browser sent as `credential`, as webauthn-rs reads it; 422 on `credential` when it
/// is not the shape `toJSON()` gives.
fn read_credential<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> ApiResult<T> {
    T::deserialize(value).map_err(|e| {
        ApiError::field(
            "credential",
            format!("is not a PublicKeyCredential as toJSON() gives it: {e}"),
        )
    })
}

/// Whether a new passkey is synced between devices (its backup state), as webauthn-rs recorded
/// it at registration (sign-ins read it from their result).
fn backed_up(stored: &serde_json::Value) -> bool {
    stored
        .pointer("/cred/backup_state")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

fn to_dto(row: PasskeyRow) -> Passkey {
    Passkey {
        id: row.id.into(),
        name: row.name,
        backed_up: row.backed_up,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
    }
}

fn check_name(name: &str) -> ApiResult<String> {
    validate::required_text(name, PASSKEY_NAME_MAX)
        .map_err(|e| ApiError::field("name", e.message()))
}

pub async fn list(state: &AppState, user_id: Uuid) -> ApiResult<PasskeyList> {
    let mut conn = state.db.get().await?;
    let rows = db::of_user(&mut conn, user_id).await?;
    Ok(PasskeyList {
        items: rows.into_iter().map(to_dto).collect(),
        limit: MAX_PASSKEYS as u32,
        available: state.passkeys.is_some(),
    })
}

async fn open_ceremony(
    state: &AppState,
    purpose: &str,
    user_id: Option<Uuid>,
    session_id: Option<Uuid>,
    challenge_hash: Option<&[u8]>,
    ceremony_state: serde_json::Value,
    public_key: serde_json::Value,
) -> ApiResult<PasskeyOptions> {
    let id = Uuid::new_v4();
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    db::insert_ceremony(
        &mut conn,
        &NewCeremony {
            id,
            purpose,
            user_id,
            session_id,
            challenge_hash,
            state: &ceremony_state,
            expires_at: now + CEREMONY_TTL,
        },
        now,
    )
    .await?;
    Ok(PasskeyOptions {
        ceremony: id.to_string(),
        expires_in: CEREMONY_TTL.num_seconds(),
        public_key,
    })
}

/// Starts adding a passkey to the signed-in account: needs the password (when the account has
/// one) and a fresh second factor (where it is on), as any new way in does.
pub async fn registration_options(
    state: &AppState,
    auth: &Auth,
    req: &PasskeyOptionsRequest,
) -> ApiResult<PasskeyOptions> {
    let session = auth.session()?;
    let rp = relying_party(state)?;
    super::two_factor::require_fresh(state, auth).await?;
    confirm_password(&auth.user, req.password.as_deref()).await?;
    let user = &auth.user;
    let mut conn = state.db.get().await?;
    let existing = db::of_user(&mut conn, user.id).await?;
    drop(conn);
    if existing.len() >= MAX_PASSKEYS {
        return Err(limit_reached());
    }
    // The authenticator refuses to make a second passkey for this account where it holds one.
    let exclude = existing
        .iter()
        .map(|p| p.credential_id.clone().into())
        .collect::<Vec<_>>();
    let display_name = user.display_name.as_deref().unwrap_or(&user.email);
    let (options, registration) = rp
        .start_passkey_registration(user.id, &user.email, display_name, Some(exclude))
        .map_err(ApiError::internal)?;
    let mut public_key = to_json(&options.public_key)?;
    // A passkey signs in without an address typed first: the authenticator must keep it
    // (discoverable). webauthn-rs asks for that only in its attested flows; the answer is
    // checked the same way either way.
    if let Some(selection) = public_key
        .get_mut("authenticatorSelection")
        .and_then(serde_json::Value::as_object_mut)
    {
        selection.insert("residentKey".into(), json!("required"));
        selection.insert("requireResidentKey".into(), json!(true));
    }
    open_ceremony(
        state,
        REGISTER,
        Some(user.id),
        Some(session),
        None,
        to_json(&registration)?,
        public_key,
    )
    .await
}

fn limit_reached() -> ApiError {
    ApiError::new(
        ErrorCode::LimitReached,
        format!("an account keeps at most {MAX_PASSKEYS} passkeys; remove one first"),
    )
}

/// Finishes adding a passkey with what the authenticator made. The ceremony must be this
/// session's.
pub async fn register(
    state: &AppState,
    auth: &Auth,
    req: &PasskeyCreateRequest,
    client: &ClientInfo,
) -> ApiResult<Passkey> {
    let session = auth.session()?;
    let rp = relying_party(state)?;
    let name = check_name(&req.name)?;
    let credential: RegisterPublicKeyCredential = read_credential(&req.credential)?;
    let ceremony_id = parse_ceremony(&req.ceremony)?;
    let user_id = auth.user_id();
    let mut conn = state.db.get().await?;
    let ceremony = db::take_ceremony(&mut conn, ceremony_id, REGISTER, state.clock.now())
        .await?
        .filter(|c| c.user_id == Some(user_id) && c.session_id == Some(session))
        .ok_or_else(ceremony_gone)?;
    let registration: PasskeyRegistration = from_json(ceremony.state)?;
    let passkey: WebauthnPasskey = rp
        .finish_passkey_registration(&credential, &registration)
        .map_err(|e| {
            tracing::info!(%user_id, error = %e, "passkey registration refused");
            rejected(format!("the authenticator's answer does not verify ({e})"))
        })?;
    let stored = to_json(&passkey)?;
    let row = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let ways = WaysIn::lock(conn, user_id).await?;
            if ways.passkeys.len() >= MAX_PASSKEYS {
                return Err(limit_reached());
            }
            let row = db::insert(
                conn,
                &NewPasskey {
                    id: Uuid::new_v4(),
                    user_id,
                    name: &name,
                    credential_id: passkey.cred_id().as_ref(),
                    credential: &stored,
                    backed_up: backed_up(&stored),
                },
            )
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Conflict,
                    "this passkey is registered already (to this account or another)",
                )
            })?;
            super::security::record(
                conn,
                user_id,
                "passkey.added",
                Some(client),
                json!({"passkey_id": row.id, "name": row.name}),
            )
            .await?;
            Ok(row)
        })
        .await?;
    drop(conn);
    tracing::info!(%user_id, passkey_id = %row.id, "passkey added");
    let link = security_page(state);
    tell_owner(
        state,
        &auth.user,
        Template::PasskeyAdded {
            name: &row.name,
            link: &link,
        },
    )
    .await;
    Ok(to_dto(row))
}

pub async fn rename(state: &AppState, auth: &Auth, id: Uuid, name: &str) -> ApiResult<Passkey> {
    let name = check_name(name)?;
    let mut conn = state.db.get().await?;
    db::rename(&mut conn, auth.user_id(), id, &name)
        .await?
        .map(to_dto)
        .ok_or_else(|| ApiError::not_found("passkey"))
}

/// Removes a passkey, unless it is the account's last way to sign in (409 `conflict`). Another
/// account's passkey answers 404.
pub async fn remove(state: &AppState, auth: &Auth, id: Uuid, client: &ClientInfo) -> ApiResult<()> {
    super::two_factor::require_fresh(state, auth).await?;
    let user_id = auth.user_id();
    let mut conn = state.db.get().await?;
    let removed = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let ways = WaysIn::lock(conn, user_id).await?;
            if !ways.passkeys.iter().any(|p| p.id == id) {
                return Err(ApiError::not_found("passkey"));
            }
            ways.check_one_left(state, None, Some(id))?;
            let removed = db::delete(conn, user_id, id)
                .await?
                .ok_or_else(|| ApiError::not_found("passkey"))?;
            super::security::record(
                conn,
                user_id,
                "passkey.removed",
                Some(client),
                json!({"passkey_id": removed.id, "name": removed.name}),
            )
            .await?;
            Ok(removed)
        })
        .await?;
    drop(conn);
    let link = security_page(state);
    tell_owner(
        state,
        &auth.user,
        Template::PasskeyRemoved {
            name: &removed.name,
            link: &link,
        },
    )
    .await;
    Ok(())
}

/// Options for signing in with a passkey: any passkey of this site the browser holds, or, as
/// the second step after a password (`challenge`), one of that account's.
pub async fn sign_in_options(
    state: &AppState,
    req: &PasskeySignInOptionsRequest,
) -> ApiResult<PasskeyOptions> {
    let rp = relying_party(state)?;
    let Some(challenge) = req.challenge.as_deref() else {
        let (options, discoverable) = rp
            .start_discoverable_authentication()
            .map_err(ApiError::internal)?;
        return open_ceremony(
            state,
            SIGN_IN,
            None,
            None,
            None,
            to_json(&discoverable)?,
            to_json(&options.public_key)?,
        )
        .await;
    };
    let hash = secrets::hash(challenge.trim());
    let mut conn = state.db.get().await?;
    let owner = challenges::challenge_owner(&mut conn, &hash, state.clock.now())
        .await?
        .ok_or_else(super::two_factor::challenge_gone)?;
    let rows = db::of_user(&mut conn, owner).await?;
    drop(conn);
    if rows.is_empty() {
        return Err(rejected(
            "this account has no passkey; answer the challenge with a code instead",
        ));
    }
    let (public_key, authentication) = limited_to(rp, &rows)?;
    open_ceremony(
        state,
        SECOND_FACTOR,
        Some(owner),
        None,
        Some(&hash),
        authentication,
        public_key,
    )
    .await
}

/// Options that only the account's passkeys (`rows`) can answer: the discoverable ceremony with
/// `allowCredentials`, so that the answer is checked against the passkey as stored when it
/// comes (its counter then, not at the options). Gives the browser's options and the state.
fn limited_to(
    rp: &Webauthn,
    rows: &[PasskeyRow],
) -> ApiResult<(serde_json::Value, serde_json::Value)> {
    let (options, authentication) = rp
        .start_discoverable_authentication()
        .map_err(ApiError::internal)?;
    let mut public_key = to_json(&options.public_key)?;
    public_key["allowCredentials"] = rows
        .iter()
        .map(|r| json!({"type": "public-key", "id": URL_SAFE_NO_PAD.encode(&r.credential_id)}))
        .collect();
    Ok((public_key, to_json(&authentication)?))
}

/// Options for confirming it is you with a passkey before a sensitive action (the step-up),
/// for this session: one of the account's passkeys answers them.
pub async fn step_up_options(state: &AppState, auth: &Auth) -> ApiResult<PasskeyOptions> {
    let session = auth.session()?;
    let rp = relying_party(state)?;
    let user_id = auth.user_id();
    let mut conn = state.db.get().await?;
    if !super::two_factor::enabled(&mut conn, user_id).await? {
        return Err(super::two_factor::turned_off());
    }
    let rows = db::of_user(&mut conn, user_id).await?;
    drop(conn);
    if rows.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this account has no passkey; confirm with a code from the authenticator app instead",
        ));
    }
    let (public_key, authentication) = limited_to(rp, &rows)?;
    open_ceremony(
        state,
        STEP_UP,
        Some(user_id),
        Some(session),
        None,
        authentication,
        public_key,
    )
    .await
}

/// Confirms it is you with a passkey: this session counts as having proved its second factor
/// now, as a code would make it. The ceremony must be this session's.
pub async fn step_up(
    state: &AppState,
    auth: &Auth,
    req: &PasskeyStepUpRequest,
    client: &ClientInfo,
) -> ApiResult<()> {
    let session = auth.session()?;
    let rp = relying_party(state)?;
    let credential: PublicKeyCredential = read_credential(&req.credential)?;
    let ceremony_id = parse_ceremony(&req.ceremony)?;
    let user_id = auth.user_id();
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    let ceremony = db::take_ceremony(&mut conn, ceremony_id, STEP_UP, now)
        .await?
        .filter(|c| c.user_id == Some(user_id) && c.session_id == Some(session))
        .ok_or_else(ceremony_gone)?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        // Turned off since the options: nothing to prove (as with a code).
        if !super::two_factor::enabled(conn, user_id).await? {
            return Err(super::two_factor::turned_off());
        }
        let row = verify_own(conn, rp, &ceremony, &credential, user_id, now).await?;
        challenges::set_second_factor_at(conn, session, now).await?;
        super::security::record(
            conn,
            user_id,
            "two_factor.verified",
            Some(client),
            json!({"method": "passkey", "passkey_id": row.id}),
        )
        .await
    })
    .await?;
    Ok(())
}

/// Who a passkey sign-in opens, with whether it asked to keep an account scheduled for
/// deletion. The sign-in counts as a second factor.
pub async fn sign_in(
    state: &AppState,
    req: &PasskeySignInRequest,
    client: &ClientInfo,
) -> ApiResult<(UserRow, bool)> {
    let rp = relying_party(state)?;
    let credential: PublicKeyCredential = read_credential(&req.credential)?;
    let ceremony_id = parse_ceremony(&req.ceremony)?;
    let now = state.clock.now();
    let purpose = if req.challenge.is_some() {
        SECOND_FACTOR
    } else {
        SIGN_IN
    };
    let mut conn = state.db.get().await?;
    let ceremony = db::take_ceremony(&mut conn, ceremony_id, purpose, now)
        .await?
        .ok_or_else(ceremony_gone)?;
    let (user_id, keep_account) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let (user_id, keep_account) = match req.challenge.as_deref() {
                Some(challenge) => {
                    answer_challenge(conn, rp, &ceremony, challenge, &credential, now).await?
                }
                None => (
                    discoverable(conn, rp, &ceremony, &credential, now).await?,
                    req.keep_account,
                ),
            };
            super::security::record(
                conn,
                user_id,
                "passkey.sign_in",
                Some(client),
                json!({"second_step": req.challenge.is_some()}),
            )
            .await?;
            Ok((user_id, keep_account))
        })
        .await?;
    let user = users::find(&mut conn, user_id)
        .await?
        .ok_or_else(|| rejected("the passkey belongs to no account here"))?;
    Ok((user, keep_account))
}

/// A passkey alone: the account is the one its user handle names, and the credential must be
/// that account's.
async fn discoverable(
    conn: &mut diesel_async::AsyncPgConnection,
    rp: &Webauthn,
    ceremony: &CeremonyRow,
    credential: &PublicKeyCredential,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Uuid> {
    let (user_id, _) = rp
        .identify_discoverable_authentication(credential)
        .map_err(|_| rejected("the passkey's answer names no account"))?;
    verify_own(conn, rp, ceremony, credential, user_id, now).await?;
    Ok(user_id)
}

/// The second step after a password: the challenge must be the one the options were made for,
/// still live, and the passkey its account's. The challenge is used up.
async fn answer_challenge(
    conn: &mut diesel_async::AsyncPgConnection,
    rp: &Webauthn,
    ceremony: &CeremonyRow,
    challenge: &str,
    credential: &PublicKeyCredential,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<(Uuid, bool)> {
    let hash = secrets::hash(challenge.trim());
    if ceremony.challenge_hash.as_deref() != Some(hash.as_slice()) {
        return Err(ceremony_gone());
    }
    let live = challenges::lock_challenge(conn, &hash, now)
        .await?
        .filter(|c| Some(c.user_id) == ceremony.user_id)
        .ok_or_else(super::two_factor::challenge_gone)?;
    verify_own(conn, rp, ceremony, credential, live.user_id, now).await?;
    challenges::delete_challenge(conn, &hash).await?;
    Ok((live.user_id, live.keep_account))
}

/// Checks an answer from one of `user_id`'s passkeys against the ceremony and against the
/// passkey as stored now, with its row locked, then moves its counter and backup state on and
/// marks it used. An answer replayed, or from a cloned authenticator, fails the counter check.
async fn verify_own(
    conn: &mut diesel_async::AsyncPgConnection,
    rp: &Webauthn,
    ceremony: &CeremonyRow,
    credential: &PublicKeyCredential,
    user_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<PasskeyRow> {
    let row = db::lock_by_credential(conn, credential.get_credential_id())
        .await?
        .filter(|row| row.user_id == user_id)
        .ok_or_else(|| {
            rejected(
                "this passkey is not registered here for this account (it may have been removed)",
            )
        })?;
    let authentication: DiscoverableAuthentication = from_json(ceremony.state.clone())?;
    let mut passkey: WebauthnPasskey = from_json(row.credential.clone())?;
    let result = rp
        .finish_discoverable_authentication(
            credential,
            authentication,
            &[DiscoverableKey::from(&passkey)],
        )
        .map_err(|error| {
            tracing::info!(%user_id, %error, "passkey answer refused");
            rejected(format!("the passkey's answer does not verify ({error})"))
        })?;
    passkey.update_credential(&result);
    let stored = to_json(&passkey)?;
    db::used(conn, row.id, &stored, result.backup_state(), now).await?;
    Ok(row)
}
