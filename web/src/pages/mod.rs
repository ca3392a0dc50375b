//! One module per route.

pub mod account;
pub mod admin;
pub mod billing;
pub mod create;
pub mod credits;
pub mod developers;
pub mod email_change;
pub mod forgot_password;
pub mod gallery;
pub mod history;
pub mod home;
pub mod legal;
pub mod login;
pub mod not_found;
pub mod oauth;
pub mod privacy;
pub mod prompts;
pub mod reset_password;
pub mod security;
pub mod shared;
pub mod signup;
pub mod sso;
pub mod support;
pub mod verify_email;
