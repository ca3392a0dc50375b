//! Live progress from ComfyUI's WebSocket (`/ws?clientId=`), when `ZIMAGE_COMFYUI_WEBSOCKET` is
//! on. ComfyUI sends a prompt's events only to the socket of the `client_id` that submitted it,
//! so each process listens, with its own id, to every server it submits to. The socket only
//! adds the sampler's step count to what a check reports: checks (`/history`, `/queue`) still
//! decide everything, so a lost socket costs nothing but the percentage.

use futures_util::StreamExt;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Prompts followed at once at most (the oldest are forgotten first).
const MAX_PROMPTS: usize = 10_000;

/// A prompt not heard of for this long is forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(3600);

/// Largest WebSocket message read (previews arrive as binary frames and are skipped).
const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// Reconnecting waits this long at first, doubling up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Each prompt's progress as its server last reported it.
#[derive(Default)]
pub struct Progress {
    prompts: Mutex<HashMap<String, (f32, Instant)>>,
    /// Servers this process listens to.
    listening: Mutex<HashSet<String>>,
}

impl Progress {
    /// The prompt's progress (0–1), when its server reported any.
    pub fn of(&self, prompt_id: &str) -> Option<f32> {
        self.lock().get(prompt_id).map(|(p, _)| *p)
    }

    /// Forgets a prompt that ended.
    pub fn forget(&self, prompt_id: &str) {
        self.lock().remove(prompt_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (f32, Instant)>> {
        self.prompts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts listening to `base` (once per server) as `client_id`. The listener ends when the
    /// client that owns `progress` is gone.
    pub fn listen(progress: &Arc<Self>, base: &str, client_id: &str) {
        let first = progress
            .listening
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(base.to_string());
        if !first {
            return;
        }
        let Some(url) = socket_url(base, client_id) else {
            return;
        };
        tokio::spawn(follow(Arc::downgrade(progress), url));
    }

    /// Takes one text message of the socket.
    pub fn hear(&self, text: &str) {
        let Ok(event) = serde_json::from_str::<Value>(text) else {
            return;
        };
        let data = &event["data"];
        let Some(prompt_id) = data["prompt_id"].as_str() else {
            return;
        };
        let value = match event["type"].as_str() {
            Some("progress") => {
                let (Some(value), Some(max)) = (data["value"].as_f64(), data["max"].as_f64())
                else {
                    return;
                };
                if max <= 0.0 {
                    return;
                }
                #[allow(clippy::cast_possible_truncation)]
                let fraction = (value / max).clamp(0.0, 1.0) as f32;
                fraction
            }
            Some("execution_start") => 0.0,
            _ => return,
        };
        let mut prompts = self.lock();
        if prompts.len() >= MAX_PROMPTS && !prompts.contains_key(prompt_id) {
            prompts.retain(|_, (_, at)| at.elapsed() < FORGET_AFTER);
            if prompts.len() >= MAX_PROMPTS
                && let Some(oldest) = prompts
                    .iter()
                    .min_by_key(|(_, (_, at))| *at)
                    .map(|(id, _)| id.clone())
            {
                prompts.remove(&oldest);
            }
        }
        // A sampler's steps restart at 0 in the next sampling node: never report going back.
        let entry = prompts
            .entry(prompt_id.to_string())
            .or_insert((0.0, Instant::now()));
        *entry = (entry.0.max(value), Instant::now());
    }
}

/// `ws://…/ws?clientId=…` (or `wss://` for an https server).
fn socket_url(base: &str, client_id: &str) -> Option<String> {
    let mut url = reqwest::Url::parse(base).ok()?;
    let scheme = match url.scheme() {
        "http" => "ws",
        "https" => "wss",
        _ => return None,
    };
    url.set_scheme(scheme).ok()?;
    url.set_path(&format!("{}/ws", url.path().trim_end_matches('/')));
    url.set_query(Some(&format!("clientId={client_id}")));
    Some(url.to_string())
}

/// Reads the server's socket for as long as its client lives, reconnecting with back-off.
async fn follow(progress: Weak<Progress>, url: String) {
    let mut backoff = FIRST_BACKOFF;
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    loop {
        if progress.strong_count() == 0 {
            return;
        }
        match tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), false),
        )
        .await
        {
            Ok(Ok((mut socket, _))) => {
                backoff = FIRST_BACKOFF;
                while let Some(message) = socket.next().await {
                    let Some(progress) = progress.upgrade() else {
                        return;
                    };
                    match message {
                        Ok(Message::Text(text)) => progress.hear(text.as_str()),
                        Ok(Message::Close(_)) | Err(_) => break,
                        // Previews and pings (answered by the library).
                        Ok(_) => {}
                    }
                }
                tracing::debug!(url = %url.split('?').next().unwrap_or(""), "ComfyUI WebSocket closed; reconnecting");
            }
            Ok(Err(err)) => {
                tracing::debug!(url = %url.split('?').next().unwrap_or(""), error = %err, "ComfyUI WebSocket refused");
            }
            Err(_) => {}
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_events_become_fractions_that_never_go_back() {
        let progress = Progress::default();
        progress.hear(r#"{"type":"execution_start","data":{"prompt_id":"p1","timestamp":1}}"#);
        assert_eq!(progress.of("p1"), Some(0.0));
        progress
            .hear(r#"{"type":"progress","data":{"value":4,"max":8,"prompt_id":"p1","node":"3"}}"#);
        assert_eq!(progress.of("p1"), Some(0.5));
        progress
            .hear(r#"{"type":"progress","data":{"value":1,"max":8,"prompt_id":"p1","node":"9"}}"#);
        assert_eq!(progress.of("p1"), Some(0.5));
        for noise in [
            "not json",
            r#"{"type":"status","data":{"status":{"exec_info":{"queue_remaining":2}}}}"#,
            r#"{"type":"progress","data":{"value":4,"max":0,"prompt_id":"p2"}}"#,
            r#"{"type":"crystools.monitor","data":{"prompt_id":"p2"}}"#,
        ] {
            progress.hear(noise);
        }
        assert_eq!(progress.of("p2"), None);
        progress.forget("p1");
        assert_eq!(progress.of("p1"), None);
        assert_eq!(
            socket_url("https://gpu.example:8443/comfy/", "abc").as_deref(),
            Some("wss://gpu.example:8443/comfy/ws?clientId=abc")
        );
        assert_eq!(
            socket_url("http://10.0.0.5:8188", "abc").as_deref(),
            Some("ws://10.0.0.5:8188/ws?clientId=abc")
        );
    }
}
