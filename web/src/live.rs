//! Live task status: reads the API's Server-Sent Events through `fetch` (so the bearer token goes
//! in a header, never in a URL), reconnecting with `Last-Event-ID`; falls back to polling.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, RequestInit, Response};
use zimage_shared::generation::{GenerationTask, TaskEvent};
use zimage_shared::sse::split_frames;

use crate::session::Session;

/// One connection: reads events until the stream ends; `Err(status)` when it could not connect
/// (0 for network trouble).
async fn read_stream(
    session: Session,
    path: &str,
    last_id: &mut Option<String>,
    on_event: &dyn Fn(TaskEvent),
) -> Result<(), u16> {
    let token = session.bearer().await;
    let init = RequestInit::new();
    init.set_method("GET");
    let headers = web_sys::Headers::new().map_err(|_| 0u16)?;
    let _ = headers.set("Accept", "text/event-stream");
    if let Some(token) = &token {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    if let Some(id) = last_id.as_deref() {
        let _ = headers.set("Last-Event-ID", id);
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or(0u16)?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| 0u16)?
        .dyn_into()
        .map_err(|_| 0u16)?;
    if response.status() != 200 {
        return Err(response.status());
    }
    let reader: ReadableStreamDefaultReader = response
        .body()
        .ok_or(0u16)?
        .get_reader()
        .dyn_into()
        .map_err(|_| 0u16)?;
    let mut buffer = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|_| 0u16)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(());
        }
        if let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) {
            buffer.extend(js_sys::Uint8Array::new(&value).to_vec());
        }
        for frame in split_frames(&mut buffer) {
            if frame.id.is_some() {
                *last_id = frame.id;
            }
            if frame.event == "task"
                && let Ok(parsed) = serde_json::from_str::<TaskEvent>(&frame.data)
            {
                on_event(parsed);
            }
        }
    }
}

/// Follows one task until it finishes and returns it; `on_event` sees every status change and
/// progress step. Reconnects after dropped connections; polls if streaming keeps failing.
pub async fn follow_task(
    session: Session,
    task_id: uuid::Uuid,
    on_event: impl Fn(TaskEvent),
) -> Option<GenerationTask> {
    let path = format!("/v1/generations/{task_id}/events");
    let mut last_id = None;
    let mut failures = 0;
    while failures < 3 {
        match read_stream(session, &path, &mut last_id, &on_event).await {
            Ok(()) => break,
            Err(401) => {
                if !session.refresh().await {
                    return None;
                }
                failures += 1;
            }
            Err(404) => return None,
            Err(_) => {
                failures += 1;
                crate::util::sleep_ms(1000).await;
            }
        }
    }
    // The stream ended at a final status (or gave up): read the task, polling until it is final.
    loop {
        let task = session
            .call::<GenerationTask>("GET", &format!("/v1/generations/{task_id}"), None)
            .await
            .ok()?;
        if task.status.is_final() {
            return Some(task);
        }
        on_event(TaskEvent {
            task_id,
            status: task.status,
            progress: task.progress,
            at: crate::util::now(),
        });
        crate::util::sleep_ms(1000).await;
    }
}
