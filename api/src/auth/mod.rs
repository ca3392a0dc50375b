//! Who is calling: passwords, bearer secrets, access tokens and the `Auth` extractor.

pub mod extract;
pub mod jwt;
pub mod passkey;
pub mod password;
pub mod sealed;
pub mod secrets;
pub mod signed_url;
pub mod sso;
pub mod totp;

pub use extract::{Auth, Bearer, Credential, OptionalAuth, Via, client_ip, user_agent};
