//! `zimage`: serve the product, migrate the database, print the OpenAPI document, administer.

use anyhow::Context;
use clap::{Parser, Subcommand};
use zimage_api::config::Config;
use zimage_api::startup::{Application, build_state, serve_metrics, shutdown_signal};
use zimage_api::{db, domain, jobs, openapi, telemetry};

#[derive(Parser)]
#[command(
    name = "zimage",
    version,
    about = "Z-Image Studio: self-hosted AI image generation"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the web app (the default), with generation workers and the scheduler
    /// unless switched off.
    Serve {
        /// Run no background work here: generation, webhook deliveries and exports are left to
        /// `zimage worker` processes (the same as `ZIMAGE_WORKERS=0`).
        #[arg(long)]
        no_workers: bool,
        /// Make no scheduled passes here (the same as `ZIMAGE_SCHEDULER_INTERVAL_SECS=0`). Any
        /// number of processes may run the scheduler: they make one pass per interval between them.
        #[arg(long)]
        no_scheduler: bool,
    },
    /// Run background work only (generation, webhook deliveries, exports, and the scheduler
    /// unless `--no-scheduler`); stops cleanly on SIGINT/SIGTERM.
    Worker {
        #[arg(long)]
        no_scheduler: bool,
    },
    /// Exit 0 when the server on this machine is ready (`GET /readyz` on `ZIMAGE_BIND`), 1
    /// otherwise: a container health check without curl.
    Healthcheck {
        /// Another address to check, e.g. `http://127.0.0.1:8080/readyz`.
        #[arg(long)]
        url: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Operator tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a verified user (optionally an administrator).
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long, env = "ZIMAGE_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long)]
        admin: bool,
    },
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Openapi) => {
            print!("{}", openapi::json());
            return Ok(());
        }
        Some(Command::Healthcheck { url }) => std::process::exit(healthcheck(url).await),
        _ => {}
    }
    let mut config = Config::from_env()?;
    // Kept to the end: dropping it sends the traces still buffered.
    let _telemetry = telemetry::init(config.log_json);
    match cli.command.unwrap_or(Command::Serve {
        no_workers: false,
        no_scheduler: false,
    }) {
        Command::Serve {
            no_workers,
            no_scheduler,
        } => {
            if no_workers {
                config.workers = 0;
            }
            if no_scheduler {
                config.scheduler_interval = std::time::Duration::ZERO;
            }
            let app = Application::build(config.clone()).await?;
            let host = config.bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
            let url = format!("http://{host}:{}", app.port());
            tracing::info!(%url, public_url = %config.public_url, "Z-Image Studio is listening");
            println!("Z-Image Studio is running at {url}  (API docs: {url}/docs)");
            app.run_until_stopped().await?;
        }
        Command::Worker { no_scheduler } => {
            db::migrate(config.database_url.expose()).await?;
            let count = config.workers.max(1);
            let interval = config.scheduler_interval;
            let state = actix_web::web::Data::new(build_state(config)?);
            // Its tasks, provider calls and deliveries are counted here, not on the API replicas.
            if let Some(port) = serve_metrics(&state)? {
                tracing::info!(port, "metrics listening");
            }
            if !no_scheduler && !interval.is_zero() {
                tokio::spawn(jobs::scheduler::run_forever(state.clone(), interval));
            }
            let pool = jobs::WorkerPool::start(state, count);
            println!(
                "Z-Image Studio worker running {count} worker(s); stop with Ctrl-C or SIGTERM"
            );
            shutdown_signal().await;
            pool.shutdown(std::time::Duration::from_secs(20)).await;
        }
        Command::Migrate => {
            let applied = db::migrate(config.database_url.expose()).await?;
            println!("applied {} migration(s)", applied.len());
        }
        Command::Openapi | Command::Healthcheck { .. } => unreachable!("handled above"),
        Command::Admin(AdminCommand::CreateUser {
            email,
            password,
            admin,
        }) => {
            db::migrate(config.database_url.expose()).await?;
            let state = build_state(config)?;
            let user = domain::accounts::create_user_as_operator(&state, &email, &password, admin)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
                .context("creating the user")?;
            println!(
                "created {} user {} ({})",
                if admin { "admin" } else { "regular" },
                user.email,
                user.id
            );
        }
    }
    Ok(())
}

/// Asks the local server whether it is ready: 0 if it answers 200 within 5 s, 1 otherwise.
async fn healthcheck(url: Option<String>) -> i32 {
    zimage_api::providers::http::install_crypto();
    let url = url.unwrap_or_else(|| {
        let bind = std::env::var("ZIMAGE_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
        let (host, port) = bind.rsplit_once(':').unwrap_or(("127.0.0.1", "8080"));
        // A server bound to every interface answers on loopback too.
        let host = match host {
            "" | "0.0.0.0" => "127.0.0.1",
            "[::]" => "[::1]",
            host => host,
        };
        format!("http://{host}:{port}/readyz")
    });
    let client = match reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            eprintln!("healthcheck: {err}");
            return 1;
        }
    };
    match client.get(&url).send().await {
        Ok(answer) if answer.status().is_success() => 0,
        Ok(answer) => {
            eprintln!("healthcheck: {url} answered {}", answer.status());
            1
        }
        Err(err) => {
            eprintln!("healthcheck: {url}: {err}");
            1
        }
    }
}
