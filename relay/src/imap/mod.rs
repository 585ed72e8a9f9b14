//! The IMAP dialogue: greeting, STARTTLS, login and the validation a syncing product needs,
//! pipelined where commands do not depend on each other.
//!
//! [`client`] holds the protocol state without IO (tags, continuations, `BYE`, limits) and
//! [`response`] reads single lines; [`ImapSession`] is the thin async layer that moves their
//! bytes over a [`Conn`]. [`mailbox`] reads what validation found.

pub mod client;
pub mod mailbox;
#[cfg(test)]
mod properties;
pub mod response;

use inbox_doctor_errors::{Credential, ImapCommand, Observation};

use crate::net::conn::{Bound, BoxIo, Conn, IoFailure};
use crate::net::Failed;
use client::{Client, Command, Finished, LoginPlan, Next};
pub use mailbox::{sent_folder, Mailboxes};
use response::{literal_length, quote, Greeting, Status};

/// At most this many literals in one response line.
const MAX_LITERALS_PER_LINE: usize = 64;

pub struct ImapSession {
    conn: Conn,
    client: Client,
}

impl ImapSession {
    /// `implicit_tls_port`: a plaintext session on a port where implicit TLS is usual.
    pub fn new(conn: Conn, implicit_tls_port: bool) -> ImapSession {
        ImapSession {
            conn,
            client: Client::new(implicit_tls_port),
        }
    }

    pub fn conn_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }

    /// Known capabilities; `None` until the server told us (and again after STARTTLS).
    pub fn capabilities(&self) -> Option<&[String]> {
        self.client.capabilities()
    }

    /// Whether the server, as far as we know, refuses a password on this connection.
    pub fn login_disabled(&self) -> bool {
        self.client.login_disabled()
    }

    /// Reads the greeting. A greeting that is not IMAP's means the port speaks something else.
    pub async fn greeting(&mut self) -> Result<Greeting, Failed> {
        let line = self
            .conn
            .read_line()
            .await
            .map_err(|e| self.client.interrupted(e))?;
        self.client.greeted(line)
    }

    /// Sends the commands in one write and reads until every one has completed.
    async fn run(&mut self, commands: Vec<Command>) -> Result<Finished, Failed> {
        let out = self.client.send(commands);
        self.write(out.wire.as_bytes(), &out.shown).await?;
        loop {
            let line = match self.read_response().await {
                Ok(line) => line,
                Err(e) => return Err(self.client.interrupted(e)),
            };
            match self.client.receive(line)? {
                Next::Read => {}
                Next::Send(out) => self.write(out.wire.as_bytes(), &out.shown).await?,
                Next::Done(finished) => return Ok(finished),
            }
        }
    }

    async fn write(&mut self, wire: &[u8], shown: &str) -> Result<(), Failed> {
        match self.conn.send(wire, shown).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.client.interrupted(e)),
        }
    }

    /// Reads one response line, inlining literals (`{n}` + n bytes) as quoted strings.
    async fn read_response(&mut self) -> Result<String, IoFailure> {
        let mut line = self.conn.read_line().await?;
        let mut literals = 0;
        while let Some(n) = literal_length(&line) {
            literals += 1;
            if literals > MAX_LITERALS_PER_LINE {
                return Err(IoFailure::TooLong(Bound::Literals(MAX_LITERALS_PER_LINE)));
            }
            let cut = line.rfind('{').unwrap_or(line.len());
            line.truncate(cut);
            let bytes = self.conn.read_exact(n).await?;
            line.push_str(&quote(&String::from_utf8_lossy(&bytes)));
            line.push_str(&self.conn.read_line().await?);
        }
        Ok(line)
    }

    /// Asks for the capabilities when the server has not said them yet.
    pub async fn learn_capabilities(&mut self, kind: ImapCommand) -> Result<(), Failed> {
        if self.capabilities().is_none() {
            self.run(vec![Command::new(kind, "CAPABILITY")]).await?;
        }
        Ok(())
    }

    /// Asks for STARTTLS and returns the stream for the handshake.
    pub async fn starttls(mut self) -> Result<BoxIo, Failed> {
        if !self.client.has_capability("STARTTLS") {
            self.run(vec![Command::new(ImapCommand::Starttls, "CAPABILITY")])
                .await?;
            if !self.client.has_capability("STARTTLS") {
                return Err(Failed::new(Observation::StarttlsNotOffered).detail(format!(
                    "capabilities: {}",
                    self.capabilities().unwrap_or_default().join(" ")
                )));
            }
        }
        let done = self
            .run(vec![Command::new(ImapCommand::Starttls, "STARTTLS")])
            .await?;
        done.first_refusal(&[ImapCommand::Starttls])?;
        self.conn.event("TLS handshake starts");
        self.conn.into_io().map_err(|e| Failed::io(e, false))
    }

    /// Takes capabilities learned on another connection to the same server, when this one
    /// knows none: the extra sessions of the session check skip asking again.
    pub fn assume_capabilities(&mut self, known: &[String]) {
        self.client.assume_capabilities(known);
    }

    /// Logs in (see [`Client::login_plan`] for how); returns the capabilities it logged in
    /// under, for other sessions to the same server to assume. A refused token is a
    /// [`Observation::TokenRefused`] carrying what the server's error challenge said (the
    /// engine adds what the token's claims say).
    pub async fn login(
        &mut self,
        username: &str,
        credential: Credential<'_>,
    ) -> Result<Vec<String>, Failed> {
        let mut asked = false;
        loop {
            match self.client.login_plan(username, credential, asked) {
                LoginPlan::AskCapabilities => {
                    self.run(vec![Command::new(ImapCommand::Login, "CAPABILITY")])
                        .await?;
                    asked = true;
                }
                LoginPlan::Refuse(failed) => return Err(failed),
                LoginPlan::Send(command) => {
                    let before = self.capabilities().unwrap_or_default().to_vec();
                    let done = self.run(vec![command]).await?;
                    let challenge = self.client.take_challenge();
                    return match done.completions.last() {
                        Some(c) if c.status == Status::Ok => Ok(before),
                        Some(c) => Err(match credential {
                            Credential::Password(_) => {
                                Failed::imap(ImapCommand::Login, c.line.clone())
                            }
                            Credential::Token { .. } => {
                                crate::sasl::token_refused(c.line.clone(), challenge.as_deref())
                            }
                        }),
                        None => Err(Failed::new(Observation::Closed)),
                    };
                }
            }
        }
    }

    /// Lists the mailboxes and opens INBOX read-only, in one round trip.
    pub async fn validate(&mut self) -> Result<Mailboxes, Failed> {
        let mut commands = vec![
            Command::new(ImapCommand::List, "LIST \"\" \"*\""),
            Command::new(ImapCommand::Select, "EXAMINE INBOX"),
        ];
        if self.capabilities().is_none() {
            commands.push(Command::new(ImapCommand::List, "CAPABILITY"));
        }
        let kinds: Vec<ImapCommand> = commands.iter().map(|c| c.kind).collect();
        let done = self.run(commands).await?;
        done.first_refusal(&kinds)?;
        Ok(Mailboxes::from_untagged(&done.untagged))
    }

    /// Whether a message with this Message-ID is in the examined INBOX now.
    pub async fn has_message(&mut self, message_id: &str) -> Result<bool, Failed> {
        let command = format!("UID SEARCH HEADER Message-ID {}", quote(message_id));
        let done = self
            .run(vec![Command::new(ImapCommand::Search, command)])
            .await?;
        done.first_refusal(&[ImapCommand::Search])?;
        Ok(done.untagged.iter().any(|l| response::search_found(l)))
    }

    /// Says goodbye without waiting for the answer.
    pub async fn logout(mut self) {
        let tag = self.client.take_tag();
        self.conn
            .close_with(
                &format!("{tag} LOGOUT\r\n"),
                std::time::Duration::from_millis(500),
            )
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::script::peer;
    use base64::Engine as _;
    use inbox_doctor_errors::{OauthMechanism, SaslStatus, Secret, Side};

    #[tokio::test]
    async fn a_refused_token_has_its_error_challenge_answered_and_kept() {
        let json = r#"{"status":"invalid_token","schemes":"bearer","scope":"mail"}"#;
        let challenge = base64::engine::general_purpose::STANDARD.encode(json);
        let (conn, server) = peer(
            Side::Imap,
            "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER] hi\r\n",
            &[
                &format!("+ {challenge}\r\n"),
                "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n",
            ],
        );
        let mut s = ImapSession::new(conn, false);
        s.greeting().await.unwrap();
        let token = Secret::new("tok");
        let credential = Credential::Token {
            token: &token,
            mechanism: OauthMechanism::Auto,
        };
        let failed = s.login("jo", credential).await.unwrap_err();
        let Observation::TokenRefused { text, facts } = &failed.observation else {
            panic!("{:?}", failed.observation);
        };
        assert_eq!(text, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
        assert_eq!(facts.status, Some(SaslStatus::InvalidToken));
        assert!(failed.detail.as_deref().unwrap_or("").contains(json));
        drop(s);
        // OAUTHBEARER (the standard one) in one round trip, then its answer to the error.
        let blob = crate::sasl::TokenMechanism::Oauthbearer.initial_response("jo", "tok");
        assert_eq!(
            server.await.unwrap(),
            [
                format!("a1 AUTHENTICATE OAUTHBEARER {blob}"),
                "AQ==".to_owned()
            ]
        );
    }

    #[tokio::test]
    async fn a_server_without_a_token_mechanism_gets_no_token() {
        let (conn, server) = peer(
            Side::Imap,
            "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n",
            &[],
        );
        let mut s = ImapSession::new(conn, false);
        s.greeting().await.unwrap();
        let token = Secret::new("tok");
        let credential = Credential::Token {
            token: &token,
            mechanism: OauthMechanism::Xoauth2,
        };
        let failed = s.login("jo", credential).await.unwrap_err();
        assert_eq!(failed.observation, Observation::NoOauthMechanism);
        assert_eq!(failed.detail.as_deref(), Some("mechanisms offered: PLAIN"));
        drop(s);
        assert!(server.await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_session_logs_in_and_reads_literals_over_a_stream() {
        let (conn, server) = peer(
            Side::Imap,
            "* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n",
            &[
                "a1 OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS] logged in\r\n",
                // LIST and EXAMINE arrive in one write; the server answers after the second.
                "",
                "* LIST (\\Sent) \"/\" {9}\r\nSent Mail\r\n* 2 EXISTS\r\na2 OK listed\r\na3 OK [READ-ONLY] examined\r\n",
            ],
        );
        let mut s = ImapSession::new(conn, false);
        assert!(s.greeting().await.unwrap().capabilities.is_some());
        s.login("jo", Credential::Password(&Secret::new("pw")))
            .await
            .unwrap();
        let found = s.validate().await.unwrap();
        assert_eq!(
            found.list,
            [("Sent Mail".to_owned(), vec!["\\Sent".to_owned()])]
        );
        assert_eq!(found.inbox_messages, Some(2));
        assert!(s.capabilities().unwrap().iter().any(|c| c == "UIDPLUS"));
        s.logout().await;
        let got = server.await.unwrap();
        assert_eq!(got[0], "a1 LOGIN \"jo\" \"pw\"");
        assert_eq!(got[1..3], ["a2 LIST \"\" \"*\"", "a3 EXAMINE INBOX"]);
    }

    #[tokio::test]
    async fn a_greeting_without_capabilities_is_asked_before_the_password_goes_out() {
        let (conn, server) = peer(
            Side::Imap,
            "* OK ready\r\n",
            &["* CAPABILITY IMAP4rev1 LOGINDISABLED\r\na1 OK done\r\n", ""],
        );
        let mut s = ImapSession::new(conn, false);
        s.greeting().await.unwrap();
        let failed = s
            .login("jo", Credential::Password(&Secret::new("pw")))
            .await
            .unwrap_err();
        assert_eq!(
            failed.server_reply(),
            Some("* CAPABILITY IMAP4rev1 LOGINDISABLED")
        );
        drop(s);
        let got = server.await.unwrap();
        assert_eq!(got, ["a1 CAPABILITY"]);
    }

    #[tokio::test]
    async fn capabilities_known_from_the_main_session_save_the_question() {
        let (conn, server) = peer(Side::Imap, "* OK ready\r\n", &["a1 OK in\r\n"]);
        let mut s = ImapSession::new(conn, false);
        s.greeting().await.unwrap();
        s.assume_capabilities(&["IMAP4rev1".to_owned(), "IDLE".to_owned()]);
        let before = s
            .login("jo", Credential::Password(&Secret::new("pw")))
            .await
            .unwrap();
        assert_eq!(before, ["IMAP4rev1", "IDLE"]);
        drop(s);
        assert_eq!(server.await.unwrap(), ["a1 LOGIN \"jo\" \"pw\""]);
    }

    #[tokio::test]
    async fn bye_ends_a_command_without_waiting_for_the_close() {
        // LIST, EXAMINE and CAPABILITY arrive; BYE answers the second, and the peer keeps the
        // connection open (a fourth answer is still due), so only BYE can end the command.
        let (conn, _server) = peer(
            Side::Imap,
            "* OK ready\r\n",
            &["", "* BYE server shutting down\r\n", "", ""],
        );
        let mut s = ImapSession::new(conn, false);
        s.greeting().await.unwrap();
        let started = std::time::Instant::now();
        let failed = s.validate().await.unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!(failed.server_reply(), Some("* BYE server shutting down"));
    }

    #[tokio::test]
    async fn an_oversized_literal_is_refused_with_its_limit() {
        let (conn, _server) = peer(
            Side::Imap,
            "* OK ready\r\n",
            &["", "* LIST () \"/\" {99999999}\r\n"],
        );
        let mut s = ImapSession::new(conn, false);
        s.greeting().await.unwrap();
        let failed = s.validate().await.unwrap_err();
        assert_eq!(failed.observation, Observation::ReplyTooLarge);
        assert_eq!(
            failed.detail.as_deref(),
            Some("the server sent a literal larger than 65536 bytes")
        );
    }

    #[tokio::test]
    async fn an_answer_under_a_foreign_tag_completes_nothing() {
        let (conn, server) = peer(
            Side::Imap,
            "* OK [CAPABILITY IMAP4rev1] ready\r\n",
            &["zz1 OK not yours\r\na1 NO [AUTHENTICATIONFAILED] no\r\n"],
        );
        let mut s = ImapSession::new(conn, false);
        s.greeting().await.unwrap();
        let failed = s
            .login("jo", Credential::Password(&Secret::new("pw")))
            .await
            .unwrap_err();
        assert_eq!(
            failed.server_reply(),
            Some("a1 NO [AUTHENTICATIONFAILED] no")
        );
        drop(s);
        server.await.unwrap();
    }

    #[tokio::test]
    async fn authenticate_over_a_stream_sends_the_credentials_once() {
        let (conn, server) = peer(
            Side::Imap,
            "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN] ready\r\n",
            &["+ \r\n", "+ \r\n", "+ \r\n", "+ \r\n"],
        );
        let mut s = ImapSession::new(conn, false);
        s.greeting().await.unwrap();
        let failed = s
            .login("jo", Credential::Password(&Secret::new("pw")))
            .await
            .unwrap_err();
        assert_eq!(failed.server_reply(), Some("+ "));
        drop(s);
        let got = server.await.unwrap();
        use base64::Engine as _;
        let blob = base64::engine::general_purpose::STANDARD.encode("\0jo\0pw");
        assert_eq!(got, ["a1 AUTHENTICATE PLAIN".to_owned(), blob, "*".into()]);
    }

    #[tokio::test]
    async fn untagged_data_beyond_its_bound_ends_the_command() {
        let flood = "* 1 EXISTS\r\n".repeat(client::MAX_UNTAGGED_BYTES / 10 + 10);
        let (conn, _server) = peer(Side::Imap, "* OK ready\r\n", &["", "", &flood]);
        let mut s = ImapSession::new(conn, false);
        s.greeting().await.unwrap();
        let failed = s.validate().await.unwrap_err();
        assert_eq!(failed.observation, Observation::ReplyTooLarge);
        assert!(
            failed.detail.as_deref().unwrap_or("").contains("untagged"),
            "{failed:?}"
        );
    }
}
