//! Shared application state handed to every handler.

use std::sync::Arc;

use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::db::Db;
use crate::mail::Mailer;
use crate::payments::Stripe;
use crate::payments::catalog::ProductCatalog;
use crate::providers::models::ModelCatalog;
use crate::rate_limit::RateLimiter;
use crate::storage::Storage;

/// Everything a request may need, built once at start-up.
pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub jwt: JwtKeys,
    /// Signs image URLs that work without a bearer token.
    pub urls: crate::auth::signed_url::UrlSigner,
    /// The identity providers people sign in with, and what was read from them.
    pub sso: Arc<crate::auth::sso::Sso>,
    /// The relying party for passkeys; `None` where they are off or browsers would refuse them.
    pub passkeys: Option<Arc<webauthn_rs::Webauthn>>,
    /// Seals secrets stored in the database (webhook signing secrets).
    pub sealer: crate::auth::sealed::Sealer,
    pub mailer: Mailer,
    pub limiter: RateLimiter,
    pub catalog: ProductCatalog,
    pub models: ModelCatalog,
    pub storage: Storage,
    /// The configured generation providers (the built-in local one always).
    pub providers: crate::providers::Providers,
    /// Wakes this process's live-status streams.
    pub live: Arc<crate::live::LiveHub>,
    /// `None` when payments are not configured.
    pub stripe: Option<Stripe>,
    /// The time scheduled work (retention, purges, archive expiry) goes by.
    pub clock: crate::clock::Clock,
    /// Slots for image work on this machine's processors (rendering, previews): `ZIMAGE_WORKERS`.
    pub cpu: Arc<tokio::sync::Semaphore>,
    /// Slots for decoding and re-encoding images people send (uploads): one per core, a short
    /// queue, 503 beyond it.
    pub decoding: crate::gate::Gate,
    /// This process's manners towards providers: request permits, circuit breakers, caps.
    pub etiquette: crate::providers::manners::Etiquette,
    /// Which backends the operator drained or disabled, as this process last read it.
    pub backend_modes: crate::jobs::routing::BackendModes,
    /// Backends that lately refused a routed model's task for the operator to fix.
    pub refusals: crate::jobs::routing::Refusals,
    /// The moderation rules, compiled, as this process last read them.
    pub moderation: crate::domain::moderation::RuleCache,
    /// API key requests counted here and not written yet.
    pub key_requests: crate::auth::extract::UncountedRequests,
    /// Set when the process is asked to stop.
    pub draining: Draining,
}

/// Whether this process is stopping: `/readyz` then answers 503, so load balancers send new
/// requests elsewhere, and live streams end with a hint to reconnect (to another replica), while
/// requests in flight finish.
#[derive(Clone)]
pub struct Draining(Arc<tokio::sync::watch::Sender<bool>>);

impl Default for Draining {
    fn default() -> Self {
        Self(Arc::new(tokio::sync::watch::Sender::new(false)))
    }
}

impl Draining {
    /// Starts draining (once; later calls change nothing).
    pub fn start(&self) {
        self.0.send_replace(true);
    }

    pub fn is_draining(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once draining has started (at once if it has).
    pub async fn started(&self) {
        let mut changes = self.0.subscribe();
        let _ = changes.wait_for(|draining| *draining).await;
    }
}

pub type SharedState = Arc<AppState>;
