//! Live task status over Server-Sent Events.
//!
//! A trigger turns every task change into a `task_events` row and a `NOTIFY zimage_task_events`
//! carrying the user's id. Each process keeps one `LISTEN` connection and fans the notifications
//! out to its streams in memory; a stream then reads the user's events from the database after
//! its position. The notification only wakes streams, so any replica can serve any client, and a
//! client that reconnects with `Last-Event-ID` gets exactly the events it missed.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web::Bytes;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::{Stream, StreamExt};
use tokio::sync::watch;
use uuid::Uuid;
use zimage_shared::generation::{TaskEvent, TaskStatus};

use crate::db::events::{self as db, EventRow, Position};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Streams one user may hold open at once.
pub const MAX_STREAMS_PER_USER: usize = 10;

/// Events read per database query.
const BATCH: i64 = 100;

/// How soon a stream looks again when events were held back by a transaction still running.
const HELD_BACK_RETRY: Duration = Duration::from_millis(250);

/// Wakes this process's streams of one user when a notification about them arrives, and counts
/// streams per user. Each user with open streams has one `watch` channel, so a notification
/// touches only that user's streams, however many others are open.
pub struct LiveHub {
    users: Mutex<HashMap<Uuid, Watchers>>,
}

struct Watchers {
    streams: usize,
    wake: watch::Sender<u64>,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveHub {
    pub fn new() -> Self {
        Self {
            users: Mutex::new(HashMap::new()),
        }
    }

    fn users(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Watchers>> {
        self.users
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reserves one of the user's stream slots, released when the guard is dropped. The slot's
    /// receiver sees every wake-up from now on.
    fn admit(self: &Arc<Self>, user_id: Uuid) -> ApiResult<StreamSlot> {
        let mut users = self.users();
        let watchers = users.entry(user_id).or_insert_with(|| Watchers {
            streams: 0,
            wake: watch::channel(0).0,
        });
        if watchers.streams >= MAX_STREAMS_PER_USER {
            let limit = crate::config::RateLimit {
                count: u32::try_from(MAX_STREAMS_PER_USER).unwrap_or(u32::MAX),
                window: Duration::from_secs(5),
            };
            return Err(ApiError::rate_limited(limit, 5).with_detail(format!(
                "at most {MAX_STREAMS_PER_USER} live streams may be open at once; close one"
            )));
        }
        watchers.streams += 1;
        Ok(StreamSlot {
            hub: self.clone(),
            user_id,
            wake: watchers.wake.subscribe(),
        })
    }

    /// Wakes the user's streams, if this process has any.
    pub fn notify(&self, user_id: Uuid) {
        if let Some(watchers) = self.users().get(&user_id) {
            watchers.wake.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Wakes every stream, so each reads what it may have missed (after the listener reconnects).
    pub fn notify_all(&self) {
        for watchers in self.users().values() {
            watchers.wake.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Streams open in this process.
    pub fn open_streams(&self) -> usize {
        self.users().values().map(|w| w.streams).sum()
    }
}

struct StreamSlot {
    hub: Arc<LiveHub>,
    user_id: Uuid,
    wake: watch::Receiver<u64>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut users = self.hub.users();
        if let Some(watchers) = users.get_mut(&self.user_id) {
            watchers.streams = watchers.streams.saturating_sub(1);
            if watchers.streams == 0 {
                users.remove(&self.user_id);
            }
        }
    }
}

/// Listens for task events until the process ends, reconnecting after failures.
pub async fn listen(database_url: String, hub: Arc<LiveHub>) {
    loop {
        match AsyncPgConnection::establish(&database_url).await {
            Ok(mut conn) => {
                if diesel::sql_query("LISTEN zimage_task_events")
                    .execute(&mut conn)
                    .await
                    .is_ok()
                {
                    // Whatever happened while nobody listened is in the database: look once.
                    hub.notify_all();
                    let mut notifications = std::pin::pin!(conn.notifications_stream());
                    while let Some(Ok(note)) = notifications.next().await {
                        if let Ok(user_id) = note.payload.parse::<Uuid>() {
                            hub.notify(user_id);
                        }
                    }
                }
                tracing::warn!("task event listener disconnected; reconnecting");
            }
            Err(err) => {
                tracing::warn!(error = %err, "task event listener cannot connect; retrying");
            }
        }
        // Streams catch up when the listener is back (see `notify_all`), so nothing is lost.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// What a stream covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Every task of the user, from `Last-Event-ID` or from now.
    AllTasks,
    /// One task, from `Last-Event-ID` or from its first event; ends after a final status.
    Task(Uuid),
}

struct Streamer {
    state: actix_web::web::Data<AppState>,
    /// Who opened the stream, checked again at each heartbeat (and on wake-ups once a heartbeat
    /// interval has passed since the last check, so a busy stream is checked too).
    auth: crate::auth::Auth,
    checked_at: tokio::time::Instant,
    user_id: Uuid,
    scope: Scope,
    position: Position,
    out: VecDeque<Bytes>,
    /// Something may be new: read before waiting again.
    stale: bool,
    held_back: bool,
    finished: bool,
    slot: StreamSlot,
}

fn frame(row: &EventRow) -> Option<(Bytes, bool)> {
    let status = TaskStatus::parse(&row.status)?;
    let event = TaskEvent {
        task_id: row.task_id,
        status,
        progress: row.progress,
        at: row.created_at,
    };
    let data = serde_json::to_string(&event).ok()?;
    let text = format!(
        "id: {}\nevent: task\ndata: {data}\n\n",
        row.position().encode()
    );
    Some((Bytes::from(text), status.is_final()))
}

impl Streamer {
    /// Reads what is new into `out`.
    async fn fill(&mut self) -> ApiResult<()> {
        let task = match self.scope {
            Scope::AllTasks => None,
            Scope::Task(id) => Some(id),
        };
        let mut conn = self.state.db.get().await?;
        let rows = db::after(&mut conn, self.user_id, task, self.position, BATCH).await?;
        self.held_back = false;
        for row in rows {
            if !row.safe {
                self.held_back = true;
                break;
            }
            self.position = row.position();
            if let Some((bytes, is_final)) = frame(&row) {
                self.out.push_back(bytes);
                if is_final && matches!(self.scope, Scope::Task(_)) {
                    self.finished = true;
                    break;
                }
            }
        }
        Ok(())
    }

    /// Waits for a wake-up about this user, a heartbeat, or a retry of held-back events. A
    /// heartbeat reads no events; it checks that the credential still holds (not signed out,
    /// key not revoked) and ends the stream when it does not, or when the access token expires.
    async fn wait(&mut self) -> Waited {
        let mut limit = if self.held_back {
            HELD_BACK_RETRY
        } else {
            self.state.config.sse_heartbeat
        };
        if let Some(exp) = self.auth.expires_at {
            let left = exp.saturating_sub(chrono::Utc::now().timestamp());
            if left <= 0 {
                return Waited::Ended;
            }
            limit = limit.min(std::time::Duration::from_secs(left.unsigned_abs()));
        }
        let woken = tokio::time::timeout(limit, self.slot.wake.changed());
        let waited = tokio::select! {
            () = self.state.draining.started() => return Waited::Draining,
            woken = woken => match woken {
                // Woken (or the hub is gone, which cannot happen while the slot is held): read.
                Ok(_) => Waited::Woken,
                Err(_) if self.held_back => Waited::Woken,
                Err(_) => Waited::KeepAlive,
            },
        };
        let due = matches!(waited, Waited::KeepAlive)
            || self.checked_at.elapsed() >= self.state.config.sse_heartbeat;
        if !due {
            return waited;
        }
        self.checked_at = tokio::time::Instant::now();
        match self.auth.still_holds(&self.state).await {
            Ok(false) => Waited::Ended,
            // Holds, or the database is away: go on; the next check decides.
            _ => waited,
        }
    }

    async fn next_chunk(&mut self) -> Option<Bytes> {
        loop {
            if let Some(chunk) = self.out.pop_front() {
                return Some(chunk);
            }
            if self.finished {
                return None;
            }
            if self.stale {
                self.stale = false;
                if let Err(err) = self.fill().await {
                    tracing::warn!(error = ?err, "live stream could not read events; ending it");
                    return None;
                }
                continue;
            }
            match self.wait().await {
                Waited::KeepAlive => return Some(Bytes::from_static(b": keep-alive\n\n")),
                Waited::Woken => self.stale = true,
                Waited::Ended => return None,
                // Reconnect soon, through the load balancer, to a replica that stays; the
                // client's `Last-Event-ID` resumes where this stream stopped.
                Waited::Draining => {
                    self.finished = true;
                    return Some(Bytes::from_static(b"retry: 250\n\n"));
                }
            }
        }
    }
}

enum Waited {
    Woken,
    KeepAlive,
    /// The credential no longer holds.
    Ended,
    /// This replica is stopping.
    Draining,
}

/// Opens a stream of the user's task events as SSE chunks (`retry:` first, then events and
/// keep-alive comments).
pub async fn stream(
    state: actix_web::web::Data<AppState>,
    auth: crate::auth::Auth,
    scope: Scope,
    last_event_id: Option<&str>,
) -> ApiResult<impl Stream<Item = Result<Bytes, std::convert::Infallible>> + 'static> {
    let user_id = auth.user_id();
    // Subscribed before reading the position, so nothing between the two is missed.
    let slot = state.live.admit(user_id)?;
    let position = match (last_event_id.and_then(Position::decode), scope) {
        (Some(position), _) => position,
        (None, Scope::Task(_)) => Position::default(),
        (None, Scope::AllTasks) => {
            let mut conn = state.db.get().await?;
            db::head(&mut conn, user_id).await?
        }
    };
    let streamer = Streamer {
        state,
        auth,
        checked_at: tokio::time::Instant::now(),
        user_id,
        scope,
        position,
        out: VecDeque::from([Bytes::from_static(b"retry: 2000\n\n")]),
        stale: true,
        held_back: false,
        finished: false,
        slot,
    };
    Ok(futures_util::stream::unfold(
        streamer,
        |mut streamer| async move {
            let chunk = streamer.next_chunk().await?;
            Some((Ok(chunk), streamer))
        },
    ))
}

/// The HTTP response for a stream: `text/event-stream`, never cached, compressed or buffered.
pub async fn respond(
    state: actix_web::web::Data<AppState>,
    req: &actix_web::HttpRequest,
    auth: crate::auth::Auth,
    scope: Scope,
) -> ApiResult<actix_web::HttpResponse> {
    use actix_web::http::header;
    let last_event_id = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let events = stream(state, auth, scope, last_event_id.as_deref()).await?;
    Ok(actix_web::HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache, no-store"))
        // Compress middleware leaves bodies with an encoding alone; gzip would buffer events.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(events))
}
