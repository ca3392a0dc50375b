//! Builds the application exactly as production runs it; tests bind port 0.

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::middleware::{Compress, Condition, from_fn};
use actix_web::{App, HttpRequest, HttpServer, web};
use anyhow::Context;
use std::net::TcpListener;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;
use zimage_shared::ErrorCode;

use crate::auth::jwt::{self, JwtKeys};
use crate::config::Config;
use crate::error::ApiError;
use crate::mail::Mailer;
use crate::payments::Stripe;
use crate::payments::catalog::ProductCatalog;
use crate::providers::local::LocalProvider;
use crate::providers::models::ModelCatalog;
use crate::rate_limit::RateLimiter;
use crate::state::AppState;
use crate::storage::Storage;
use crate::{db, jobs, openapi, request_id, routes};

/// A bound, not yet running, server.
pub struct Application {
    server: Server,
    port: u16,
    /// The metrics listener's port, when there is one.
    metrics: Option<u16>,
    state: web::Data<AppState>,
    workers: jobs::WorkerPool,
}

impl Application {
    /// Migrates the database, wires the state and binds `config.bind`.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let applied = db::migrate(config.database_url.expose()).await?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "database migrated");
        }
        let state = web::Data::new(build_state(config)?);
        crate::domain::webhooks::seal_stored_secrets(&state)
            .await
            .map_err(|e| anyhow::anyhow!("sealing stored webhook secrets: {e:?}"))?;
        let listener = TcpListener::bind(&state.config.bind)
            .with_context(|| format!("binding {}", state.config.bind))?;
        let port = listener.local_addr()?.port();
        let metrics = serve_metrics(&state)?;
        let server = serve(listener, state.clone())?;
        let workers = jobs::WorkerPool::start(state.clone(), state.config.workers);
        tokio::spawn(crate::live::listen(
            state.config.database_url.expose().clone(),
            state.live.clone(),
        ));
        let interval = state.config.scheduler_interval;
        if !interval.is_zero() {
            tokio::spawn(jobs::scheduler::run_forever(state.clone(), interval));
        }
        Ok(Self {
            server,
            port,
            metrics,
            state,
            workers,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Runs until SIGINT or SIGTERM, then stops as [`Self::run_until`] does.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Runs until `stop` resolves, then drains: `/readyz` answers 503 and live streams end with a
    /// reconnect hint; after `ZIMAGE_DRAIN_DELAY_SECS` (time for a load balancer's health check
    /// to notice) the listener closes, requests in flight finish (up to 30 s), and the workers
    /// hand their jobs back.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<()> {
        let handle = self.server.handle();
        let mut server = tokio::spawn(self.server);
        let result = tokio::select! {
            ended = &mut server => ended,
            () = stop => {
                tracing::info!(delay = ?self.state.config.drain_delay, "stopping: draining this replica");
                self.state.draining.start();
                tokio::time::sleep(self.state.config.drain_delay).await;
                handle.stop(true).await;
                server.await
            }
        };
        self.workers
            .shutdown(std::time::Duration::from_secs(20))
            .await;
        result.unwrap_or_else(|panicked| Err(std::io::Error::other(panicked)))
    }
}

/// The state every handler shares.
pub fn build_state(config: Config) -> anyhow::Result<AppState> {
    crate::providers::http::install_crypto();
    let db = db::Db::new(
        config.database_url.expose(),
        config.database_pool_size,
        http_workers(),
    )?;
    let secret = jwt::load_or_create_secret(
        config.jwt_secret.as_ref().map(|s| s.expose().as_str()),
        &config.data_dir,
    )?;
    let timeouts = config.provider_timeouts;
    // Result downloads are spooled here on their way to storage.
    let spool = config.data_dir.join("tmp").join("results");
    crate::providers::http::sweep_spool(&spool, std::time::Duration::from_secs(24 * 3600));
    let mut providers = crate::providers::Providers {
        local: LocalProvider::new(config.local_latency),
        fal: config
            .fal
            .clone()
            .map(|c| crate::providers::fal::FalClient::new(c, timeouts, spool.clone()))
            .transpose()?,
        kie: config
            .kie
            .clone()
            .map(|c| crate::providers::kie::KieClient::new(c, timeouts, spool.clone()))
            .transpose()?,
        openai: config
            .openai
            .clone()
            .map(|c| crate::providers::openai::OpenAiCompatible::new(c, timeouts, spool.clone()))
            .transpose()?,
        comfyui: config
            .comfyui
            .as_ref()
            .map(|c| {
                crate::providers::comfyui::ComfyClient::new(
                    c,
                    std::collections::HashMap::new(),
                    timeouts,
                    spool.clone(),
                )
            })
            .transpose()?,
        sdcpp: config
            .sdcpp
            .as_ref()
            .map(|c| crate::providers::sdcpp::SdCppClient::new(c, timeouts))
            .transpose()?,
        replicate: config
            .replicate
            .clone()
            .map(|c| crate::providers::replicate::ReplicateClient::new(c, timeouts, spool.clone()))
            .transpose()?,
    };
    let models = ModelCatalog::load(config.models_file.as_deref(), &providers.enabled())?;
    if let Some(comfy) = &mut providers.comfyui {
        // Each ComfyUI model's graphs, as the catalogue read and checked them.
        comfy.set_workflows(models.comfy_workflows()?);
    }
    Ok(AppState {
        jwt: JwtKeys::new(&secret, config.access_token_ttl),
        urls: crate::auth::signed_url::UrlSigner::new(&secret, &config.public_url),
        sso: std::sync::Arc::new(crate::auth::sso::Sso::new(
            config.sso.clone(),
            &config.public_url,
        )?),
        passkeys: config
            .passkeys
            .then(|| crate::auth::passkey::relying_party(&config.public_url))
            .flatten()
            .map(std::sync::Arc::new),
        sealer: match &config.encryption_key {
            Some(key) => crate::auth::sealed::Sealer::new(key.expose()),
            None => crate::auth::sealed::Sealer::derived(&secret),
        },
        mailer: Mailer::from_config(&config)?,
        limiter: match &config.redis_url {
            Some(url) => RateLimiter::shared(url.expose(), &config.redis_prefix)?,
            None => RateLimiter::new(),
        },
        catalog: ProductCatalog::load(config.catalog_file.as_deref())?,
        models,
        storage: Storage::from_config(&config.storage)?,
        providers,
        live: std::sync::Arc::new(crate::live::LiveHub::new()),
        stripe: config.stripe.as_ref().map(Stripe::new).transpose()?,
        clock: crate::clock::Clock::default(),
        cpu: std::sync::Arc::new(tokio::sync::Semaphore::new(config.workers.max(1))),
        decoding: crate::gate::Gate::new(
            crate::gate::Gate::cores(),
            crate::gate::Gate::cores() * 4,
            std::time::Duration::from_secs(10),
            "too many images are being checked right now; try again in a few seconds",
        ),
        etiquette: crate::providers::manners::Etiquette::new(&config.manners),
        backend_modes: crate::jobs::routing::BackendModes::default(),
        refusals: crate::jobs::routing::Refusals::default(),
        moderation: Default::default(),
        key_requests: Default::default(),
        draining: Default::default(),
        db,
        config,
    })
}

fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the body as JSON with `Content-Type: application/json`",
        ),
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body exceeds {limit} bytes"),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::new(
            ErrorCode::ValidationFailed,
            format!("the body does not match the expected shape: {e}"),
        ),
        JsonPayloadError::Deserialize(e) => ApiError::new(
            ErrorCode::MalformedJson,
            format!("the body is not valid JSON: {e}"),
        ),
        _ => ApiError::new(
            ErrorCode::MalformedJson,
            "the body could not be read as JSON",
        ),
    };
    api.into()
}

fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::new(
        ErrorCode::InvalidQuery,
        format!("the query string is not valid: {err}"),
    )
    .into()
}

fn path_error(err: PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::new(
        ErrorCode::InvalidPathParameter,
        format!("a path parameter is not valid: {err}"),
    )
    .into()
}

fn cors(config: &Config) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .allowed_header("idempotency-key")
        .allowed_header("x-request-id")
        .expose_headers([
            "x-request-id",
            "retry-after",
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
            "ratelimit",
            "ratelimit-policy",
            "location",
            "www-authenticate",
        ])
        .supports_credentials()
        .max_age(3600);
    for origin in config
        .cors_origins
        .iter()
        .chain(std::iter::once(&config.public_url))
    {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// HTTP worker threads: one per core.
fn http_workers() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

fn serve(listener: TcpListener, state: web::Data<AppState>) -> anyhow::Result<Server> {
    let doc = openapi::value(&state.config.public_url);
    let server = HttpServer::new(move || {
        // Runs once on each worker thread: its requests use connections driven on this thread.
        if let Err(err) = state.db.give_this_thread_a_pool() {
            tracing::warn!(error = %err, "worker thread uses the shared database pool");
        }
        let config = &state.config;
        let app = App::new()
            .into_utoipa_app()
            .app_data(state.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(config.max_json_bytes)
                    .error_handler(json_error),
            )
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .configure(routes::configure)
            .into_app()
            // The address people type (and `just run` prints) has no trailing slash.
            .route(
                "/docs",
                web::get().to(|| async {
                    actix_web::HttpResponse::PermanentRedirect()
                        .insert_header((actix_web::http::header::LOCATION, "/docs/"))
                        .finish()
                }),
            )
            .service(
                SwaggerUi::new("/docs/{_:.*}").external_url_unchecked("/openapi.json", doc.clone()),
            );
        app.default_service(web::to(routes::fallback::not_found))
            .wrap(from_fn(crate::slow_bodies::middleware))
            .wrap(Condition::new(
                config.metrics_bind.is_some(),
                from_fn(crate::metrics::middleware),
            ))
            .wrap(Compress::default())
            .wrap(Condition::new(
                !config.cors_origins.is_empty(),
                cors(config),
            ))
            .wrap(from_fn(request_id::middleware))
    })
    .workers(http_workers())
    .listen(listener)?
    .shutdown_timeout(30)
    // Signals are handled by `Application::run_until`, which drains first.
    .disable_signals()
    .run();
    Ok(server)
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Starts the metrics listener when `ZIMAGE_METRICS_BIND` asks for one (API replicas and
/// `zimage worker` alike); its port.
pub fn serve_metrics(state: &web::Data<AppState>) -> anyhow::Result<Option<u16>> {
    let Some(bind) = &state.config.metrics_bind else {
        return Ok(None);
    };
    crate::metrics::install();
    let listener =
        TcpListener::bind(bind).with_context(|| format!("binding ZIMAGE_METRICS_BIND {bind}"))?;
    let port = listener.local_addr()?.port();
    tokio::spawn(crate::metrics::serve(listener, state.clone())?);
    Ok(Some(port))
}
