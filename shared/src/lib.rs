//! Types shared by the Z-Image API (`zimage-api`) and its web client (`zimage-web`).
//!
//! Plain serde types with no server dependencies so the crate builds for wasm32.
//! OpenAPI schema derives sit behind the `openapi` feature, which only the API enables.

pub mod account;
pub mod admin;
pub mod auth;
pub mod billing;
pub mod collections;
pub mod credits;
pub mod error;
pub mod generation;
pub mod ids;
pub mod money;
pub mod oauth;
pub mod page;
pub mod privacy;
pub mod prompts;
pub mod sse;
pub mod support;
pub mod validate;
pub mod webhooks;
pub mod wire;

pub use error::{ErrorCode, FieldErrors, Problem};
pub use page::Page;
