//! The data export: a ZIP with one JSON file per category of data, the image and upload files
//! themselves, and a README describing each file.
//!
//! Every table that refers to a person is listed in [`CATEGORIES`] (a test fails when a new one
//! is not). Rows are selected by SQL scoped to the person and serialised by PostgreSQL, minus
//! the secret columns named per source, read a page at a time from a cursor (one read-only
//! snapshot for all of them). Files are written one at a time to a temporary ZIP on disk by a
//! blocking thread, then streamed to object storage, so memory stays flat however many images
//! and how long a history the account holds.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage::{ObjectStore, StorageError};

/// Rows of one table that belong to the person.
pub struct Source {
    pub table: &'static str,
    /// SQL condition on the table (aliased `t`); `$1` is the person's id.
    pub filter: &'static str,
    pub order: &'static str,
    /// Columns never exported (secrets, or hashes of them).
    pub omit: &'static [&'static str],
}

/// One JSON file of the archive.
pub struct Category {
    pub file: &'static str,
    pub about: &'static str,
    pub sources: &'static [Source],
}

const fn by_user(table: &'static str, order: &'static str) -> Source {
    Source {
        table,
        filter: "t.user_id = $1",
        order,
        omit: &[],
    }
}

/// Every category of personal data we hold, in archive order.
pub const CATEGORIES: &[Category] = &[
    Category {
        file: "profile.json",
        about: "Your account: e-mail address, name, language, theme, organisation, profile picture (its file is in avatar/), role, referral code, when you signed up and accepted the terms, and whether the account is restricted or objects to processing. The password is stored only as a one-way hash and is not included, nor is the secret that signs your per-request webhooks.",
        sources: &[Source {
            table: "users",
            filter: "t.id = $1",
            order: "t.created_at",
            omit: &["password_hash", "webhook_secret"],
        }],
    },
    Category {
        file: "consents.json",
        about: "Your current choices about marketing e-mail and product analytics. Every change is also in security_events.json.",
        sources: &[by_user("consents", "t.updated_at")],
    },
    Category {
        file: "sessions.json",
        about: "Devices and browsers that signed in: user agent, IP address, when each started, was last used, expires or was signed out, and when each refresh token was issued and used. The tokens themselves are not included.",
        sources: &[
            by_user("sessions", "t.created_at"),
            Source {
                table: "refresh_tokens",
                filter: "t.session_id IN (SELECT id FROM sessions WHERE user_id = $1)",
                order: "t.created_at",
                omit: &["token_hash"],
            },
        ],
    },
    Category {
        file: "two_factor.json",
        about: "Two-factor authentication: when your authenticator app was added and confirmed and the last time step whose code was used; your recovery codes (when each was made and used); sign-in challenges waiting for a code (when each expires, wrong codes given). The authenticator's secret, the recovery codes and the challenges themselves are not included.",
        sources: &[
            Source {
                table: "totp_authenticators",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["secret"],
            },
            Source {
                table: "recovery_codes",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["code_hash"],
            },
            Source {
                table: "sign_in_challenges",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["token_hash"],
            },
        ],
    },
    Category {
        file: "identities.json",
        about: "The accounts at identity providers (Google, GitHub, your organisation's) that sign in to this account: which provider, its id for you there, the address and user name it gave at the last sign-in, when it was linked and last used. Also connections of a provider still in progress (started from Security, ten minutes at most) and offers to connect one mailed to you (24 hours), without their secrets. No token or secret from a provider is kept.",
        sources: &[
            Source {
                table: "identities",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &[],
            },
            Source {
                table: "sso_flows",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["state_hash", "browser_hash", "nonce", "pkce_verifier"],
            },
            Source {
                table: "sso_pending",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["token_hash"],
            },
        ],
    },
    Category {
        file: "passkeys.json",
        about: "Your passkeys: the name you gave each, the authenticator's id for it, its public key, signature counter and backup flags (all of it public; the private key never leaves your device), when it was added and last used. Also passkey ceremonies still open (five minutes at most).",
        sources: &[
            Source {
                table: "passkeys",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &[],
            },
            Source {
                table: "passkey_ceremonies",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["challenge_hash"],
            },
        ],
    },
    Category {
        file: "email_changes.json",
        about: "Changes of your account's e-mail address: the old and new address, when each was asked for, confirmed from the new address or undone from the old one, and until when its links worked. The links themselves are not included.",
        sources: &[Source {
            table: "email_changes",
            filter: "t.user_id = $1",
            order: "t.created_at",
            omit: &["confirm_hash", "revert_hash"],
        }],
    },
    Category {
        file: "api_keys.json",
        about: "Your API keys: name, visible prefix, scopes, expiry, credit caps, allowed models, requests made, when created, last used and revoked, and which generation tasks each started. The secrets are stored only as hashes and are not included.",
        sources: &[
            Source {
                table: "api_keys",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["secret_hash"],
            },
            Source {
                table: "api_key_tasks",
                filter: "t.api_key_id IN (SELECT id FROM api_keys WHERE user_id = $1)",
                order: "t.created_at",
                omit: &[],
            },
        ],
    },
    Category {
        file: "collections.json",
        about: "Your collections (albums): name, description, cover, when created and changed, which of your images each holds since when, and the public links you made to them (whether they show prompts, view counts).",
        sources: &[
            by_user("collections", "t.created_at"),
            by_user("collection_shares", "t.created_at"),
            Source {
                table: "collection_images",
                filter: "t.collection_id IN (SELECT id FROM collections WHERE user_id = $1)",
                order: "t.added_at",
                omit: &[],
            },
        ],
    },
    Category {
        file: "oauth.json",
        about: "The OAuth apps you registered (name, client id, type, redirect URIs), the apps you authorized with their scopes, credit cap and use, the generation tasks each started, and when each app token and code was issued, used and expires. Client secrets, tokens and codes are stored only as hashes and are not included.",
        sources: &[
            Source {
                table: "oauth_apps",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["secret_hash"],
            },
            by_user("oauth_grants", "t.created_at"),
            Source {
                table: "oauth_grant_tasks",
                filter: "t.grant_id IN (SELECT id FROM oauth_grants WHERE user_id = $1)",
                order: "t.created_at",
                omit: &[],
            },
            Source {
                table: "oauth_tokens",
                filter: "t.grant_id IN (SELECT id FROM oauth_grants WHERE user_id = $1)",
                order: "t.created_at",
                omit: &["hash", "successor_sealed"],
            },
            Source {
                table: "oauth_codes",
                filter: "t.grant_id IN (SELECT id FROM oauth_grants WHERE user_id = $1)",
                order: "t.expires_at",
                omit: &["hash", "code_challenge"],
            },
            Source {
                table: "oauth_device_codes",
                filter: "t.grant_id IN (SELECT id FROM oauth_grants WHERE user_id = $1)",
                order: "t.created_at",
                omit: &["device_hash", "user_code"],
            },
        ],
    },
    Category {
        file: "tasks.json",
        about: "Every generation task with its parameters (prompt, negative prompt, size, quality, format, seed, model, provider and its task id), status, failure reason, cost and credits charged or returned; the queue entries that ran them; their status changes; and prompts that moderation stopped.",
        sources: &[
            Source {
                table: "ai_tasks",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["request_hash"],
            },
            by_user("jobs", "t.created_at"),
            by_user("task_events", "t.id"),
            by_user("moderation_events", "t.created_at"),
        ],
    },
    Category {
        file: "images.json",
        about: "Your generated images: size, format, checksum, favourite, the task they came from, and the links you shared (with view counts). The image files themselves are in the images/ folder, named by image id.",
        sources: &[
            Source {
                table: "images",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["storage_key", "thumbnail_key"],
            },
            by_user("shares", "t.created_at"),
        ],
    },
    Category {
        file: "uploads.json",
        about: "Reference images you uploaded: size, format, checksum. The files are in the uploads/ folder, named by upload id.",
        sources: &[Source {
            table: "uploads",
            filter: "t.user_id = $1",
            order: "t.created_at",
            omit: &["storage_key"],
        }],
    },
    Category {
        file: "prompts.json",
        about: "Your saved prompts and their settings.",
        sources: &[by_user("prompts", "t.created_at")],
    },
    Category {
        file: "downloads.json",
        about: "When you downloaded which image.",
        sources: &[by_user("downloads", "t.created_at")],
    },
    Category {
        file: "ledger.json",
        about: "Your credits: the balance, every grant (sign-up bonus, purchase, subscription, referral, administrator) with what remains and when it expires, every hold placed for a task and which grants it drew on, and the full ledger of changes.",
        sources: &[
            by_user("credit_accounts", "t.user_id"),
            by_user("credit_grants", "t.created_at"),
            by_user("credit_holds", "t.created_at"),
            Source {
                table: "credit_hold_allocations",
                filter: "t.hold_id IN (SELECT id FROM credit_holds WHERE user_id = $1)",
                order: "t.hold_id",
                omit: &[],
            },
            by_user("credit_ledger", "t.created_at"),
        ],
    },
    Category {
        file: "orders.json",
        about: "Your purchases: order number, product, credits, amount, currency, status, the payment provider's references and receipt link, and your customer id at the payment provider.",
        sources: &[
            by_user("orders", "t.created_at"),
            by_user("billing_customers", "t.created_at"),
        ],
    },
    Category {
        file: "subscriptions.json",
        about: "Your subscriptions: plan, status, current period and cancellation; and each paid subscription invoice: the amount, the credits it granted, the payment provider's references and any credits taken back after a refund.",
        sources: &[
            by_user("subscriptions", "t.created_at"),
            by_user("stripe_invoices", "t.created_at"),
        ],
    },
    Category {
        file: "support_tickets.json",
        about: "Your support tickets and every message in them, from you and from our staff.",
        sources: &[
            by_user("support_tickets", "t.created_at"),
            Source {
                table: "support_messages",
                filter: "t.ticket_id IN (SELECT id FROM support_tickets WHERE user_id = $1)",
                order: "t.created_at",
                omit: &[],
            },
        ],
    },
    Category {
        file: "security_events.json",
        about: "Your security log (sign-ins with IP address and user agent, password changes, signed-out devices, API keys and webhooks, consent changes, privacy requests) and the e-mail links we sent you (purpose and validity; the links themselves are not included).",
        sources: &[
            by_user("security_events", "t.created_at"),
            Source {
                table: "email_tokens",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["token_hash"],
            },
        ],
    },
    Category {
        file: "privacy_requests.json",
        about: "Your data-rights requests (exports, erasure, restriction, objection) with when each was received, when it was due and when it was completed.",
        sources: &[Source {
            table: "privacy_requests",
            filter: "t.user_id = $1",
            order: "t.received_at",
            omit: &["confirm_token_hash", "archive_key", "claimed_until"],
        }],
    },
    Category {
        file: "webhooks.json",
        about: "Your webhook endpoints, those you registered and the `webhook_url`s of your generation requests (`per_request`), without their signing secrets, and the deliveries we made to them.",
        sources: &[
            Source {
                table: "webhook_endpoints",
                filter: "t.user_id = $1",
                order: "t.created_at",
                omit: &["secret", "sending_until"],
            },
            by_user("webhook_deliveries", "t.created_at"),
        ],
    },
    Category {
        file: "administration.json",
        about: "Only for administrators: the moderation rules and the invitations you created (without the invitations' links).",
        sources: &[
            Source {
                table: "moderation_rules",
                filter: "t.created_by = $1",
                order: "t.created_at",
                omit: &[],
            },
            Source {
                table: "invitations",
                filter: "t.created_by = $1",
                order: "t.created_at",
                omit: &["token_hash"],
            },
        ],
    },
];

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    json: String,
}

/// Rows fetched from the cursor at a time: what one source keeps in memory at most.
const ROWS_PER_FETCH: i64 = 200;

/// Writes the person's rows of one source to the archive as the elements of a JSON array, a page
/// at a time from a cursor, so a long history never sits in memory whole. Call inside a
/// transaction (cursors live in one).
async fn stream_rows(
    conn: &mut AsyncPgConnection,
    source: &Source,
    user_id: Uuid,
    tx: &tokio::sync::mpsc::Sender<Piece>,
) -> ApiResult<()> {
    sql_query(format!(
        "DECLARE export_rows NO SCROLL CURSOR FOR \
         SELECT (to_jsonb(t) - $2::text[])::text AS json FROM {} t WHERE {} ORDER BY {}",
        source.table, source.filter, source.order
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<Array<Text>, _>(
        source
            .omit
            .iter()
            .map(|c| (*c).to_string())
            .collect::<Vec<_>>(),
    )
    .execute(conn)
    .await?;
    let mut first = true;
    loop {
        let rows: Vec<JsonRow> = sql_query(format!("FETCH {ROWS_PER_FETCH} FROM export_rows"))
            .load(conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        let mut page = Vec::with_capacity(rows.iter().map(|r| r.json.len() + 8).sum());
        for row in &rows {
            page.extend_from_slice(if first { b"\n    " } else { b",\n    " });
            page.extend_from_slice(row.json.as_bytes());
            first = false;
        }
        send(tx, Piece::Bytes(page)).await?;
    }
    sql_query("CLOSE export_rows").execute(conn).await?;
    let end: &[u8] = if first { b"]" } else { b"\n  ]" };
    send(tx, Piece::Bytes(end.to_vec())).await
}

/// Writes one category's file: an object with one array of rows per source table. All
/// categories are read in one read-only snapshot, so the files agree with each other.
async fn stream_category(
    conn: &mut AsyncPgConnection,
    category: &Category,
    user_id: Uuid,
    tx: &tokio::sync::mpsc::Sender<Piece>,
) -> ApiResult<()> {
    send(
        tx,
        Piece::Start {
            name: category.file.to_string(),
            compress: true,
            large: true,
        },
    )
    .await?;
    send(tx, Piece::Bytes(b"{".to_vec())).await?;
    for (i, source) in category.sources.iter().enumerate() {
        let comma = if i == 0 { "" } else { "," };
        let open = format!("{comma}\n  \"{}\": [", source.table);
        send(tx, Piece::Bytes(open.into_bytes())).await?;
        stream_rows(conn, source, user_id, tx).await?;
    }
    send(tx, Piece::Bytes(b"\n}\n".to_vec())).await
}

fn readme(generated: &str, missing: &[String]) -> String {
    let mut text = format!(
        "# Your Z-Image Studio data\n\nGenerated {generated}. Every file is JSON: an object with one \
         array of records per source table, times in UTC (RFC 3339), ids as UUIDs.\n\n"
    );
    for category in CATEGORIES {
        let tables: Vec<&str> = category.sources.iter().map(|s| s.table).collect();
        text.push_str(&format!(
            "## {}\n\n{}\n\nTables: {}.\n\n",
            category.file,
            category.about,
            tables.join(", ")
        ));
    }
    text.push_str(
        "## images/, uploads/ and avatar/\n\nThe original files, exactly as stored, named \
         `<id>.<format>`; the ids match images.json and uploads.json, and your profile picture's \
         the `avatar_id` in profile.json.\n\n",
    );
    if !missing.is_empty() {
        text.push_str(&format!(
            "## Files we could not find\n\n{}\n\n",
            missing.join("\n")
        ));
    }
    text.push_str(
        "Questions about this data: open a support ticket, or write to us using the address in \
         the privacy policy.\n",
    );
    text
}

/// What the writer thread is handed: a new file of the archive, or the next bytes of the current
/// one.
enum Piece {
    /// `large`: the file may pass 4 GiB (its size is not known in advance), so it gets ZIP64
    /// sizes.
    Start {
        name: String,
        compress: bool,
        large: bool,
    },
    Bytes(Vec<u8>),
}

#[derive(QueryableByName)]
struct StoredFile {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    format: String,
}

/// Builds the archive of `user_id` into object storage under `key`; returns its size in bytes.
pub async fn build(state: &AppState, user_id: Uuid, key: &str) -> ApiResult<i64> {
    let dir = state.config.data_dir.join("tmp");
    crate::storage::local::private_dir(&dir)
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("creating {}: {e}", dir.display())))?;
    let path = dir.join(format!("export-{}.zip", Uuid::new_v4().simple()));
    let result = build_into(state, user_id, &path).await;
    let outcome = match result {
        Ok(size) => state
            .storage
            .put_file(key, &path, "application/zip")
            .await
            .map(|()| size)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("storing the archive: {e}"))),
        Err(err) => Err(err),
    };
    let _ = tokio::fs::remove_file(&path).await;
    outcome
}

async fn build_into(state: &AppState, user_id: Uuid, path: &Path) -> ApiResult<i64> {
    let file = crate::storage::local::private_file(path)
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("creating {}: {e}", path.display())))?
        .into_std()
        .await;
    // A small buffer: at most two pieces (a file, or a page of rows) wait while one is written.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Piece>(2);
    let writer = tokio::task::spawn_blocking(move || -> anyhow::Result<i64> {
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        while let Some(piece) = rx.blocking_recv() {
            match piece {
                Piece::Start {
                    name,
                    compress,
                    large,
                } => {
                    let method = if compress {
                        // Text: JSON and the README.
                        zip::CompressionMethod::Deflated
                    } else {
                        // Images are compressed already.
                        zip::CompressionMethod::Stored
                    };
                    let options = zip::write::SimpleFileOptions::default()
                        .compression_method(method)
                        .large_file(large);
                    zip.start_file(name, options)?;
                }
                Piece::Bytes(bytes) => zip.write_all(&bytes)?,
            }
        }
        let mut inner = zip.finish()?;
        inner.flush()?;
        let file = inner.into_inner().map_err(|e| e.into_error())?;
        Ok(i64::try_from(file.metadata()?.len())?)
    });
    let fed = feed(state, user_id, &tx).await;
    drop(tx);
    let size = writer
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?
        .map_err(ApiError::internal)?;
    fed?;
    Ok(size)
}

async fn send(tx: &tokio::sync::mpsc::Sender<Piece>, piece: Piece) -> ApiResult<()> {
    tx.send(piece)
        .await
        .map_err(|_| ApiError::internal(anyhow::anyhow!("the archive writer stopped")))
}

async fn feed(
    state: &AppState,
    user_id: Uuid,
    tx: &tokio::sync::mpsc::Sender<Piece>,
) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(conn)
            .await?;
        for category in CATEGORIES {
            stream_category(conn, category, user_id, tx).await?;
        }
        Ok(())
    })
    .await?;
    let mut missing = Vec::new();
    for (folder, sql) in [
        (
            "images",
            "SELECT id, storage_key AS key, format FROM images WHERE user_id = $1 ORDER BY created_at, id",
        ),
        (
            "uploads",
            "SELECT id, storage_key AS key, format FROM uploads WHERE user_id = $1 ORDER BY created_at, id",
        ),
        (
            "avatar",
            "SELECT avatar_id AS id, 'users/' || id || '/avatar/' || avatar_id || '.webp' AS key, \
                 'webp' AS format FROM users WHERE id = $1 AND avatar_id IS NOT NULL",
        ),
    ] {
        let files: Vec<StoredFile> = sql_query(sql)
            .bind::<SqlUuid, _>(user_id)
            .load(&mut conn)
            .await?;
        for file in files {
            let name = format!("{folder}/{}.{}", file.id, file.format);
            match state.storage.get(&file.key).await {
                Ok(bytes) => {
                    let large = bytes.len() > u32::MAX as usize / 2;
                    send(
                        tx,
                        Piece::Start {
                            name,
                            compress: false,
                            large,
                        },
                    )
                    .await?;
                    send(tx, Piece::Bytes(bytes)).await?;
                }
                Err(StorageError::NotFound) => missing.push(format!("- {name}")),
                Err(err) => return Err(ApiError::internal(anyhow::anyhow!(err))),
            }
        }
    }
    let generated = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    send(
        tx,
        Piece::Start {
            name: "README.md".into(),
            compress: true,
            large: false,
        },
    )
    .await?;
    send(tx, Piece::Bytes(readme(&generated, &missing).into_bytes())).await
}
