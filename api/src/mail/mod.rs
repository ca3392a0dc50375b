//! Outgoing e-mail: an outbox directory by default, SMTP when configured.

mod templates;

pub use templates::{Template, render, render_announcement};

use anyhow::Context;
use lettre::message::{Mailbox, Message, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;

use crate::config::{Config, MailConfig};

/// A rendered message ready to send.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// For mail that is not transactional: the one-click unsubscribe URL (RFC 8058), sent as
    /// `List-Unsubscribe` with `List-Unsubscribe-Post`.
    pub unsubscribe: Option<String>,
}

enum Transport {
    Outbox(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Sends e-mail through the configured transport.
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config.mail_from.parse().with_context(|| {
            format!(
                "ZIMAGE_MAIL_FROM is not a valid mailbox: {:?}",
                config.mail_from
            )
        })?;
        let transport = match &config.mail {
            MailConfig::Outbox(dir) => Transport::Outbox(dir.clone()),
            MailConfig::Smtp(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .context("ZIMAGE_SMTP_URL is not a valid SMTP URL")?
                    .timeout(Some(std::time::Duration::from_secs(15)))
                    .build(),
            ),
        };
        Ok(Self { from, transport })
    }

    /// Sends one message. Failures are returned for the caller to log; they never leak secrets.
    pub async fn send(&self, email: &Email) -> anyhow::Result<()> {
        let to: Mailbox = email.to.parse().context("recipient address is not valid")?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject);
        if let Some(url) = &email.unsubscribe {
            use lettre::message::header::{HeaderName, HeaderValue};
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .context("building the message")?;
        match &self.transport {
            Transport::Outbox(dir) => {
                crate::storage::local::private_dir(dir)
                    .await
                    .with_context(|| format!("creating outbox {}", dir.display()))?;
                let name = format!(
                    "{}-{}.eml",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
                    uuid::Uuid::new_v4().simple()
                );
                let path = dir.join(name);
                crate::storage::local::write_private(&path, &message.formatted())
                    .await
                    .with_context(|| format!("writing {}", path.display()))?;
                tracing::info!(path = %path.display(), subject = %email.subject, "e-mail written to outbox");
            }
            Transport::Smtp(smtp) => {
                smtp.send(message).await.context("SMTP delivery failed")?;
                tracing::info!(subject = %email.subject, "e-mail sent over SMTP");
            }
        }
        Ok(())
    }

    /// Sends, logging instead of failing: the caller's action already succeeded.
    pub async fn send_or_log(&self, email: &Email) {
        if let Err(err) = self.send(email).await {
            tracing::error!(error = %format!("{err:#}"), subject = %email.subject, "e-mail not sent");
        }
    }
}
