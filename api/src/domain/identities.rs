//! Signing in with identity providers: the sign-in flows, accounts made at a provider, and the
//! identities linked to an account.
//!
//! The rules:
//!
//! - A provider's account (its subject) signs in to the one account it is linked to. Two-factor
//!   authentication is still asked for afterwards when the account has it on.
//! - A subject not linked yet, whose verified address has no account, may make one: the web app
//!   asks for age and terms first ([`signup`]), and nothing exists before that.
//! - A subject not linked yet, whose address has an account, is never linked by that match
//!   alone: the account's owner gets a mail whose link does it ([`confirm_link`]), or links it
//!   from their signed-in session ([`start`] with a user).
//! - An identity can be removed while another way to sign in remains.

use chrono::Duration;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;
use zimage_shared::ErrorCode;
use zimage_shared::account::{Identity, SignInMethods};
use zimage_shared::auth::{
    IdentityLinkRequest, SsoKind, SsoProviderInfo, SsoSignupDetails, SsoSignupRequest, SsoStart,
    SsoStartRequest, TokenResponse,
};
use zimage_shared::validate;

use super::ClientInfo;
use super::accounts::{NewAccount, NewAccountFields, new_account};
use super::invitations::{self, Admission};
use super::sessions::{self, SignIn};
use super::two_factor::{security_page, tell_owner};
use crate::auth::Auth;
use crate::auth::secrets;
use crate::auth::sso::SsoError;
use crate::config::SsoProvider;
use crate::db::identities::{self as db, FlowRow, IdentityRow, NewIdentity, PendingRow};
use crate::db::models::UserRow;
use crate::db::users;
use crate::error::{ApiError, ApiResult, Validator};
use crate::mail::{Template, render};
use crate::state::AppState;

/// How long a sign-in may stay at the provider.
const FLOW_TTL: Duration = Duration::minutes(10);
/// How long the offer of a new account waits for age and terms.
const SIGNUP_TTL: Duration = Duration::minutes(30);
/// How long the link in a "connect this sign-in?" mail works.
const LINK_TTL: Duration = Duration::hours(24);
/// Where a sign-in lands when it did not say.
const DEFAULT_LANDING: &str = "/create";

/// The providers offered, as the sign-in page shows them.
pub fn providers(state: &AppState) -> Vec<SsoProviderInfo> {
    state.sso.providers().iter().map(info).collect()
}

fn info(provider: &SsoProvider) -> SsoProviderInfo {
    SsoProviderInfo {
        id: provider.id.clone(),
        name: provider.name.clone(),
        kind: match provider.kind {
            crate::config::SsoKind::Oidc { .. } => SsoKind::Oidc,
            crate::config::SsoKind::Github { .. } => SsoKind::Github,
        },
    }
}

fn provider<'a>(state: &'a AppState, id: &str) -> ApiResult<&'a SsoProvider> {
    state
        .sso
        .provider(id)
        .ok_or_else(|| ApiError::not_found("identity provider"))
}

/// A path on this site, or `None`: never another origin (`//host`, `/\host`, a scheme).
fn local_path(path: Option<&str>) -> ApiResult<Option<String>> {
    let Some(path) = path.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 200
        && !path.chars().any(|c| c.is_control());
    if !local {
        return Err(ApiError::field(
            "return_to",
            "must be a path on this site, such as /gallery",
        ));
    }
    // It becomes a `Location` header: anything but visible ASCII is percent-encoded.
    let mut encoded = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_graphic() {
            encoded.push(c);
        } else {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                encoded.push_str(&format!("%{b:02X}"));
            }
        }
    }
    // The web app goes there only if it is a path on this site by the same rule.
    if !zimage_shared::validate::is_local_path(&encoded) {
        return Err(ApiError::field(
            "return_to",
            "must be a path on this site, such as /gallery",
        ));
    }
    Ok(Some(encoded))
}

/// Starts a sign-in at `provider_id` (or, with `link`, the linking of a provider to that
/// account by that session). Returns where to send the browser and the secret for the cookie that binds the
/// way back to this browser.
pub async fn start(
    state: &AppState,
    provider_id: &str,
    link: Option<(Uuid, Uuid)>,
    req: &SsoStartRequest,
) -> ApiResult<(SsoStart, String)> {
    let provider = provider(state, provider_id)?;
    let return_to = local_path(req.return_to.as_deref())?;
    let invitation = req
        .invitation
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if invitation.is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::field(
            "invitation",
            "must be at most 200 characters",
        ));
    }
    if req
        .login_hint
        .as_deref()
        .is_some_and(|h| h.chars().count() > 254)
    {
        return Err(ApiError::field(
            "login_hint",
            "must be at most 254 characters",
        ));
    }
    let started = state
        .sso
        .start(provider, req.login_hint.as_deref())
        .await
        .map_err(unavailable)?;
    let browser = secrets::random_token();
    let mut conn = state.db.get().await?;
    db::insert_flow(
        &mut conn,
        &FlowRow {
            id: Uuid::new_v4(),
            state_hash: secrets::hash(&started.state),
            browser_hash: secrets::hash(&browser),
            provider: provider.id.clone(),
            nonce: started.nonce,
            pkce_verifier: started.pkce_verifier,
            user_id: link.map(|(user, _)| user),
            invitation: invitation.map(str::to_string),
            return_to,
            expires_at: state.clock.now() + FLOW_TTL,
            session_id: link.map(|(_, session)| session),
        },
    )
    .await?;
    Ok((
        SsoStart {
            authorization_url: started.url,
        },
        browser,
    ))
}

fn unavailable(err: SsoError) -> ApiError {
    tracing::warn!(error = %err, "identity provider unavailable");
    ApiError::new(
        ErrorCode::ServiceUnavailable,
        "the identity provider cannot be reached right now; try again in a minute",
    )
}

/// What the provider sent the browser back with.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Callback {
    /// The authorization code.
    #[param(max_length = 2048)]
    pub code: Option<String>,
    /// The `state` this sign-in started with.
    #[param(max_length = 512)]
    pub state: Option<String>,
    /// An OAuth error code, when the provider did not authorize (`access_denied`…).
    #[param(max_length = 256)]
    pub error: Option<String>,
}

/// Where the way back from a provider leads.
pub enum Landing {
    /// Signed in: the session's tokens, and the page to open.
    SignedIn {
        tokens: Box<TokenResponse>,
        return_to: String,
    },
    /// The account asks for its second factor: the sign-in page takes it from here, offering
    /// a passkey too where the account has one.
    SecondFactor {
        challenge: String,
        passkey: bool,
        /// Where the start asked to land, once the second factor is given.
        return_to: Option<String>,
    },
    /// A new account waits for age and terms on the sign-up page.
    Signup {
        token: String,
        /// Where the start asked to land, once the account is made.
        return_to: Option<String>,
    },
    /// The address has an account: its owner was mailed a link that connects this sign-in.
    LinkMailed,
    /// The provider is now linked to the signed-in account.
    Linked,
    /// Nothing happened; `code` says why (for the page to explain), `linking` whether a
    /// signed-in user was linking.
    Failed { code: &'static str, linking: bool },
}

/// Finishes a sign-in at a provider. Every outcome, failures included, is a page to land on:
/// the browser arrives here by a redirect, not from a script.
pub async fn callback(
    state: &AppState,
    provider_id: &str,
    browser: Option<&str>,
    back: &Callback,
    client: &ClientInfo,
) -> ApiResult<Landing> {
    let provider = provider(state, provider_id)?;
    let failed = |code, linking| {
        tracing::info!(provider = %provider.id, code, "sign-in at an identity provider failed");
        Ok(Landing::Failed { code, linking })
    };
    let Some(flow_state) = back.state.as_deref().filter(|s| s.len() <= 512) else {
        return failed("state_mismatch", false);
    };
    let mut conn = state.db.get().await?;
    let flow = db::take_flow(&mut conn, &secrets::hash(flow_state), state.clock.now()).await?;
    drop(conn);
    let Some(flow) = flow else {
        return failed("state_mismatch", false);
    };
    let linking = flow.user_id.is_some();
    let same_browser = browser.is_some_and(|b| secrets::hash(b) == flow.browser_hash);
    if flow.provider != provider.id || !same_browser {
        return failed("state_mismatch", linking);
    }
    if let Some(error) = &back.error {
        return failed(
            if error == "access_denied" {
                "access_denied"
            } else {
                "provider_error"
            },
            linking,
        );
    }
    let Some(code) = back
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 2048)
    else {
        return failed("provider_error", linking);
    };
    let person = match state
        .sso
        .finish(provider, code, &flow.nonce, &flow.pkce_verifier)
        .await
    {
        Ok(person) => person,
        Err(err) => {
            tracing::warn!(provider = %provider.id, error = %err, "identity provider sign-in refused");
            return failed(
                match err {
                    SsoError::Rejected(_) => "token_rejected",
                    SsoError::Unavailable(_) => "provider_unavailable",
                },
                linking,
            );
        }
    };
    let email = person
        .email
        .as_deref()
        .and_then(|e| validate::normalize_email(e).ok());
    let username = person
        .username
        .as_deref()
        .map(|u| u.chars().take(100).collect::<String>());
    let mut conn = state.db.get().await?;

    if let Some(user_id) = flow.user_id {
        // Only while the session that asked is still signed in.
        let asker = match flow.session_id {
            Some(session) => crate::db::sessions::find_active_user(&conn, session, user_id).await?,
            None => None,
        };
        let Some(user) = asker else {
            return failed("state_mismatch", true);
        };
        let linked = conn
            .transaction::<_, ApiError, _>(async |conn| {
                let inserted = db::insert(
                    conn,
                    &NewIdentity {
                        id: Uuid::new_v4(),
                        user_id,
                        provider: &provider.id,
                        subject: &person.subject,
                        email: email.as_deref(),
                        username: username.as_deref(),
                        last_used_at: None,
                    },
                )
                .await?;
                if let Some(identity) = &inserted {
                    record_link(conn, identity, client).await?;
                }
                Ok(inserted)
            })
            .await?;
        return match linked {
            Some(identity) => {
                drop(conn);
                tell_linked(state, &user, &identity).await;
                Ok(Landing::Linked)
            }
            None => match db::find(&mut conn, &provider.id, &person.subject).await? {
                Some(existing) if existing.user_id == user_id => Ok(Landing::Linked),
                Some(_) => failed("identity_taken", true),
                None => failed("provider_already_linked", true),
            },
        };
    }

    let now = state.clock.now();
    if let Some(identity) = db::sign_in(
        &mut conn,
        &provider.id,
        &person.subject,
        email.as_deref(),
        username.as_deref(),
        now,
    )
    .await?
    {
        let Some(user) = users::find(&mut conn, identity.user_id).await? else {
            return failed("state_mismatch", false);
        };
        drop(conn);
        return match sessions::sign_in_elsewhere(state, &user, client).await {
            Ok(SignIn::Tokens(tokens)) => Ok(Landing::SignedIn {
                tokens: Box::new(tokens),
                return_to: flow.return_to.unwrap_or_else(|| DEFAULT_LANDING.into()),
            }),
            Ok(SignIn::SecondFactor(asked)) => Ok(Landing::SecondFactor {
                passkey: asked.methods.iter().any(|m| m == "passkey"),
                challenge: asked.challenge,
                return_to: flow.return_to,
            }),
            Err(err) if err.code() == ErrorCode::AccountDisabled => {
                failed("account_disabled", false)
            }
            Err(err) if err.code() == ErrorCode::ErasurePending => failed("erasure_pending", false),
            Err(err) => Err(err),
        };
    }

    // Someone new to this installation, as far as this provider's account goes.
    let Some(email) = email.filter(|_| person.email_verified) else {
        return failed("email_unverified", false);
    };
    let offer = |purpose: &str, user_id: Option<Uuid>, ttl: Duration| {
        let token = secrets::random_token();
        let row = PendingRow {
            token_hash: secrets::hash(&token),
            purpose: purpose.into(),
            provider: provider.id.clone(),
            subject: person.subject.clone(),
            email: email.clone(),
            username: username.clone(),
            display_name: person
                .name
                .as_deref()
                .map(|n| n.chars().take(validate::DISPLAY_NAME_MAX_CHARS).collect()),
            user_id,
            invitation: flow.invitation.clone(),
            expires_at: now + ttl,
        };
        (token, row)
    };
    if let Some(owner) = users::find_by_email(&mut conn, &email).await? {
        if owner.email_verified_at.is_none() {
            // Whoever made that account never proved the address: it may be someone else's
            // squat. Its mailbox's owner takes it over with "Forgot password" (which ends the
            // squatter's sessions and keys), then connects the provider from Security.
            return failed("account_unverified", false);
        }
        // Never linked by the address alone: the owner confirms from their mailbox.
        let budget = state.config.rate_limits.email_per_account;
        let may_mail = state
            .limiter
            .check_quietly(&format!("sso-link:account:{}", owner.id), budget)
            .await;
        if may_mail {
            let (token, row) = offer("link", Some(owner.id), LINK_TTL);
            db::insert_pending(&mut conn, &row).await?;
            drop(conn);
            let link = format!("{}/sso/link#token={token}", state.config.public_url);
            let template = Template::ConfirmIdentityLink {
                provider: &provider.name,
                link: &link,
            };
            state
                .mailer
                .send_or_log(&render(&template, owner.locale(), &owner.email))
                .await;
        }
        return Ok(Landing::LinkMailed);
    }
    if crate::db::email_changes::held(&mut conn, &email, now).await? {
        // The address's former owner may still take it back: it is not free.
        return failed("email_taken", false);
    }
    if flow.invitation.is_none() && !state.config.signup.admits_without_invitation(&email) {
        return failed("invitation_required", false);
    }
    let (token, row) = offer("signup", None, SIGNUP_TTL);
    db::insert_pending(&mut conn, &row).await?;
    Ok(Landing::Signup {
        token,
        return_to: flow.return_to.clone(),
    })
}

fn offer_ended() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidToken,
        "this sign-in offer ended or was already used; sign in at the provider again",
    )
}

/// The account a sign-in at a provider offered to make.
pub async fn signup_details(state: &AppState, token: &str) -> ApiResult<SsoSignupDetails> {
    let mut conn = state.db.get().await?;
    let row = db::pending(
        &mut conn,
        &secrets::hash(token.trim()),
        "signup",
        state.clock.now(),
    )
    .await?
    .ok_or_else(offer_ended)?;
    Ok(SsoSignupDetails {
        provider_name: provider_name(state, &row.provider),
        provider: row.provider,
        email: row.email,
        display_name: row.display_name,
        expires_at: row.expires_at,
    })
}

fn provider_name(state: &AppState, id: &str) -> String {
    state
        .sso
        .provider(id)
        .map_or_else(|| id.to_string(), |p| p.name.clone())
}

/// Makes the account a sign-in at a provider offered, its address verified by the provider and
/// the identity linked, and signs it in.
pub async fn signup(
    state: &AppState,
    req: &SsoSignupRequest,
    client: &ClientInfo,
) -> ApiResult<TokenResponse> {
    let mut v = Validator::new();
    if req.token.chars().count() > 200 {
        v.add("token", "must be at most 200 characters");
    }
    let mut conn = state.db.get().await?;
    let NewAccount {
        display_name,
        locale,
        referred_by,
    } = new_account(
        &mut conn,
        &mut v,
        &NewAccountFields {
            display_name: req.display_name.as_deref(),
            locale: req.locale.as_deref(),
            referral_code: req.referral_code.as_deref(),
            accept_terms: req.accept_terms,
            age_confirmed: req.age_confirmed,
        },
    )
    .await?;
    let token_hash = secrets::hash(req.token.trim());
    let now = state.clock.now();
    let offered = db::pending(&mut conn, &token_hash, "signup", now)
        .await?
        .ok_or_else(offer_ended)?;
    let admission = invitations::admit(
        state,
        &mut conn,
        &mut v,
        Some(&offered.email),
        offered.invitation.as_deref(),
    )
    .await?;
    v.finish()?;
    let (Some(locale), Some(admission)) = (locale, admission) else {
        return Err(ApiError::internal(anyhow::anyhow!(
            "validator passed without values"
        )));
    };
    if matches!(admission, Admission::Refused) {
        return Err(invitations::invitation_required());
    }
    let bonus = state.config.signup_bonus_credits;
    let user = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let offered = db::take_pending(conn, &token_hash, "signup", now)
                .await?
                .ok_or_else(offer_ended)?;
            let name = display_name.as_deref().or(offered.display_name.as_deref());
            let user = super::accounts::insert_user(
                conn,
                &offered.email,
                None,
                name,
                locale,
                false,
                referred_by,
            )
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::EmailTaken,
                    "an account with this address was made meanwhile: sign in to it, then connect the provider from Security",
                )
            })?;
            users::mark_verified(conn, user.id, now).await?;
            let identity = db::insert(
                conn,
                &NewIdentity {
                    id: Uuid::new_v4(),
                    user_id: user.id,
                    provider: &offered.provider,
                    subject: &offered.subject,
                    email: Some(&offered.email),
                    username: offered.username.as_deref(),
                    last_used_at: Some(now),
                },
            )
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Conflict,
                    "this account at the provider was linked to another account meanwhile; sign in with it",
                )
            })?;
            if let Admission::Invited(invitation) = &admission {
                invitations::take(state, conn, invitation, &offered.email).await?;
            }
            super::accounts::grant_signup_bonus(conn, user.id, bonus).await?;
            super::security::record(
                conn,
                user.id,
                "identity.linked",
                Some(client),
                json!({"provider": identity.provider, "signup": true}),
            )
            .await?;
            Ok(users::find(conn, user.id).await?.unwrap_or(user))
        })
        .await?;
    drop(conn);
    tracing::info!(user_id = %user.id, "account created at an identity provider");
    match sessions::sign_in_elsewhere(state, &user, client).await? {
        SignIn::Tokens(tokens) => Ok(tokens),
        SignIn::SecondFactor(_) => Err(ApiError::internal(anyhow::anyhow!(
            "a new account asked for a second factor"
        ))),
    }
}

/// Links the identity a confirmation mail was about; returns the provider's name.
pub async fn confirm_link(state: &AppState, token: &str, client: &ClientInfo) -> ApiResult<String> {
    let mut conn = state.db.get().await?;
    let now = state.clock.now();
    let token_hash = secrets::hash(token.trim());
    let (user, identity) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let offered = db::take_pending(conn, &token_hash, "link", now)
                .await?
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InvalidToken,
                        "this link is invalid, already used or expired; sign in at the provider again for a new one",
                    )
                })?;
            let user_id = offered.user_id.ok_or_else(offer_ended)?;
            let user = users::find(conn, user_id).await?.ok_or_else(offer_ended)?;
            // The mail went to the address the account had then: it proves nothing once the
            // account has moved.
            if user.email != offered.email || user.email_verified_at.is_none() {
                return Err(offer_ended());
            }
            let inserted = db::insert(
                conn,
                &NewIdentity {
                    id: Uuid::new_v4(),
                    user_id,
                    provider: &offered.provider,
                    subject: &offered.subject,
                    email: Some(&offered.email),
                    username: offered.username.as_deref(),
                    last_used_at: None,
                },
            )
            .await?;
            let identity = match inserted {
                Some(identity) => identity,
                None => {
                    return Err(ApiError::new(
                        ErrorCode::Conflict,
                        match db::find(conn, &offered.provider, &offered.subject).await? {
                            Some(found) if found.user_id == user_id => {
                                "this sign-in is connected to your account already"
                            }
                            Some(_) => "this account at the provider is connected to another account",
                            None => {
                                "your account is connected to another account at this provider; remove that one in Security first"
                            }
                        },
                    ));
                }
            };
            record_link(conn, &identity, client).await?;
            Ok((user, identity))
        })
        .await?;
    drop(conn);
    tell_linked(state, &user, &identity).await;
    Ok(provider_name(state, &identity.provider))
}

/// The security log's line for a new link, in the transaction that makes it.
async fn record_link(
    conn: &mut diesel_async::AsyncPgConnection,
    identity: &IdentityRow,
    client: &ClientInfo,
) -> ApiResult<()> {
    super::security::record(
        conn,
        identity.user_id,
        "identity.linked",
        Some(client),
        json!({"provider": identity.provider}),
    )
    .await
}

/// Tells the owner a provider now opens their account.
async fn tell_linked(state: &AppState, user: &UserRow, identity: &IdentityRow) {
    tracing::info!(user_id = %user.id, provider = %identity.provider, "identity linked");
    let name = provider_name(state, &identity.provider);
    let link = security_page(state);
    tell_owner(
        state,
        user,
        Template::IdentityLinked {
            provider: &name,
            link: &link,
        },
    )
    .await;
}

fn to_dto(state: &AppState, row: IdentityRow) -> Identity {
    Identity {
        id: row.id.into(),
        provider_name: provider_name(state, &row.provider),
        provider: row.provider,
        email: row.email,
        username: row.username,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
    }
}

/// The ways an account signs in.
pub async fn methods(state: &AppState, user: &UserRow) -> ApiResult<SignInMethods> {
    let mut conn = state.db.get().await?;
    let rows = db::of_user(&mut conn, user.id).await?;
    let available = state
        .sso
        .providers()
        .iter()
        .filter(|p| !rows.iter().any(|r| r.provider == p.id))
        .map(info)
        .collect();
    Ok(SignInMethods {
        password: user.password_hash.is_some(),
        identities: rows.into_iter().map(|r| to_dto(state, r)).collect(),
        available,
    })
}

/// Starts linking a provider to the signed-in account. A new way in is a sensitive change: it
/// needs the account's password (when it has one) and a fresh second factor (where it is on).
pub async fn start_link(
    state: &AppState,
    auth: &Auth,
    req: &IdentityLinkRequest,
) -> ApiResult<(SsoStart, String)> {
    super::two_factor::require_fresh(state, auth).await?;
    confirm_password(&auth.user, req.password.as_deref()).await?;
    if state.sso.provider(&req.provider).is_none() {
        return Err(ApiError::field(
            "provider",
            "is not an identity provider of this installation",
        ));
    }
    let start_req = SsoStartRequest {
        return_to: None,
        invitation: None,
        login_hint: req.login_hint.clone(),
    };
    let link = (auth.user_id(), auth.session()?);
    start(state, &req.provider, Some(link), &start_req).await
}

/// A new way in is as sensitive as a new password or address: whoever holds only a session
/// cannot add one. Accounts with a password must give it (422 on `password` otherwise).
pub(crate) async fn confirm_password(user: &UserRow, typed: Option<&str>) -> ApiResult<()> {
    if let Some(hash) = user.password_hash.as_deref() {
        let typed = typed.unwrap_or_default();
        if typed.chars().count() > 128 || !crate::auth::password::verify(typed, Some(hash)).await? {
            return Err(ApiError::field("password", "is incorrect"));
        }
    }
    Ok(())
}

/// The ways an account signs in, read with the account's row locked: one change to them at a
/// time per account, so two removals cannot each leave the other as the last way in and both go.
pub(crate) struct WaysIn {
    password: bool,
    pub identities: Vec<IdentityRow>,
    pub passkeys: Vec<crate::db::passkeys::PasskeyRow>,
}

impl WaysIn {
    pub(crate) async fn lock(
        conn: &mut diesel_async::AsyncPgConnection,
        user_id: Uuid,
    ) -> ApiResult<Self> {
        let user: UserRow = crate::db::schema::users::table
            .find(user_id)
            .select(UserRow::as_select())
            // Not `FOR UPDATE`: a sign-in's security-log row takes a key-share lock on the
            // account (its foreign key), and must not wait on this (nor deadlock with it).
            .for_no_key_update()
            .first(conn)
            .await?;
        Ok(Self {
            password: user.password_hash.is_some(),
            identities: db::of_user(conn, user_id).await?,
            passkeys: crate::db::passkeys::of_user(conn, user_id).await?,
        })
    }

    /// 409 `conflict` unless a way in is left without the identity or passkey about to go.
    /// Identities at providers the operator has since removed cannot sign in, nor can passkeys
    /// where the installation has them off.
    pub(crate) fn check_one_left(
        &self,
        state: &AppState,
        identity: Option<Uuid>,
        passkey: Option<Uuid>,
    ) -> ApiResult<()> {
        let identities = self
            .identities
            .iter()
            .filter(|i| Some(i.id) != identity && state.sso.provider(&i.provider).is_some())
            .count();
        let passkeys = if state.passkeys.is_some() {
            self.passkeys
                .iter()
                .filter(|p| Some(p.id) != passkey)
                .count()
        } else {
            0
        };
        if self.password || identities + passkeys > 0 {
            return Ok(());
        }
        Err(ApiError::new(
            ErrorCode::Conflict,
            "this is the only way to sign in to your account: set a password (with \"Forgot password\" on the sign-in page), connect a provider or add a passkey first",
        ))
    }
}

/// Removes an identity, unless it is the account's last way to sign in (409 `conflict`).
/// Another account's identity answers 404.
pub async fn unlink(state: &AppState, auth: &Auth, id: Uuid, client: &ClientInfo) -> ApiResult<()> {
    super::two_factor::require_fresh(state, auth).await?;
    let user_id = auth.user_id();
    let mut conn = state.db.get().await?;
    let removed = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let ways = WaysIn::lock(conn, user_id).await?;
            if !ways.identities.iter().any(|i| i.id == id) {
                return Err(ApiError::not_found("identity"));
            }
            ways.check_one_left(state, Some(id), None)?;
            let removed = db::delete(conn, user_id, id)
                .await?
                .ok_or_else(|| ApiError::not_found("identity"))?;
            super::security::record(
                conn,
                user_id,
                "identity.unlinked",
                Some(client),
                json!({"provider": removed.provider}),
            )
            .await?;
            Ok(removed)
        })
        .await?;
    drop(conn);
    let name = provider_name(state, &removed.provider);
    let link = security_page(state);
    tell_owner(
        state,
        &auth.user,
        Template::IdentityUnlinked {
            provider: &name,
            link: &link,
        },
    )
    .await;
    Ok(())
}
