//! The SMTP dialogue: greeting, EHLO, STARTTLS, AUTH and a pipelined send (RFC 2920).
//!
//! [`reply`] reads replies and EHLO answers, [`auth`] and [`envelope`] decide what to send and
//! what the answers mean, all without IO; [`SmtpSession`] is the thin async layer that moves
//! their bytes over a [`Conn`].

pub mod auth;
pub mod envelope;
pub mod reply;

use inbox_doctor_errors::{Observation, Secret, SmtpCommand};

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
    pub async fn auth(&mut self, username: &str, password: &Secret) -> Result<(), Failed> {
        let (mut exchange, mut out) =
            auth::Auth::start(&self.auth_mechanisms(), username, password)?;
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
