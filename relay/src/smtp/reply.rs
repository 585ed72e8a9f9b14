//! Reading SMTP replies and EHLO answers: pure functions and a line-at-a-time reader, no IO.

use inbox_doctor_errors::Observation;

use crate::net::conn::{Bound, IoFailure};
use crate::net::Failed;

/// A multi-line reply is bounded too.
pub const MAX_REPLY_LINES: usize = 200;

/// One SMTP reply: its code and every line as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// 2xx or 3xx.
    pub fn positive(&self) -> bool {
        (200..400).contains(&self.code)
    }
}

/// Collects the lines of one reply (`250-…` continues, `250 …` ends).
#[derive(Default)]
pub struct ReplyReader {
    lines: Vec<String>,
}

impl ReplyReader {
    /// Takes one line: the finished reply, `None` while it goes on, or a failure when the line
    /// is not SMTP (no code: another protocol) or the reply never ends.
    pub fn feed(&mut self, line: String) -> Result<Option<Reply>, Failed> {
        let code = line
            .get(..3)
            .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|c| c.parse::<u16>().ok());
        let Some(code) = code else {
            return Err(Failed::new(Observation::ForeignGreeting { text: line }));
        };
        let more = line.as_bytes().get(3) == Some(&b'-');
        self.lines.push(line);
        if !more {
            let lines = std::mem::take(&mut self.lines);
            return Ok(Some(Reply { code, lines }));
        }
        if self.lines.len() >= MAX_REPLY_LINES {
            let bound = IoFailure::TooLong(Bound::ReplyLines(MAX_REPLY_LINES));
            return Err(Failed::io(bound, false));
        }
        Ok(None)
    }
}

/// The EHLO keywords and their parameters (`AUTH PLAIN LOGIN`), from a 250 reply.
pub fn extensions(reply: &Reply) -> Vec<String> {
    reply
        .lines
        .iter()
        .skip(1)
        .map(|l| l.get(4..).unwrap_or("").trim().to_owned())
        .collect()
}

/// The extension with this keyword, with its parameters.
pub fn extension<'a>(extensions: &'a [String], keyword: &str) -> Option<&'a str> {
    extensions.iter().map(String::as_str).find(|e| {
        let word = e.split_whitespace().next().unwrap_or("");
        word.eq_ignore_ascii_case(keyword)
    })
}

/// AUTH mechanisms offered (`AUTH=PLAIN` style from old servers included), upper case.
pub fn auth_mechanisms(extensions: &[String]) -> Vec<String> {
    extensions
        .iter()
        .filter_map(|e| {
            let upper = e.to_ascii_uppercase();
            upper
                .strip_prefix("AUTH ")
                .or_else(|| upper.strip_prefix("AUTH="))
                .map(|m| m.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        })
        .flatten()
        .collect()
}

/// EHLO names us by our address literal, which needs no DNS (RFC 5321 4.1.3).
pub fn ehlo_name(local: std::net::SocketAddr) -> String {
    match local.ip() {
        std::net::IpAddr::V4(ip) => format!("[{ip}]"),
        std::net::IpAddr::V6(ip) => format!("[IPv6:{ip}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(lines: &[&str]) -> Result<Option<Reply>, Failed> {
        let mut r = ReplyReader::default();
        let mut last = Ok(None);
        for l in lines {
            last = r.feed((*l).to_owned());
            if !matches!(last, Ok(None)) {
                break;
            }
        }
        last
    }

    #[test]
    fn multi_line_replies_end_at_the_line_without_a_dash() {
        let reply = read(&["250-mail.example", "250-PIPELINING", "250 AUTH PLAIN LOGIN"])
            .unwrap()
            .unwrap();
        assert_eq!(reply.code, 250);
        assert_eq!(extensions(&reply), ["PIPELINING", "AUTH PLAIN LOGIN"]);
        assert!(read(&["354 go on"]).unwrap().unwrap().positive());
        assert!(!read(&["535 5.7.8 no"]).unwrap().unwrap().positive());
    }

    #[test]
    fn a_line_without_a_code_is_another_protocol() {
        let f = read(&["* OK IMAP ready"]).unwrap_err();
        assert_eq!(
            f.observation,
            Observation::ForeignGreeting {
                text: "* OK IMAP ready".into()
            }
        );
        assert!(read(&["25"]).is_err());
    }

    #[test]
    fn an_endless_reply_is_cut() {
        let lines: Vec<String> = (0..MAX_REPLY_LINES + 5)
            .map(|i| format!("250-{i}"))
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let f = read(&lines).unwrap_err();
        assert_eq!(f.observation, Observation::ReplyTooLarge);
        assert_eq!(
            f.detail.as_deref(),
            Some("the server sent a reply of more than 200 lines")
        );
    }

    #[test]
    fn mechanisms_in_both_spellings() {
        let ext = [
            "SIZE 100".to_owned(),
            "auth=login".to_owned(),
            "AUTH PLAIN".to_owned(),
        ];
        assert_eq!(auth_mechanisms(&ext), ["LOGIN", "PLAIN"]);
        assert_eq!(extension(&ext, "size"), Some("SIZE 100"));
        assert_eq!(extension(&ext, "STARTTLS"), None);
    }

    #[test]
    fn ehlo_names_are_address_literals() {
        assert_eq!(ehlo_name("127.0.0.1:5".parse().unwrap()), "[127.0.0.1]");
        assert_eq!(ehlo_name("[::1]:5".parse().unwrap()), "[IPv6:::1]");
    }
}
