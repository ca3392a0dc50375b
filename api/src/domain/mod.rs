//! Business rules and transactions, one module per area. Handlers call exactly one of these.

pub mod accounts;
pub mod admin;
pub mod api_keys;
pub mod audit;
pub mod avatars;
pub mod billing;
pub mod collections;
pub mod credits;
pub mod email_change;
pub mod export;
pub mod generation;
pub mod identities;
pub mod images;
pub mod invitations;
pub mod moderation;
pub mod oauth;
pub mod objects;
pub mod passkeys;
pub mod privacy;
pub mod prompts;
pub mod retention;
pub mod security;
pub mod sessions;
pub mod shares;
pub mod support;
pub mod two_factor;
pub mod uploads;
pub mod webhooks;

/// Where a request came from, recorded on sessions.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: Option<String>,
}
