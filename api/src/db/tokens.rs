//! Queries on `email_tokens` (single-use verification and password-reset tokens).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::email_tokens;

/// What an e-mailed token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    purpose: Purpose,
    hash: &[u8],
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(email_tokens::table)
        .values((
            email_tokens::token_hash.eq(hash),
            email_tokens::user_id.eq(user_id),
            email_tokens::purpose.eq(purpose.as_str()),
            email_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Uses a live token exactly once; returns its user, or `None` if unknown, used or expired.
pub async fn consume(
    conn: &mut AsyncPgConnection,
    purpose: Purpose,
    hash: &[u8],
) -> QueryResult<Option<Uuid>> {
    diesel::update(
        email_tokens::table
            .filter(email_tokens::token_hash.eq(hash))
            .filter(email_tokens::purpose.eq(purpose.as_str()))
            .filter(email_tokens::used_at.is_null())
            .filter(email_tokens::expires_at.gt(diesel::dsl::now)),
    )
    .set(email_tokens::used_at.eq(diesel::dsl::now))
    .returning(email_tokens::user_id)
    .get_result(conn)
    .await
    .optional()
}

/// Invalidates a user's outstanding tokens of one purpose (e.g. after a successful reset).
pub async fn invalidate_all(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    purpose: Purpose,
) -> QueryResult<()> {
    diesel::update(
        email_tokens::table
            .filter(email_tokens::user_id.eq(user_id))
            .filter(email_tokens::purpose.eq(purpose.as_str()))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
    .map(drop)
}
