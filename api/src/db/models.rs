//! Rows as stored, converted to `zimage-shared` DTOs at the edge.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;
use zimage_shared::account::{ApiKeyInfo, ApiKeyScope, Locale, Role, SessionInfo, Theme, User};

use super::schema::{api_keys, sessions, users};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    /// `None` for an account made at an identity provider, until its owner sets a password.
    pub password_hash: Option<String>,
    pub display_name: Option<String>,
    pub locale: String,
    pub theme: String,
    pub organization: Option<String>,
    pub avatar_url: Option<String>,
    pub role: String,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub referral_code: String,
    pub referred_by: Option<Uuid>,
    pub terms_accepted_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub restricted_at: Option<DateTime<Utc>>,
    pub objected_at: Option<DateTime<Utc>>,
    /// The uploaded profile picture, if any (see [`crate::domain::avatars`]).
    pub avatar_id: Option<Uuid>,
}

impl UserRow {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }

    pub fn locale(&self) -> Locale {
        Locale::parse(&self.locale).unwrap_or_default()
    }

    /// The account as its owner sees it; `urls` signs the uploaded picture's address.
    pub fn to_dto(&self, urls: &crate::auth::signed_url::UrlSigner) -> User {
        User {
            id: self.id.into(),
            email: self.email.clone(),
            email_verified: self.email_verified_at.is_some(),
            display_name: self.display_name.clone(),
            locale: self.locale(),
            theme: Theme::parse(&self.theme).unwrap_or_default(),
            organization: self.organization.clone(),
            avatar_url: match self.avatar_id {
                Some(avatar) => Some(crate::domain::avatars::url(urls, avatar)),
                None => self.avatar_url.clone(),
            },
            role: if self.is_admin() {
                Role::Admin
            } else {
                Role::User
            },
            referral_code: self.referral_code.clone(),
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub locale: &'a str,
    pub role: &'a str,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub referral_code: &'a str,
    pub referred_by: Option<Uuid>,
    pub terms_accepted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct SessionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl SessionRow {
    pub fn to_dto(&self, current: Option<Uuid>) -> SessionInfo {
        SessionInfo {
            id: self.id.into(),
            user_agent: self.user_agent.clone(),
            ip: self.ip.clone(),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            current: current == Some(self.id),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<Option<String>>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub daily_credit_limit: Option<i64>,
    pub monthly_credit_limit: Option<i64>,
    pub allowed_models: Option<Vec<Option<String>>>,
    pub request_count: i64,
}

impl ApiKeyRow {
    /// Scopes as enums; unknown names (from a newer version) are ignored.
    pub fn scopes(&self) -> Vec<ApiKeyScope> {
        parse_scopes(&self.scopes)
    }

    /// The models the key may use; `None` for any.
    pub fn allowed_models(&self) -> Option<Vec<String>> {
        self.allowed_models
            .as_ref()
            .map(|models| models.iter().flatten().cloned().collect())
    }

    pub fn to_dto(&self, spent: crate::db::api_keys::Spent) -> ApiKeyInfo {
        ApiKeyInfo {
            id: self.id.into(),
            name: self.name.clone(),
            prefix: self.prefix.clone(),
            scopes: self.scopes(),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            expires_at: self.expires_at,
            daily_credit_limit: self.daily_credit_limit,
            monthly_credit_limit: self.monthly_credit_limit,
            allowed_models: self.allowed_models(),
            usage: zimage_shared::account::ApiKeyUsage {
                requests: self.request_count,
                credits_today: spent.today,
                credits_this_month: spent.this_month,
                credits_total: spent.total,
            },
        }
    }
}

/// Scope names as enums; unknown names (from a newer version) are ignored.
pub fn parse_scopes(names: &[Option<String>]) -> Vec<ApiKeyScope> {
    names
        .iter()
        .flatten()
        .filter_map(|s| ApiKeyScope::parse(s))
        .collect()
}
