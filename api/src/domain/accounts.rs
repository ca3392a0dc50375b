//! Sign-up, e-mail verification, profile and password changes.

use chrono::{Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;
use zimage_shared::ErrorCode;
use zimage_shared::account::{Locale, UpdateProfileRequest, User};
use zimage_shared::auth::SignupRequest;
use zimage_shared::credits::GrantSource;
use zimage_shared::validate::{self, Invalid};

use crate::auth::{password, secrets};
use crate::db::models::{NewUser, UserRow};
use crate::db::tokens::{self, Purpose};
use crate::db::{sessions as session_db, users};
use crate::domain::credits::{self, NewGrant};
use crate::domain::invitations::{self, Admission};
use crate::error::{ApiError, ApiResult, Validator};
use crate::mail::{Template, render};
use crate::state::AppState;

/// How long an e-mail verification link works.
const VERIFY_TTL: Duration = Duration::hours(24);
/// How long a password-reset link works.
const RESET_TTL: Duration = Duration::hours(1);

/// Creates an account and mails a verification link. An address that already has an account gets
/// the same answer (a stand-in for the account that was not created) and its owner a mail saying
/// so, so sign-up tells nobody which addresses have accounts. Mail goes out after the answer.
pub async fn signup(state: &actix_web::web::Data<AppState>, req: SignupRequest) -> ApiResult<User> {
    let mut v = Validator::new();
    let email = v.check("email", validate::normalize_email(&req.email));
    if let Some(email) = &email {
        v.check("password", password::check_policy(&req.password, email));
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
    let admission = invitations::admit(
        state,
        &mut conn,
        &mut v,
        email.as_deref(),
        req.invitation.as_deref(),
    )
    .await?;
    v.finish()?;
    let (Some(email), Some(locale), Some(admission)) = (email, locale, admission) else {
        return Err(ApiError::internal(anyhow::anyhow!(
            "validator passed without values"
        )));
    };
    if matches!(admission, Admission::Refused) {
        return Err(invitations::invitation_required());
    }

    let hash = password::hash(&req.password).await?;
    // An old address whose owner can still undo a change of address is theirs meanwhile: it
    // answers like an address with an account.
    let held = crate::db::email_changes::held(&mut conn, &email, state.clock.now()).await?;
    let user = match admission {
        Admission::Invited(invitation) => {
            conn.transaction::<_, ApiError, _>(async |conn| {
                let user = if held {
                    None
                } else {
                    insert_user(
                        conn,
                        &email,
                        Some(&hash),
                        display_name.as_deref(),
                        locale,
                        false,
                        referred_by,
                    )
                    .await?
                };
                // A use is spent whether or not the address had an account, so the invitation's
                // uses tell its holder nothing about which addresses do.
                invitations::take(state, conn, &invitation, &email).await?;
                Ok(user)
            })
            .await?
        }
        _ if held => None,
        _ => {
            insert_user(
                &mut conn,
                &email,
                Some(&hash),
                display_name.as_deref(),
                locale,
                false,
                referred_by,
            )
            .await?
        }
    };
    drop(conn);
    let state = state.clone();
    let Some(user) = user else {
        tracing::info!("sign-up with an address that has an account; its owner is told");
        let stand_in = User {
            id: Uuid::new_v4().into(),
            email: email.clone(),
            email_verified: false,
            display_name,
            locale,
            theme: Default::default(),
            organization: None,
            avatar_url: None,
            role: zimage_shared::account::Role::User,
            referral_code: secrets::referral_code(),
            created_at: Utc::now(),
        };
        // At most one such mail per address per window, however often strangers try.
        let budget = state.config.rate_limits.email_per_account;
        if !state
            .limiter
            .check_quietly(&format!("account-exists:account:{email}"), budget)
            .await
        {
            return Ok(stand_in);
        }
        tokio::spawn(async move {
            let mut conn = match state.db.get().await {
                Ok(conn) => conn,
                Err(err) => {
                    return tracing::error!(error = ?err, "could not tell an owner about a sign-up");
                }
            };
            if let Ok(Some(owner)) = users::find_by_email(&mut conn, &email).await {
                let link = format!("{}/login", state.config.public_url);
                let mail = render(
                    &Template::AccountExists { link: &link },
                    owner.locale(),
                    &owner.email,
                );
                state.mailer.send_or_log(&mail).await;
            }
        });
        return Ok(stand_in);
    };
    tracing::info!(user_id = %user.id, "account created");
    let dto = user.to_dto(&state.urls);
    tokio::spawn(async move {
        let sent = match state.db.get().await {
            Ok(mut conn) => send_verification(&state, &mut conn, &user).await,
            Err(err) => Err(err.into()),
        };
        if let Err(err) = sent {
            tracing::error!(error = ?err, user_id = %user.id, "could not send the verification e-mail");
        }
    });
    Ok(dto)
}

/// What every sign-up asks besides the address, as sent.
pub(crate) struct NewAccountFields<'a> {
    pub display_name: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub referral_code: Option<&'a str>,
    pub accept_terms: bool,
    pub age_confirmed: bool,
}

/// Those fields checked (problems go to `v`): the name, the language (`None` when invalid) and
/// the referring account.
pub(crate) struct NewAccount {
    pub display_name: Option<String>,
    pub locale: Option<Locale>,
    pub referred_by: Option<Uuid>,
}

pub(crate) async fn new_account(
    conn: &mut AsyncPgConnection,
    v: &mut Validator,
    fields: &NewAccountFields<'_>,
) -> ApiResult<NewAccount> {
    let display_name = v
        .check(
            "display_name",
            validate::optional_text(fields.display_name, validate::DISPLAY_NAME_MAX_CHARS),
        )
        .flatten();
    let locale = match fields.locale {
        None | Some("") => Some(Locale::default()),
        Some(tag) => v.check("locale", Locale::parse(tag).ok_or(Invalid::UnknownLocale)),
    };
    if !fields.accept_terms {
        v.add("accept_terms", Invalid::MustAcceptTerms.message());
    }
    if !fields.age_confirmed {
        v.add("age_confirmed", Invalid::MustConfirmAge.message());
    }
    let referral = fields
        .referral_code
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let referred_by = match referral {
        Some(code) => {
            let found = users::find_by_referral_code(conn, &code.to_uppercase()).await?;
            if found.is_none() {
                v.add("referral_code", "is not a valid referral code");
            }
            found
        }
        None => None,
    };
    Ok(NewAccount {
        display_name,
        locale,
        referred_by,
    })
}

/// For the operator's `create-user`: the address is taken.
fn email_taken() -> ApiError {
    ApiError::new(
        ErrorCode::EmailTaken,
        "an account with this e-mail address already exists",
    )
}

/// Inserts a user with a fresh referral code; `None` when the e-mail is taken.
pub(crate) async fn insert_user(
    conn: &mut AsyncPgConnection,
    email: &str,
    password_hash: Option<&str>,
    display_name: Option<&str>,
    locale: Locale,
    admin: bool,
    referred_by: Option<Uuid>,
) -> ApiResult<Option<UserRow>> {
    let now = Utc::now();
    // Referral codes are random; on the rare collision, draw again.
    for _ in 0..5 {
        let code = secrets::referral_code();
        let new = NewUser {
            id: Uuid::new_v4(),
            email,
            password_hash,
            display_name,
            locale: locale.as_str(),
            role: if admin { "admin" } else { "user" },
            email_verified_at: admin.then_some(now),
            referral_code: &code,
            referred_by,
            terms_accepted_at: now,
        };
        // In a savepoint: inside a caller's transaction a unique violation would otherwise
        // abort it, and the next draw with it.
        let inserted = conn
            .transaction(async |conn| users::insert(conn, &new).await)
            .await;
        match inserted {
            Ok(row) => return Ok(row),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                info,
            )) if info.constraint_name() == Some("users_referral_code_key") => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(ApiError::internal(anyhow::anyhow!(
        "could not draw a unique referral code"
    )))
}

/// Creates a verified account from the command line (operators bootstrapping an instance).
pub async fn create_user_as_operator(
    state: &AppState,
    email: &str,
    password_plain: &str,
    admin: bool,
) -> ApiResult<UserRow> {
    let email =
        validate::normalize_email(email).map_err(|e| ApiError::field("email", e.message()))?;
    password::check_policy(password_plain, &email)
        .map_err(|e| ApiError::field("password", e.message()))?;
    let hash = password::hash(password_plain).await?;
    let mut conn = state.db.get().await?;
    let mut user = insert_user(
        &mut conn,
        &email,
        Some(&hash),
        None,
        Locale::default(),
        admin,
        None,
    )
    .await?
    .ok_or_else(email_taken)?;
    if user.email_verified_at.is_none() {
        users::mark_verified(&mut conn, user.id, Utc::now()).await?;
        user = users::find(&mut conn, user.id)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
    }
    grant_signup_bonus(&mut conn, user.id, state.config.signup_bonus_credits).await?;
    Ok(user)
}

async fn send_verification(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    user: &UserRow,
) -> ApiResult<()> {
    let token = secrets::random_token();
    tokens::insert(
        conn,
        user.id,
        Purpose::VerifyEmail,
        &secrets::hash(&token),
        Utc::now() + VERIFY_TTL,
    )
    .await?;
    let link = format!("{}/verify-email?token={token}", state.config.public_url);
    let email = render(
        &Template::VerifyEmail { link: &link },
        user.locale(),
        &user.email,
    );
    state.mailer.send_or_log(&email).await;
    Ok(())
}

/// Marks the address verified with a token from the verification e-mail.
pub async fn verify_email(state: &AppState, token: &str) -> ApiResult<User> {
    let mut conn = state.db.get().await?;
    let hash = secrets::hash(token.trim());
    let bonus = state.config.signup_bonus_credits;
    let user = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let user_id = tokens::consume(conn, Purpose::VerifyEmail, &hash)
                .await?
                .ok_or_else(invalid_token)?;
            users::mark_verified(conn, user_id, Utc::now()).await?;
            grant_signup_bonus(conn, user_id, bonus).await?;
            users::find(conn, user_id).await?.ok_or_else(invalid_token)
        })
        .await?;
    tracing::info!(user_id = %user.id, "e-mail verified");
    Ok(user.to_dto(&state.urls))
}

/// The welcome credits, granted once per account when its address is first confirmed.
pub(crate) async fn grant_signup_bonus(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    amount: i64,
) -> ApiResult<()> {
    if amount > 0 {
        credits::grant(
            conn,
            user_id,
            NewGrant {
                source: GrantSource::SignupBonus,
                amount,
                expires_at: None,
                reference: Some(format!("signup:{user_id}")),
                reason: "welcome bonus for confirming your e-mail address".into(),
                actor: None,
            },
        )
        .await?;
    }
    Ok(())
}

fn invalid_token() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidToken,
        "this link is invalid, already used or expired; request a new one",
    )
}

/// Sends a new verification link if the address belongs to an unverified account.
/// Says nothing either way, so it cannot be used to discover accounts.
pub async fn resend_verification(state: &AppState, email: &str) -> ApiResult<()> {
    let Ok(email) = validate::normalize_email(email) else {
        return Ok(());
    };
    let mut conn = state.db.get().await?;
    if let Some(user) = users::find_by_email(&mut conn, &email).await?
        && user.email_verified_at.is_none()
    {
        send_verification(state, &mut conn, &user).await?;
    }
    Ok(())
}

/// E-mails a password-reset link if the address is registered; silent otherwise.
pub async fn forgot_password(state: &AppState, email: &str) -> ApiResult<()> {
    let Ok(email) = validate::normalize_email(email) else {
        return Ok(());
    };
    let mut conn = state.db.get().await?;
    let Some(user) = users::find_by_email(&mut conn, &email).await? else {
        return Ok(());
    };
    let token = secrets::random_token();
    tokens::insert(
        &mut conn,
        user.id,
        Purpose::ResetPassword,
        &secrets::hash(&token),
        Utc::now() + RESET_TTL,
    )
    .await?;
    let link = format!("{}/reset-password?token={token}", state.config.public_url);
    let message = render(
        &Template::ResetPassword { link: &link },
        user.locale(),
        &user.email,
    );
    state.mailer.send_or_log(&message).await;
    Ok(())
}

/// Sets a new password with a reset token; the token works once and every session ends.
pub async fn reset_password(state: &AppState, token: &str, new_password: &str) -> ApiResult<()> {
    let hash_of_token = secrets::hash(token.trim());
    let new_password = new_password.to_owned();
    let mut conn = state.db.get().await?;
    // The token is consumed only if the new password is acceptable (the transaction rolls back otherwise).
    let user = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let user_id = tokens::consume(conn, Purpose::ResetPassword, &hash_of_token)
                .await?
                .ok_or_else(invalid_token)?;
            let user = users::find(conn, user_id)
                .await?
                .ok_or_else(invalid_token)?;
            password::check_policy(&new_password, &user.email)
                .map_err(|e| ApiError::field("new_password", e.message()))?;
            let hash = password::hash(&new_password).await?;
            users::set_password(conn, user.id, &hash).await?;
            tokens::invalidate_all(conn, user.id, Purpose::ResetPassword).await?;
            session_db::revoke_all(conn, user.id, None).await?;
            // Whoever knew the old password may have made keys and webhooks of their own.
            lock_down(conn, user.id).await?;
            // Receiving the link proves control of the address.
            users::mark_verified(conn, user.id, Utc::now()).await?;
            grant_signup_bonus(conn, user.id, state.config.signup_bonus_credits).await?;
            crate::domain::security::record(
                conn,
                user.id,
                "password.reset",
                None,
                serde_json::json!({}),
            )
            .await?;
            Ok(user)
        })
        .await?;
    tracing::info!(user_id = %user.id, "password reset; sessions, API keys, app authorizations and webhooks stopped");
    state
        .mailer
        .send_or_log(&render(
            &Template::PasswordChanged { locked_down: true },
            user.locale(),
            &user.email,
        ))
        .await;
    Ok(())
}

/// Ends everything that works without the password: every API key and app authorization is
/// revoked, every passkey removed (one an intruder added would sign in, second factor
/// included) and every webhook endpoint paused (its owner switches it back on after checking
/// where it points).
pub(crate) async fn lock_down(conn: &mut AsyncPgConnection, user_id: Uuid) -> ApiResult<()> {
    crate::db::api_keys::revoke_all(conn, user_id).await?;
    crate::db::passkeys::delete_all(conn, user_id).await?;
    crate::db::oauth::revoke_all_grants(conn, user_id).await?;
    crate::db::webhooks::disable_all(
        conn,
        user_id,
        "paused when the account's password was reset; switch it back on once you have checked it",
    )
    .await?;
    Ok(())
}

/// Changes the password after checking the current one; other sessions end, and with
/// `lock_down` every API key and webhook endpoint too.
pub async fn change_password(
    state: &AppState,
    user: &UserRow,
    current_session: Uuid,
    current: &str,
    new: &str,
    locked_down: bool,
) -> ApiResult<()> {
    if user.password_hash.is_none() {
        return Err(ApiError::field(
            "current_password",
            "your account has no password yet: set one with \"Forgot password\" on the sign-in page",
        ));
    }
    if !password::verify(current, user.password_hash.as_deref()).await? {
        return Err(ApiError::field("current_password", "is incorrect"));
    }
    password::check_policy(new, &user.email)
        .map_err(|e| ApiError::field("new_password", e.message()))?;
    let hash = password::hash(new).await?;
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        users::set_password(conn, user.id, &hash).await?;
        session_db::revoke_all(conn, user.id, Some(current_session)).await?;
        if locked_down {
            lock_down(conn, user.id).await?;
        }
        crate::domain::security::record(
            conn,
            user.id,
            "password.changed",
            None,
            serde_json::json!({"locked_down": locked_down}),
        )
        .await?;
        Ok(())
    })
    .await?;
    tracing::info!(user_id = %user.id, locked_down, "password changed; other sessions revoked");
    state
        .mailer
        .send_or_log(&render(
            &Template::PasswordChanged { locked_down },
            user.locale(),
            &user.email,
        ))
        .await;
    Ok(())
}

/// Applies a profile patch after validating every field.
pub async fn update_profile(
    state: &AppState,
    user: &UserRow,
    req: UpdateProfileRequest,
) -> ApiResult<User> {
    let mut v = Validator::new();
    let mut changes = users::ProfileChanges {
        locale: req.locale.map(|l| l.as_str().to_string()),
        theme: req.theme.map(|t| t.as_str().to_string()),
        ..Default::default()
    };
    if let Some(name) = req.display_name {
        changes.display_name = v.check(
            "display_name",
            validate::optional_text(name.as_deref(), validate::DISPLAY_NAME_MAX_CHARS),
        );
    }
    if let Some(org) = req.organization {
        changes.organization = v.check(
            "organization",
            validate::optional_text(org.as_deref(), validate::ORGANIZATION_MAX_CHARS),
        );
    }
    if let Some(url) = req.avatar_url {
        changes.avatar_url = v.check("avatar_url", validate::optional_https_url(url.as_deref()));
        // A linked picture (or its removal) replaces an uploaded one.
        changes.avatar_id = Some(None);
    }
    v.finish()?;
    changes.updated_at = Some(Utc::now());
    let mut conn = state.db.get().await?;
    let (before, after) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let before = match changes.avatar_id {
                Some(_) => users::lock(conn, user.id).await?.and_then(|u| u.avatar_id),
                None => None,
            };
            Ok((
                before,
                users::update_profile(conn, user.id, &changes).await?,
            ))
        })
        .await?;
    if let Some(replaced) = before {
        crate::domain::avatars::delete_file(state, user.id, replaced).await;
    }
    Ok(after.to_dto(&state.urls))
}
