//! Integration tests: the real application on port 0 against a fresh PostgreSQL database each.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod admin_console;
mod api_keys;
mod billing;
mod bola;
mod broker;
mod chaos;
mod conformance;
mod contract;
mod cors;
mod credits;
mod errors;
mod generations;
mod helpers;
mod live;
mod mail_smtp;
mod models;
mod oauth;
mod openapi;
mod privacy;
mod prompts;
mod provider_settings;
mod providers;
mod rate_limits;
mod schema;
mod sdk;
mod security;
mod sessions;
mod shares;
mod storage_s3;
mod support;
mod tokens;
mod uploads;
mod webhooks_out;
