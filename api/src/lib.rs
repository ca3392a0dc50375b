//! Z-Image Studio API server: HTTP routes, domain rules, persistence and operator commands.

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod gate;
pub mod jobs;
pub mod json_body;
pub mod live;
pub mod mail;
pub mod openapi;
pub mod outbound;
pub mod pagination;
pub mod payments;
pub mod providers;
pub mod rate_limit;
pub mod request_id;
pub mod routes;
pub mod slow_bodies;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
