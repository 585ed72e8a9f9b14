//! The SMTP side: greeting, EHLO, STARTTLS, AUTH and a pipelined send (RFC 2920).

use base64::Engine as _;
use inbox_doctor_errors::{Observation, Secret, SmtpCommand};

use super::conn::{BoxIo, Conn, IoFailure};
use super::Failed;
use crate::transcript::REDACTED;

/// A multi-line reply is bounded too.
const MAX_REPLY_LINES: usize = 200;

/// One SMTP reply: its code and every line as sent.
#[derive(Clone, Debug)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    fn positive(&self) -> bool {
        (200..400).contains(&self.code)
    }
}

pub struct SmtpSession {
    conn: Conn,
    implicit_tls_port: bool,
    /// EHLO keywords and their parameters, e.g. `AUTH PLAIN LOGIN`.
    pub extensions: Vec<String>,
}

impl SmtpSession {
    pub fn new(conn: Conn, implicit_tls_port: bool) -> SmtpSession {
        SmtpSession {
            conn,
            implicit_tls_port,
            extensions: Vec::new(),
        }
    }

    pub fn conn_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }

    fn io(&self, failure: IoFailure) -> Failed {
        Failed::io(failure, self.implicit_tls_port)
    }

    async fn reply(&mut self) -> Result<Reply, Failed> {
        let mut lines = Vec::new();
        loop {
            let line = self.conn.read_line().await.map_err(|e| self.io(e))?;
            let code = line
                .get(..3)
                .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|c| c.parse::<u16>().ok());
            let more = line.as_bytes().get(3) == Some(&b'-');
            let Some(code) = code else {
                return Err(Failed::new(Observation::ForeignGreeting { text: line }));
            };
            lines.push(line);
            if !more {
                return Ok(Reply { code, lines });
            }
            if lines.len() >= MAX_REPLY_LINES {
                return Err(Failed::new(Observation::ForeignGreeting {
                    text: lines.join("\n"),
                })
                .detail(format!("reply longer than {MAX_REPLY_LINES} lines")));
            }
        }
    }

    /// Reads the 220 greeting.
    pub async fn greeting(&mut self) -> Result<Reply, Failed> {
        let reply = self.reply().await?;
        if reply.code == 220 {
            Ok(reply)
        } else {
            Err(Failed::smtp(SmtpCommand::Greeting, reply.text()))
        }
    }

    /// EHLO with our address literal as the name (RFC 5321 4.1.3).
    pub async fn ehlo(&mut self, name: &str) -> Result<(), Failed> {
        self.conn
            .send_lines(&format!("EHLO {name}\r\n"))
            .await
            .map_err(|e| self.io(e))?;
        let reply = self.reply().await?;
        if reply.code != 250 {
            return Err(Failed::smtp(SmtpCommand::Ehlo, reply.text()));
        }
        self.extensions = reply
            .lines
            .iter()
            .skip(1)
            .map(|l| l.get(4..).unwrap_or("").trim().to_owned())
            .collect();
        Ok(())
    }

    pub fn extension(&self, keyword: &str) -> Option<&str> {
        self.extensions.iter().map(String::as_str).find(|e| {
            let word = e.split_whitespace().next().unwrap_or("");
            word.eq_ignore_ascii_case(keyword)
        })
    }

    /// AUTH mechanisms offered (`AUTH=PLAIN` style from old servers included).
    pub fn auth_mechanisms(&self) -> Vec<String> {
        self.extensions
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

    pub async fn starttls(mut self) -> Result<BoxIo, Failed> {
        if self.extension("STARTTLS").is_none() {
            return Err(Failed::new(Observation::StarttlsNotOffered)
                .detail(format!("EHLO offered: {}", self.extensions.join(", "))));
        }
        self.conn
            .send_lines("STARTTLS\r\n")
            .await
            .map_err(|e| self.io(e))?;
        let reply = self.reply().await?;
        if reply.code != 220 {
            return Err(Failed::smtp(SmtpCommand::Starttls, reply.text()));
        }
        self.conn.event("TLS handshake starts");
        self.conn.into_io().map_err(|e| Failed::io(e, false))
    }

    /// Authenticates with AUTH PLAIN (initial response, one round trip) or AUTH LOGIN.
    pub async fn auth(&mut self, username: &str, password: &Secret) -> Result<(), Failed> {
        let mechanisms = self.auth_mechanisms();
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        if mechanisms.iter().any(|m| m == "PLAIN") {
            let blob = b64(&format!("\0{username}\0{}", password.expose()));
            self.conn
                .send(
                    format!("AUTH PLAIN {blob}\r\n").as_bytes(),
                    &format!("AUTH PLAIN {REDACTED}"),
                )
                .await
                .map_err(|e| self.io(e))?;
            let mut reply = self.reply().await?;
            if reply.code == 334 {
                // A server that ignores the initial response asks again.
                self.conn
                    .send(format!("{blob}\r\n").as_bytes(), REDACTED)
                    .await
                    .map_err(|e| self.io(e))?;
                reply = self.reply().await?;
            }
            return auth_result(reply);
        }
        if mechanisms.iter().any(|m| m == "LOGIN") {
            self.conn
                .send_lines("AUTH LOGIN\r\n")
                .await
                .map_err(|e| self.io(e))?;
            let reply = self.reply().await?;
            if reply.code != 334 {
                return auth_result(reply);
            }
            self.conn
                .send(format!("{}\r\n", b64(username)).as_bytes(), &b64(username))
                .await
                .map_err(|e| self.io(e))?;
            let reply = self.reply().await?;
            if reply.code != 334 {
                return auth_result(reply);
            }
            self.conn
                .send(
                    format!("{}\r\n", b64(password.expose())).as_bytes(),
                    REDACTED,
                )
                .await
                .map_err(|e| self.io(e))?;
            return auth_result(self.reply().await?);
        }
        Err(
            Failed::new(Observation::NoAuthMechanism).detail(if mechanisms.is_empty() {
                "the server offers no AUTH on this connection".to_owned()
            } else {
                format!("offered: {}", mechanisms.join(" "))
            }),
        )
    }

    /// MAIL, RCPT and DATA in one round trip when PIPELINING is offered; then the message.
    /// Returns the server's acceptance (it usually names the queue id).
    pub async fn send(&mut self, from: &str, to: &str, message: &[u8]) -> Result<String, Failed> {
        let size = if self.extension("SIZE").is_some() {
            format!(" SIZE={}", message.len())
        } else {
            String::new()
        };
        let commands = [
            (
                SmtpCommand::MailFrom,
                format!("MAIL FROM:<{from}>{size}\r\n"),
            ),
            (SmtpCommand::RcptTo, format!("RCPT TO:<{to}>\r\n")),
            (SmtpCommand::Data, "DATA\r\n".to_owned()),
        ];
        let mut replies = Vec::new();
        if self.extension("PIPELINING").is_some() {
            let all: String = commands.iter().map(|(_, c)| c.as_str()).collect();
            self.conn.send_lines(&all).await.map_err(|e| self.io(e))?;
            for _ in &commands {
                match self.reply().await {
                    Ok(r) => replies.push(r),
                    // A server that refuses and hangs up (421) has said why already.
                    Err(e) => {
                        return Err(commands
                            .iter()
                            .zip(&replies)
                            .find(|(_, r)| !r.positive())
                            .map(|((c, _), r)| Failed::smtp(*c, r.text()))
                            .unwrap_or(e))
                    }
                }
            }
        } else {
            for (_, command) in &commands {
                self.conn
                    .send_lines(command)
                    .await
                    .map_err(|e| self.io(e))?;
                let reply = self.reply().await?;
                let stop = !reply.positive();
                replies.push(reply);
                if stop {
                    break;
                }
            }
        }
        for ((command, _), reply) in commands.iter().zip(&replies) {
            if !reply.positive() {
                return Err(Failed::smtp(*command, reply.text()));
            }
        }
        if replies.last().map(|r| r.code) != Some(354) {
            let text = replies.last().map(Reply::text).unwrap_or_default();
            return Err(Failed::smtp(SmtpCommand::Data, text));
        }
        let body = dot_stuff(message);
        let shown = String::from_utf8_lossy(&body).into_owned();
        self.conn
            .send(&body, shown.trim_end())
            .await
            .map_err(|e| self.io(e))?;
        let reply = self.reply().await?;
        if reply.code == 250 {
            Ok(reply.text())
        } else {
            Err(Failed::smtp(SmtpCommand::DataEnd, reply.text()))
        }
    }

    pub async fn quit(self) {
        self.conn
            .close_with("QUIT\r\n", std::time::Duration::from_millis(500))
            .await;
    }
}

fn auth_result(reply: Reply) -> Result<(), Failed> {
    if reply.code == 235 {
        Ok(())
    } else {
        Err(Failed::smtp(SmtpCommand::Auth, reply.text()))
    }
}

/// Doubles a leading dot on every line (RFC 5321 4.5.2) and appends the end marker.
fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 8);
    let mut line_start = true;
    for &b in message {
        if line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        line_start = b == b'\n';
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_stuffed() {
        assert_eq!(dot_stuff(b"a\r\n.b\r\n"), b"a\r\n..b\r\n.\r\n");
        assert_eq!(dot_stuff(b".x"), b"..x\r\n.\r\n");
    }
}
