//! Invite-only sign-up: administrators make invitation links (with an expiry, a number of uses
//! and optionally the one address that may use them); with `ZIMAGE_SIGNUP=invite`, sign-up needs
//! one, unless the address is at an allowed domain.
//!
//! Only the SHA-256 of a link's token is stored: the link is shown once, to its creator (and
//! mailed to the address it is bound to).

use chrono::Duration;
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;
use zimage_shared::admin::{CreateInvitation, Invitation, InvitationCreated, InvitationStatus};
use zimage_shared::auth::{InvitationPreview, SignupMode, SignupOptions};
use zimage_shared::{ErrorCode, Page, validate};

use crate::auth::{Auth, secrets};
use crate::db::invitations::{self as db, InvitationRow, NewInvitation};
use crate::domain::audit::{self, Actor};
use crate::error::{ApiError, ApiResult, Validator};
use crate::mail::{Template, render};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;

/// Longest an invitation may stay open, in days.
pub const MAX_DAYS: u32 = 90;
/// How long an invitation stays open unless its creator says otherwise, in days.
pub const DEFAULT_DAYS: u32 = 7;
/// Most accounts one invitation may create.
pub const MAX_USES: u32 = 1000;
/// Longest note, in characters.
pub const NOTE_MAX_CHARS: usize = 200;
/// Longest token accepted from a client (ours are 43 characters).
const TOKEN_MAX_CHARS: usize = 200;

/// Why an invitation given at sign-up cannot be used (the `invitation` field's message).
pub const NOT_USABLE: &str =
    "is not valid any more: it expired, was used up or was withdrawn; ask for a new one";
/// The invitation is bound to another address.
pub const OTHER_ADDRESS: &str = "was made for another e-mail address";

fn status(row: &InvitationRow, now: chrono::DateTime<chrono::Utc>) -> InvitationStatus {
    if row.revoked_at.is_some() {
        InvitationStatus::Revoked
    } else if row.uses >= row.max_uses {
        InvitationStatus::UsedUp
    } else if row.expires_at <= now {
        InvitationStatus::Expired
    } else {
        InvitationStatus::Active
    }
}

fn dto(
    row: &InvitationRow,
    created_by_email: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> Invitation {
    Invitation {
        id: row.id,
        email: row.email.clone(),
        note: row.note.clone(),
        max_uses: row.max_uses,
        uses: row.uses,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
        status: status(row, now),
        created_by_email,
        created_at: row.created_at,
    }
}

/// Makes an invitation; mails its link when it is bound to an address.
pub async fn create(
    state: &AppState,
    auth: &Auth,
    admin: &Actor,
    req: CreateInvitation,
) -> ApiResult<InvitationCreated> {
    let mut v = Validator::new();
    let email = match req.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => v.check("email", validate::normalize_email(raw)),
    };
    let note = v
        .check(
            "note",
            validate::optional_text(req.note.as_deref(), NOTE_MAX_CHARS),
        )
        .flatten();
    let days = req.expires_in_days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        v.add(
            "expires_in_days",
            format!("must be between 1 and {MAX_DAYS}"),
        );
    }
    let max_uses = req.max_uses.unwrap_or(1);
    if !(1..=MAX_USES).contains(&max_uses) {
        v.add("max_uses", format!("must be between 1 and {MAX_USES}"));
    } else if email.is_some() && max_uses != 1 {
        v.add(
            "max_uses",
            "must be 1 for an invitation bound to an e-mail address",
        );
    }
    v.finish()?;

    let now = state.clock.now();
    let token = secrets::random_token();
    let hash = secrets::hash(&token);
    let new = NewInvitation {
        id: Uuid::new_v4(),
        token_hash: &hash,
        email: email.as_deref(),
        note: note.as_deref(),
        max_uses: i32::try_from(max_uses).unwrap_or(1),
        expires_at: now + Duration::days(i64::from(days)),
        created_by: admin.id,
    };
    let mut conn = state.db.get().await?;
    let row = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let row = db::insert(conn, &new).await?;
            audit::record(
                conn,
                admin,
                "invitation.created",
                "invitation",
                Some(row.id.to_string()),
                json!({"bound": row.email.is_some(), "max_uses": row.max_uses, "expires_at": row.expires_at}),
            )
            .await?;
            Ok(row)
        })
        .await?;
    drop(conn);
    let link = format!("{}/signup?invitation={token}", state.config.public_url);
    let mailed = match &row.email {
        Some(to) => {
            let until = row.expires_at.format("%Y-%m-%d %H:%M UTC").to_string();
            let mail = render(
                &Template::Invitation {
                    link: &link,
                    until: &until,
                },
                auth.user.locale(),
                to,
            );
            state.mailer.send(&mail).await.map_or_else(
                |err| {
                    tracing::warn!(error = %err, invitation_id = %row.id, "could not mail an invitation");
                    false
                },
                |()| true,
            )
        }
        None => false,
    };
    tracing::info!(admin_id = %admin.id, invitation_id = %row.id, mailed, "invitation created");
    Ok(InvitationCreated {
        invitation: dto(&row, Some(auth.user.email.clone()), now),
        link,
        mailed,
    })
}

pub async fn list(state: &AppState, page: PageRequest) -> ApiResult<Page<Invitation>> {
    let mut conn = state.db.get().await?;
    let rows = db::page(&mut conn, page).await?;
    let now = state.clock.now();
    Ok(page.page(
        rows,
        |(r, _)| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |(r, by)| dto(r, by.clone(), now),
    ))
}

/// Withdraws an invitation: its link stops working; accounts made with it stay. Withdrawing it
/// again changes nothing (and is not audited again).
pub async fn revoke(state: &AppState, admin: &Actor, id: Uuid) -> ApiResult<Invitation> {
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    let (row, by) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if db::revoke(conn, id, now).await? {
                audit::record(
                    conn,
                    admin,
                    "invitation.revoked",
                    "invitation",
                    Some(id.to_string()),
                    json!({}),
                )
                .await?;
            }
            db::find(conn, id)
                .await?
                .ok_or_else(|| ApiError::not_found("invitation"))
        })
        .await?;
    Ok(dto(&row, by, now))
}

/// What the sign-up form needs: the mode, the allowed domains, and the invitation in its link.
pub async fn signup_options(state: &AppState, token: Option<&str>) -> ApiResult<SignupOptions> {
    let policy = &state.config.signup;
    if token.is_some_and(|t| t.chars().count() > TOKEN_MAX_CHARS) {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            format!("invitation must be at most {TOKEN_MAX_CHARS} characters"),
        ));
    }
    let token = token.map(str::trim).filter(|t| !t.is_empty());
    let invitation = match token {
        Some(token) => {
            let mut conn = state.db.get().await?;
            db::usable(&mut conn, &secrets::hash(token), state.clock.now())
                .await?
                .map(|row| InvitationPreview {
                    email: row.email,
                    expires_at: row.expires_at,
                })
        }
        None => None,
    };
    Ok(SignupOptions {
        mode: policy.mode,
        allowed_domains: match policy.mode {
            SignupMode::Open => Vec::new(),
            SignupMode::Invite => policy.allowed_domains.clone(),
        },
        invitation,
        password_signup: state.config.password_signup,
        providers: crate::domain::identities::providers(state),
        passkeys: state.passkeys.is_some(),
    })
}

/// What sign-up does about invitations, decided before anything is written.
pub enum Admission {
    /// Nothing to count: sign-up is open, or the address is at an allowed domain.
    Free,
    /// Count a use of the invitation with this token hash in the transaction that makes the
    /// account.
    Invited(Vec<u8>),
    /// Neither an invitation nor an allowed address: 403 `invitation_required`, once the other
    /// fields are valid.
    Refused,
}

/// Checks the invitation (if any) of a sign-up for `email`; the `invitation` field's problems go
/// to `v` (and the answer is `None`, as it is while the address itself is invalid).
pub async fn admit(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    v: &mut Validator,
    email: Option<&str>,
    token: Option<&str>,
) -> ApiResult<Option<Admission>> {
    if token.is_some_and(|t| t.chars().count() > TOKEN_MAX_CHARS) {
        v.add(
            "invitation",
            format!("must be at most {TOKEN_MAX_CHARS} characters"),
        );
        return Ok(None);
    }
    let policy = &state.config.signup;
    if policy.mode == SignupMode::Open {
        return Ok(Some(Admission::Free));
    }
    let token = token.map(str::trim).filter(|t| !t.is_empty());
    let Some(token) = token else {
        return match email {
            Some(email) if policy.admits_without_invitation(email) => Ok(Some(Admission::Free)),
            Some(_) => Ok(Some(Admission::Refused)),
            None => Ok(None),
        };
    };
    let hash = secrets::hash(token);
    let problem = match db::usable(conn, &hash, state.clock.now()).await? {
        None => NOT_USABLE,
        Some(row) => match (&row.email, email) {
            (Some(bound), Some(email)) if bound != email => OTHER_ADDRESS,
            _ => return Ok(Some(Admission::Invited(hash))),
        },
    };
    // A stale link does not stand in the way of an address that needs none.
    match email {
        Some(email) if policy.admits_without_invitation(email) => Ok(Some(Admission::Free)),
        _ => {
            v.add("invitation", problem);
            Ok(None)
        }
    }
}

/// Counts the sign-up of `email` against the invitation, in the transaction that made the
/// account; fails (and so undoes the account) if the last use went meanwhile.
pub async fn take(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    hash: &[u8],
    email: &str,
) -> ApiResult<()> {
    match db::take_one(conn, hash, email, state.clock.now()).await? {
        Some(row) => {
            tracing::info!(invitation_id = %row.id, uses = row.uses, "invitation used");
            Ok(())
        }
        None => Err(ApiError::field("invitation", NOT_USABLE)),
    }
}

pub fn invitation_required() -> ApiError {
    ApiError::new(
        ErrorCode::InvitationRequired,
        "sign-up here is by invitation: open the invitation link you were sent, or ask an administrator for one",
    )
}
