//! `zimage`: serve the product, migrate the database, print the OpenAPI document, administer.

use anyhow::Context;
use clap::{Parser, Subcommand};
use zimage_api::config::Config;
use zimage_api::startup::{Application, build_state};
use zimage_api::{db, domain, jobs, openapi, telemetry};

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
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
    /// Serve the API and the web app (the default).
    Serve,
    /// Run generation workers only (scale-out); stops cleanly on SIGINT/SIGTERM.
    Worker,
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
    if let Some(Command::Openapi) = cli.command {
        print!("{}", openapi::json());
        return Ok(());
    }
    let config = Config::from_env()?;
    telemetry::init(config.log_json);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(config.clone()).await?;
            let host = config.bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
            let url = format!("http://{host}:{}", app.port());
            tracing::info!(%url, public_url = %config.public_url, "Z-Image Studio is listening");
            println!("Z-Image Studio is running at {url}  (API docs: {url}/docs)");
            app.run_until_stopped().await?;
        }
        Command::Worker => {
            db::migrate(config.database_url.expose()).await?;
            let count = config.workers.max(1);
            let state = actix_web::web::Data::new(build_state(config)?);
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
        Command::Openapi => unreachable!("handled above"),
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
