//! The SMTP dialogue: greeting, EHLO, STARTTLS, AUTH and a pipelined send (RFC 2920).
//!
//! [`reply`] reads replies and EHLO answers, [`auth`] and [`envelope`] decide what to send and
//! what the answers mean, all without IO; [`SmtpSession`] is the thin async layer that moves
//! their bytes over a [`Conn`].

pub mod auth;
pub mod envelope;
#[cfg(test)]
mod properties;
pub mod reply;

use inbox_doctor_errors::{Credential, Observation, SmtpCommand};

use crate::net::conn::{BoxIo, Conn};
use crate::net::Failed;
use reply::ReplyReader;
pub use reply::{ehlo_name, Reply};

pub struct SmtpSession {
    conn: Conn,
    /// A plaintext session on 465: silence there hints at the TLS mode.
    implicit_tls_port: bool,
    /// EHLO keywords and their parameters, e.g. `AUTH PLAIN LOGIN`.
    extensions: Vec<String>,
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

    async fn reply(&mut self) -> Result<Reply, Failed> {
        let mut reader = ReplyReader::default();
        loop {
            let line = self
                .conn
                .read_line()
                .await
                .map_err(|e| Failed::io(e, self.implicit_tls_port))?;
            if let Some(reply) = reader.feed(line)? {
                return Ok(reply);
            }
        }
    }

    async fn write(&mut self, wire: &[u8], shown: &str) -> Result<(), Failed> {
        let implicit = self.implicit_tls_port;
        self.conn
            .send(wire, shown)
            .await
            .map_err(|e| Failed::io(e, implicit))
    }

    async fn command(&mut self, line: &str) -> Result<Reply, Failed> {
        self.write(line.as_bytes(), line).await?;
        self.reply().await
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
        let reply = self.command(&format!("EHLO {name}\r\n")).await?;
        if reply.code != 250 {
            return Err(Failed::smtp(SmtpCommand::Ehlo, reply.text()));
        }
        self.extensions = reply::extensions(&reply);
        Ok(())
    }

    pub fn extension(&self, keyword: &str) -> Option<&str> {
        reply::extension(&self.extensions, keyword)
    }

    /// AUTH mechanisms offered (`AUTH=PLAIN` style from old servers included).
    pub fn auth_mechanisms(&self) -> Vec<String> {
        reply::auth_mechanisms(&self.extensions)
    }

    pub async fn starttls(mut self) -> Result<BoxIo, Failed> {
        if self.extension("STARTTLS").is_none() {
            return Err(Failed::new(Observation::StarttlsNotOffered)
                .detail(format!("EHLO offered: {}", self.extensions.join(", "))));
        }
        let reply = self.command("STARTTLS\r\n").await?;
        if reply.code != 220 {
            return Err(Failed::smtp(SmtpCommand::Starttls, reply.text()));
        }
        self.conn.event("TLS handshake starts");
        self.conn.into_io().map_err(|e| Failed::io(e, false))
    }

    /// Authenticates (see [`auth::Auth`] for how).
    pub async fn auth(&mut self, username: &str, credential: Credential<'_>) -> Result<(), Failed> {
        let (mut exchange, mut out) =
            auth::Auth::start(&self.auth_mechanisms(), username, credential)?;
        loop {
            self.write(out.wire.as_bytes(), &out.shown).await?;
            let reply = self.reply().await?;
            match exchange.on_reply(reply) {
                auth::Next::Send(next) => out = next,
                auth::Next::Done(outcome) => return outcome,
            }
        }
    }

    /// MAIL, RCPT and DATA in one round trip when PIPELINING is offered; then the message.
    /// Returns the server's acceptance (it usually names the queue id).
    pub async fn send(&mut self, from: &str, to: &str, message: &[u8]) -> Result<String, Failed> {
        let size = self.extension("SIZE").map(|_| message.len());
        let commands = envelope::commands(from, to, size);
        let mut replies = Vec::new();
        if self.extension("PIPELINING").is_some() {
            let all: String = commands.iter().map(|(_, c)| c.as_str()).collect();
            self.write(all.as_bytes(), &all).await?;
            for _ in &commands {
                match self.reply().await {
                    Ok(r) => replies.push(r),
                    // A server that refuses and hangs up (421) has said why already.
                    Err(e) => return Err(envelope::refusal(&commands, &replies).unwrap_or(e)),
                }
            }
        } else {
            for (_, command) in &commands {
                let reply = self.command(command).await?;
                let stop = !reply.positive();
                replies.push(reply);
                if stop {
                    break;
                }
            }
        }
        envelope::ready_for_body(&commands, &replies)?;
        let body = envelope::dot_stuff(message);
        let shown = String::from_utf8_lossy(&body).into_owned();
        self.write(&body, shown.trim_end()).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::script::peer;
    use inbox_doctor_errors::{Secret, Side};

    #[tokio::test]
    async fn a_pipelined_send_over_a_stream() {
        let (conn, server) = peer(
            Side::Smtp,
            "220 mail ESMTP\r\n",
            &[
                "250-mail\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n",
                "235 2.7.0 ok\r\n",
                // MAIL, RCPT and DATA in one write: answered after the last.
                "",
                "",
                "250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go ahead\r\n",
                // The body's lines, then the end marker.
                "",
                "",
                "",
                "250 2.0.0 Ok: queued as 4F2\r\n",
            ],
        );
        let mut s = SmtpSession::new(conn, false);
        s.greeting().await.unwrap();
        s.ehlo("[127.0.0.1]").await.unwrap();
        s.auth("jo", Credential::Password(&Secret::new("pw")))
            .await
            .unwrap();
        let accepted = s
            .send(
                "jo@example.com",
                "jo@example.com",
                b"Subject: x\r\n\r\n.hi\r\n",
            )
            .await
            .unwrap();
        assert_eq!(accepted, "250 2.0.0 Ok: queued as 4F2");
        drop(s);
        let got = server.await.unwrap();
        assert_eq!(got[0], "EHLO [127.0.0.1]");
        assert!(got[1].starts_with("AUTH PLAIN "));
        assert_eq!(
            got[2..5],
            [
                "MAIL FROM:<jo@example.com>",
                "RCPT TO:<jo@example.com>",
                "DATA"
            ]
        );
        assert_eq!(
            got[5..],
            ["Subject: x", "", "..hi", "."],
            "dots are stuffed"
        );
    }

    #[tokio::test]
    async fn a_refused_recipient_names_rcpt_even_when_the_server_hangs_up() {
        let (conn, _server) = peer(
            Side::Smtp,
            "220 mail ESMTP\r\n",
            &[
                "250-mail\r\n250 PIPELINING\r\n",
                "",
                "",
                "250 2.1.0 ok\r\n554 5.7.1 Relay access denied\r\n",
            ],
        );
        let mut s = SmtpSession::new(conn, false);
        s.greeting().await.unwrap();
        s.ehlo("[127.0.0.1]").await.unwrap();
        let failed = s
            .send("jo@example.com", "x@else.example", b"x\r\n")
            .await
            .unwrap_err();
        assert_eq!(
            failed.observation,
            Observation::SmtpReply {
                command: SmtpCommand::RcptTo,
                text: "554 5.7.1 Relay access denied".into()
            }
        );
    }

    #[tokio::test]
    async fn endless_challenges_get_the_password_once_then_a_cancel() {
        let (conn, server) = peer(
            Side::Smtp,
            "220 mail ESMTP\r\n",
            &[
                "250-mail\r\n250 AUTH LOGIN\r\n",
                "334 VXNlcm5hbWU6\r\n",
                "334 UGFzc3dvcmQ6\r\n",
                "334 \r\n",
                "334 \r\n",
                "334 \r\n",
            ],
        );
        let mut s = SmtpSession::new(conn, false);
        s.greeting().await.unwrap();
        s.ehlo("[127.0.0.1]").await.unwrap();
        let failed = s
            .auth("jo", Credential::Password(&Secret::new("pw")))
            .await
            .unwrap_err();
        assert_eq!(failed.server_reply(), Some("334 "));
        drop(s);
        let got = server.await.unwrap();
        // AUTH LOGIN, the user, the password once, the cancel; nothing more.
        assert_eq!(got, ["EHLO [127.0.0.1]", "AUTH LOGIN", "am8=", "cHc=", "*"]);
    }

    #[tokio::test]
    async fn a_reply_of_too_many_lines_names_its_bound() {
        let endless = "250-more\r\n".repeat(1000);
        let (conn, _server) = peer(Side::Smtp, "220 mail ESMTP\r\n", &[&endless]);
        let mut s = SmtpSession::new(conn, false);
        s.greeting().await.unwrap();
        let failed = s.ehlo("[127.0.0.1]").await.unwrap_err();
        assert_eq!(failed.observation, Observation::ReplyTooLarge);
        assert!(
            failed.detail.as_deref().unwrap_or("").contains("lines"),
            "{failed:?}"
        );
    }

    #[tokio::test]
    async fn bytes_after_the_starttls_go_ahead_are_an_injection() {
        let (conn, _server) = peer(
            Side::Smtp,
            "220 mail ESMTP\r\n",
            &["250-mail\r\n250 STARTTLS\r\n", "220 go\r\n250 injected\r\n"],
        );
        let mut s = SmtpSession::new(conn, false);
        s.greeting().await.unwrap();
        s.ehlo("[127.0.0.1]").await.unwrap();
        let Err(failed) = s.starttls().await else {
            panic!("the injection went unnoticed");
        };
        assert_eq!(failed.observation, Observation::TlsFailed);
        let detail = failed.detail.unwrap_or_default();
        assert!(detail.contains("CVE-2011-0411"), "{detail}");
        assert!(detail.contains("250 injected"), "{detail}");
    }
}
