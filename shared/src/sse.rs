//! A small Server-Sent Events parser for clients of the live-status streams.

/// One event: its `id:` (when sent), `event:` name and joined `data:` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: String,
    pub data: String,
}

/// Splits every complete frame off the front of `buffer` (bytes as received, possibly cut
/// anywhere) and returns its events; comments (`: keep-alive`) and `retry:` frames are skipped.
pub fn split_frames(buffer: &mut Vec<u8>) -> Vec<SseEvent> {
    let mut out = Vec::new();
    while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
        let frame: Vec<u8> = buffer.drain(..end + 2).collect();
        let text = String::from_utf8_lossy(&frame);
        let mut event = SseEvent {
            id: None,
            event: String::new(),
            data: String::new(),
        };
        for line in text.lines() {
            if let Some(v) = line.strip_prefix("id: ") {
                event.id = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("event: ") {
                event.event = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                if !event.data.is_empty() {
                    event.data.push('\n');
                }
                event.data.push_str(v);
            }
        }
        if !event.event.is_empty() {
            out.push(event);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_across_chunks_and_comments_are_skipped() {
        let mut buffer =
            b"retry: 2000\n\n: keep-alive\n\nid: 1-2\nevent: task\ndata: {\"a\":1}\n\nid: 1-3\nev"
                .to_vec();
        let got = split_frames(&mut buffer);
        assert_eq!(
            got,
            vec![SseEvent {
                id: Some("1-2".into()),
                event: "task".into(),
                data: "{\"a\":1}".into()
            }]
        );
        buffer.extend_from_slice("ent: task\ndata: {\"p\":\"灯\"}\ndata: x\n\n".as_bytes());
        let got = split_frames(&mut buffer);
        assert_eq!(got[0].id.as_deref(), Some("1-3"));
        assert_eq!(got[0].data, "{\"p\":\"灯\"}\nx");
        assert!(buffer.is_empty());
    }
}
