//! The session transcript: every line each side sent, with credentials redacted twice — once by
//! the code that sends them (it records a redacted rendering) and once here, as a safety net
//! that replaces any remaining occurrence of a secret.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use base64::Engine as _;
use inbox_doctor_errors::{Direction, Secret, Side, TranscriptLine};

/// What stands where a credential was.
pub const REDACTED: &str = "[redacted]";

/// Bounds memory when a hostile server talks forever.
const MAX_LINES: usize = 4000;
const MAX_LINE_BYTES: usize = 2000;

/// The most bytes of server text an event or a report carries outside the transcript (a
/// failure's reply and detail, a warning's detail, a step's evidence): a server can send
/// megabytes, and these strings are cloned into every event that shows them.
pub const MAX_EVIDENCE_BYTES: usize = 4096;

/// `text` cut to [`MAX_EVIDENCE_BYTES`] (see [`cut`]).
pub fn cut_evidence(text: &str) -> String {
    cut(text, MAX_EVIDENCE_BYTES)
}

/// `text` cut to `max` bytes on a character boundary, with a marker saying how much was cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} more bytes]", &text[..end], text.len() - end)
}

#[derive(Clone)]
pub struct Transcript {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    start: Instant,
    lines: Vec<TranscriptLine>,
    /// Every spelling of every secret that must never appear: raw, base64, IMAP-quoted.
    forbidden: Vec<String>,
    dropped: usize,
}

impl Transcript {
    pub fn new(start: Instant, secrets: &[&Secret]) -> Transcript {
        let mut forbidden = Vec::new();
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            let raw = secret.expose();
            forbidden.push(raw.to_owned());
            forbidden.push(base64::engine::general_purpose::STANDARD.encode(raw));
            let quoted = raw.replace('\\', "\\\\").replace('"', "\\\"");
            if quoted != raw {
                forbidden.push(quoted);
            }
        }
        // Longest first, so a secret containing another is replaced whole.
        forbidden.sort_by_key(|s| std::cmp::Reverse(s.len()));
        forbidden.dedup();
        Transcript {
            inner: Arc::new(Mutex::new(Inner {
                start,
                lines: Vec::new(),
                forbidden,
                dropped: 0,
            })),
        }
    }

    /// A transcript nobody reads: for connections that only ask the server one question.
    pub fn scratch() -> Transcript {
        Transcript::new(Instant::now(), &[])
    }

    pub fn record(&self, side: Side, dir: Direction, text: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.lines.len() >= MAX_LINES {
            inner.dropped += 1;
            return;
        }
        // Redact before cutting, so no secret survives half-cut.
        let text = redact(&inner.forbidden, text);
        let text = cut(&text, MAX_LINE_BYTES);
        let at_ms = inner.start.elapsed().as_millis() as u64;
        inner.lines.push(TranscriptLine {
            side,
            at_ms,
            dir,
            text,
        });
    }

    /// Also forbids `spelling`: a SASL blob that carries a secret (`crate::sasl::blobs`),
    /// in which the secret's own spellings do not show.
    pub fn forbid(&self, spelling: String) {
        if spelling.is_empty() {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.forbidden.insert(0, spelling);
    }

    /// Replaces every forbidden spelling in text that leaves through another door (a failure's
    /// server reply, a warning's detail).
    pub fn redact(&self, text: &str) -> String {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        redact(&inner.forbidden, text)
    }

    pub fn lines(&self) -> Vec<TranscriptLine> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut lines = inner.lines.clone();
        if inner.dropped > 0 {
            lines.push(TranscriptLine {
                side: Side::Imap,
                at_ms: inner.start.elapsed().as_millis() as u64,
                dir: Direction::Event,
                text: format!("{} further lines not kept", inner.dropped),
            });
        }
        lines
    }
}

fn redact(forbidden: &[String], text: &str) -> String {
    let mut text = text.to_owned();
    for secret in forbidden {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), REDACTED);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_cut_on_a_character_boundary_with_a_marker() {
        assert_eq!(cut_evidence("short"), "short");
        let long = "ø".repeat(MAX_EVIDENCE_BYTES); // two bytes each
        let cut = cut_evidence(&long);
        assert!(cut.len() < MAX_EVIDENCE_BYTES + 40, "{}", cut.len());
        assert!(cut.ends_with(&format!("… [{} more bytes]", MAX_EVIDENCE_BYTES)));
        let odd = format!("x{}", "ø".repeat(MAX_EVIDENCE_BYTES));
        assert!(cut_evidence(&odd).starts_with('x'));
    }

    #[test]
    fn secrets_are_replaced_in_every_spelling() {
        let pw = Secret::new("p\"w\\1");
        let t = Transcript::new(Instant::now(), &[&pw]);
        t.record(
            Side::Imap,
            Direction::Client,
            "a LOGIN \"u\" \"p\\\"w\\\\1\"",
        );
        t.record(
            Side::Smtp,
            Direction::Client,
            &format!(
                "AUTH LOGIN {}",
                base64::engine::general_purpose::STANDARD.encode("p\"w\\1")
            ),
        );
        t.record(Side::Smtp, Direction::Client, "p\"w\\1");
        for line in t.lines() {
            assert!(line.text.contains(REDACTED), "{}", line.text);
            assert!(!line.text.contains("p\"w"), "{}", line.text);
        }
    }
}
