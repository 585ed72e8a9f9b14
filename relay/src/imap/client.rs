//! The IMAP client's state, without IO, in the manner of sans-IO protocol libraries: it turns
//! commands into bytes to send and, fed one response line at a time, says what to do next —
//! read on, send this, or done. Tags, pipelining, continuations, `BYE`, capabilities and the
//! bound on untagged data all live here; [`super::ImapSession`] only moves bytes.

use base64::Engine as _;
use inbox_doctor_errors::{Credential, ImapCommand, Observation, Secret};

use super::response::{self, capability_code, quote, Completion, Greeting, Response};
use crate::net::conn::{Bound, IoFailure, Outgoing};
use crate::net::transcript::REDACTED;
use crate::net::Failed;
use crate::sasl::TokenMechanism;

/// How much untagged data one pipeline may bring (a LIST of a huge account still fits).
pub const MAX_UNTAGGED_BYTES: usize = 4 << 20;

/// One command to send. Its `Debug` shows the transcript's rendering, never the credentials.
#[derive(Clone)]
pub struct Command {
    /// What the command is for, to classify a refusal.
    pub kind: ImapCommand,
    /// The command without its tag.
    text: String,
    /// What the transcript shows instead of `text` (credentials redacted).
    shown: String,
    /// The answer to the server's first continuation request (`+`), sent at most once.
    continuation: Option<String>,
    /// The answer to a continuation request after the credentials: a token mechanism's
    /// acknowledgment of the server's error challenge (see [`crate::sasl`]), sent at most once.
    error_answer: Option<&'static str>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Command")
            .field("kind", &self.kind)
            .field("shown", &self.shown)
            .finish_non_exhaustive()
    }
}

impl Command {
    /// A command that carries no secret.
    pub fn new(kind: ImapCommand, text: impl Into<String>) -> Command {
        let text = text.into();
        Command {
            kind,
            shown: text.clone(),
            text,
            continuation: None,
            error_answer: None,
        }
    }
}

/// Every command of a pipeline completed.
#[derive(Debug, Default)]
pub struct Finished {
    /// In the order the commands were given.
    pub completions: Vec<Completion>,
    pub untagged: Vec<String>,
}

impl Finished {
    /// The first command that did not end with OK, as a failure in the server's words.
    pub fn first_refusal(&self, kinds: &[ImapCommand]) -> Result<(), Failed> {
        for (c, kind) in self.completions.iter().zip(kinds) {
            if c.status != response::Status::Ok {
                return Err(Failed::imap(*kind, c.line.clone()));
            }
        }
        Ok(())
    }
}

/// What the driver does next.
#[derive(Debug)]
pub enum Next {
    Read,
    /// Write this, then read on.
    Send(Outgoing),
    Done(Finished),
}

/// How to log in, given what is known of the server.
#[derive(Debug)]
pub enum LoginPlan {
    /// `LOGINDISABLED` must be known before a password goes out.
    AskCapabilities,
    Send(Command),
    /// No way to log in that the server accepts; the server's advertisement is the evidence.
    Refuse(Failed),
}

struct Pending {
    tag: String,
    kind: ImapCommand,
    continuation: Option<String>,
    error_answer: Option<&'static str>,
    /// A continuation request was answered with the cancel `*`.
    cancelled: bool,
    done: Option<Completion>,
}

pub struct Client {
    next_tag: u32,
    capabilities: Option<Vec<String>>,
    /// A plaintext session on 993: silence there hints at the TLS mode.
    implicit_tls_port: bool,
    pending: Vec<Pending>,
    untagged: Vec<String>,
    untagged_bytes: usize,
    /// The last continuation request a token mechanism answered as an error challenge.
    challenge: Option<String>,
}

impl Client {
    pub fn new(implicit_tls_port: bool) -> Client {
        Client {
            next_tag: 1,
            capabilities: None,
            implicit_tls_port,
            pending: Vec::new(),
            untagged: Vec::new(),
            untagged_bytes: 0,
            challenge: None,
        }
    }

    /// The error challenge the server sent during the last token login (its base64), if any.
    pub fn take_challenge(&mut self) -> Option<String> {
        self.challenge.take()
    }

    /// Known capabilities; `None` until the server told us.
    pub fn capabilities(&self) -> Option<&[String]> {
        self.capabilities.as_deref()
    }

    /// Capabilities learned elsewhere, used only while the server has said none here.
    pub fn assume_capabilities(&mut self, known: &[String]) {
        if self.capabilities.is_none() && !known.is_empty() {
            self.capabilities = Some(known.to_vec());
        }
    }

    pub fn has_capability(&self, cap: &str) -> bool {
        self.capabilities
            .as_ref()
            .is_some_and(|caps| caps.iter().any(|c| c.eq_ignore_ascii_case(cap)))
    }

    /// Reads the greeting line.
    pub fn greeted(&mut self, line: String) -> Result<Greeting, Failed> {
        let greeting = response::greeting(line)?;
        if greeting.capabilities.is_some() {
            self.capabilities.clone_from(&greeting.capabilities);
        }
        Ok(greeting)
    }

    /// Tags `commands` and returns them as one write (pipelined).
    pub fn send(&mut self, commands: Vec<Command>) -> Outgoing {
        let mut out = Outgoing {
            wire: String::new(),
            shown: String::new(),
        };
        self.pending.clear();
        self.untagged.clear();
        self.untagged_bytes = 0;
        for c in commands {
            let tag = format!("a{}", self.next_tag);
            self.next_tag += 1;
            out.wire.push_str(&format!("{tag} {}\r\n", c.text));
            out.shown.push_str(&format!("{tag} {}\n", c.shown));
            self.pending.push(Pending {
                tag,
                kind: c.kind,
                continuation: c.continuation,
                error_answer: c.error_answer,
                cancelled: false,
                done: None,
            });
        }
        out
    }

    /// The tag the next command gets (for `LOGOUT`, which waits for nothing).
    pub fn take_tag(&mut self) -> String {
        let tag = format!("a{}", self.next_tag);
        self.next_tag += 1;
        tag
    }

    /// The command the server is working on: the first without a completion.
    fn current(&mut self) -> Option<&mut Pending> {
        self.pending.iter_mut().find(|p| p.done.is_none())
    }

    /// Takes one response line.
    pub fn receive(&mut self, line: String) -> Result<Next, Failed> {
        let kind = self.current().map_or(ImapCommand::Greeting, |p| p.kind);
        match response::response(&line) {
            // The session ends here, whatever is pending: no reason to wait for the close.
            Response::Bye => return Err(Failed::imap(kind, line)),
            Response::Capabilities(caps) => {
                self.capabilities = Some(caps);
                self.keep_untagged(line)?;
            }
            Response::Untagged => self.keep_untagged(line)?,
            Response::Continuation => return self.continuation(kind, line),
            Response::Tagged { tag, status } => {
                let caps = capability_code(&line);
                if let Some(p) = self
                    .pending
                    .iter_mut()
                    .find(|p| p.tag == tag && p.done.is_none())
                {
                    if caps.is_some() {
                        self.capabilities = caps;
                    }
                    p.done = Some(Completion { status, line });
                }
            }
            Response::Other => {}
        }
        if self.pending.iter().all(|p| p.done.is_some()) {
            return Ok(Next::Done(Finished {
                completions: self.pending.drain(..).filter_map(|p| p.done).collect(),
                untagged: std::mem::take(&mut self.untagged),
            }));
        }
        Ok(Next::Read)
    }

    /// A continuation request: the command's payload the first time (the credentials of
    /// AUTHENTICATE: sent once, never again), else the cancel `*`; a request after the cancel
    /// ends the command in the server's words: it will not answer otherwise.
    fn continuation(&mut self, kind: ImapCommand, line: String) -> Result<Next, Failed> {
        let cancel = Outgoing {
            wire: "*\r\n".into(),
            shown: "*".into(),
        };
        let Some(p) = self.current() else {
            return Ok(Next::Send(cancel));
        };
        if let Some(data) = p.continuation.take() {
            return Ok(Next::Send(Outgoing {
                wire: format!("{data}\r\n"),
                shown: REDACTED.to_owned(),
            }));
        }
        if let Some(answer) = p.error_answer.take() {
            let challenge = line.strip_prefix('+').unwrap_or(&line).trim().to_owned();
            self.challenge = Some(challenge);
            return Ok(Next::Send(Outgoing {
                wire: format!("{answer}\r\n"),
                shown: answer.to_owned(),
            }));
        }
        if p.cancelled {
            return Err(Failed::imap(kind, line)
                .detail("the server asked for more after the command was cancelled"));
        }
        p.cancelled = true;
        Ok(Next::Send(cancel))
    }

    fn keep_untagged(&mut self, line: String) -> Result<(), Failed> {
        self.untagged_bytes += line.len();
        if self.untagged_bytes > MAX_UNTAGGED_BYTES {
            return Err(self.interrupted(IoFailure::TooLong(Bound::Untagged(MAX_UNTAGGED_BYTES))));
        }
        self.untagged.push(line);
        Ok(())
    }

    /// A read or write that failed while commands were pending.
    pub fn interrupted(&self, failure: IoFailure) -> Failed {
        Failed::io(failure, self.implicit_tls_port)
    }

    /// Whether the server, as far as we know, refuses a password on this connection.
    pub fn login_disabled(&self) -> bool {
        self.has_capability("LOGINDISABLED")
    }

    /// Decides how to log in with `credential`: a password as in [`Client::password_plan`],
    /// a token as in [`Client::token_plan`]. Asks for the capabilities first when they are
    /// unknown, unless `asked` already: what the server offers must be known before a secret
    /// goes out, over TLS too.
    pub fn login_plan(&self, username: &str, credential: Credential, asked: bool) -> LoginPlan {
        if self.capabilities.is_none() && !asked {
            return LoginPlan::AskCapabilities;
        }
        match credential {
            Credential::Password(password) => self.password_plan(username, password),
            Credential::Token { token, mechanism } => self.token_plan(username, token, mechanism),
        }
    }

    /// LOGIN, or AUTHENTICATE PLAIN when LOGIN is disabled or the credentials cannot travel
    /// as quoted strings (in one round trip with SASL-IR).
    fn password_plan(&self, username: &str, password: &Secret) -> LoginPlan {
        let quotable = |s: &str| s.bytes().all(|b| (0x20..0x7f).contains(&b));
        let use_plain =
            self.login_disabled() || !quotable(username) || !quotable(password.expose());
        if use_plain && self.login_disabled() && !self.has_capability("AUTH=PLAIN") {
            let caps = self.capabilities.clone().unwrap_or_default().join(" ");
            let oauth = ["AUTH=XOAUTH2", "AUTH=OAUTHBEARER"];
            if oauth.iter().any(|m| self.has_capability(m)) {
                return LoginPlan::Refuse(
                    Failed::new(Observation::OnlyOauthOffered)
                        .detail(format!("the server offers only OAuth logins: {caps}")),
                );
            }
            return LoginPlan::Refuse(
                Failed::imap(ImapCommand::Login, format!("* CAPABILITY {caps}")).detail(
                    "the server advertises LOGINDISABLED and no AUTH=PLAIN on this connection",
                ),
            );
        }
        if !use_plain {
            return LoginPlan::Send(Command {
                kind: ImapCommand::Login,
                text: format!("LOGIN {} {}", quote(username), quote(password.expose())),
                shown: format!("LOGIN {} {REDACTED}", quote(username)),
                continuation: None,
                error_answer: None,
            });
        }
        let blob = base64::engine::general_purpose::STANDARD
            .encode(format!("\0{username}\0{}", password.expose()));
        LoginPlan::Send(self.authenticate("PLAIN", blob, None))
    }

    /// AUTHENTICATE with the token mechanism the server advertises (`AUTH=…`), or the one
    /// `wanted`; refused, with the advertisement as evidence, when it offers none that fits.
    fn token_plan(
        &self,
        username: &str,
        token: &Secret,
        wanted: inbox_doctor_errors::OauthMechanism,
    ) -> LoginPlan {
        let caps = self.capabilities.clone().unwrap_or_default();
        let offered: Vec<&str> = caps
            .iter()
            .filter_map(|c| {
                c.get(..5)
                    .filter(|p| p.eq_ignore_ascii_case("AUTH="))
                    .map(|_| &c[5..])
            })
            .collect();
        let Some(mechanism) = TokenMechanism::choose(&offered, wanted) else {
            let offered = if offered.is_empty() {
                "none".to_owned()
            } else {
                offered.join(" ")
            };
            return LoginPlan::Refuse(
                Failed::new(Observation::NoOauthMechanism)
                    .detail(format!("mechanisms offered: {offered}")),
            );
        };
        let blob = mechanism.initial_response(username, token.expose());
        let answer = Some(mechanism.error_answer());
        LoginPlan::Send(self.authenticate(mechanism.name(), blob, answer))
    }

    /// `AUTHENTICATE <mechanism>` with `blob` as the initial response: on the command line
    /// with SASL-IR, else as the answer to the server's first continuation request.
    fn authenticate(
        &self,
        mechanism: &str,
        blob: String,
        error_answer: Option<&'static str>,
    ) -> Command {
        if self.has_capability("SASL-IR") {
            Command {
                kind: ImapCommand::Login,
                text: format!("AUTHENTICATE {mechanism} {blob}"),
                shown: format!("AUTHENTICATE {mechanism} {REDACTED}"),
                continuation: None,
                error_answer,
            }
        } else {
            Command {
                continuation: Some(blob),
                error_answer,
                ..Command::new(ImapCommand::Login, format!("AUTHENTICATE {mechanism}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inbox_doctor_errors::Observation;
    use response::Status;

    /// Feeds `lines` in turn; returns what the client asked to send and how it ended.
    fn script(client: &mut Client, lines: &[&str]) -> (Vec<String>, Result<Finished, Failed>) {
        let mut sent = Vec::new();
        for line in lines {
            match client.receive((*line).to_owned()) {
                Ok(Next::Read) => {}
                Ok(Next::Send(out)) => sent.push(out.wire),
                Ok(Next::Done(f)) => return (sent, Ok(f)),
                Err(f) => return (sent, Err(f)),
            }
        }
        panic!("the script ended before the commands completed");
    }

    fn login(client: &Client, user: &str, pw: &str) -> LoginPlan {
        client.login_plan(user, Credential::Password(&Secret::new(pw)), false)
    }

    #[test]
    fn pipelined_commands_complete_by_tag_in_any_order() {
        let mut c = Client::new(false);
        let out = c.send(vec![
            Command::new(ImapCommand::List, "LIST \"\" \"*\""),
            Command::new(ImapCommand::Select, "EXAMINE INBOX"),
        ]);
        assert_eq!(out.wire, "a1 LIST \"\" \"*\"\r\na2 EXAMINE INBOX\r\n");
        let (sent, done) = script(
            &mut c,
            &[
                "* LIST () \"/\" INBOX",
                "a9 OK someone else's tag",
                "* 3 EXISTS",
                "a2 OK [READ-ONLY] done",
                "a1 OK [CAPABILITY IMAP4rev1 IDLE] listed",
            ],
        );
        assert!(sent.is_empty());
        let done = done.unwrap();
        assert_eq!(done.untagged, ["* LIST () \"/\" INBOX", "* 3 EXISTS"]);
        assert_eq!(
            done.completions[0].line,
            "a1 OK [CAPABILITY IMAP4rev1 IDLE] listed"
        );
        assert_eq!(done.completions[1].status, Status::Ok);
        assert!(
            c.has_capability("idle"),
            "capabilities from a response code"
        );
        // Tags go on counting.
        assert_eq!(
            c.send(vec![Command::new(ImapCommand::Search, "NOOP")]).wire,
            "a3 NOOP\r\n"
        );
    }

    #[test]
    fn a_refusal_names_its_command() {
        let mut c = Client::new(false);
        c.send(vec![
            Command::new(ImapCommand::List, "LIST \"\" \"*\""),
            Command::new(ImapCommand::Select, "EXAMINE INBOX"),
        ]);
        let (_, done) = script(&mut c, &["a1 OK", "a2 NO [NONEXISTENT] no INBOX"]);
        let refusal = done
            .unwrap()
            .first_refusal(&[ImapCommand::List, ImapCommand::Select])
            .unwrap_err();
        assert_eq!(
            refusal.observation,
            Observation::ImapReply {
                command: ImapCommand::Select,
                text: "a2 NO [NONEXISTENT] no INBOX".into()
            }
        );
    }

    #[test]
    fn bye_ends_the_dialogue_at_once_in_the_servers_words() {
        let mut c = Client::new(false);
        c.send(vec![Command::new(ImapCommand::List, "LIST \"\" \"*\"")]);
        let (_, done) = script(&mut c, &["* BYE going down", "a1 OK never read"]);
        assert_eq!(
            done.unwrap_err().observation,
            Observation::ImapReply {
                command: ImapCommand::List,
                text: "* BYE going down".into()
            }
        );
    }

    #[test]
    fn an_unasked_continuation_is_cancelled_and_a_second_ends_the_command() {
        let mut c = Client::new(false);
        c.send(vec![Command::new(ImapCommand::List, "LIST \"\" \"*\"")]);
        let (sent, done) = script(&mut c, &["+ more?", "a1 BAD cancelled"]);
        assert_eq!(sent, ["*\r\n"]);
        assert_eq!(done.unwrap().completions[0].status, Status::Bad);

        let mut c = Client::new(false);
        c.send(vec![Command::new(ImapCommand::List, "LIST \"\" \"*\"")]);
        let (sent, done) = script(&mut c, &["+ more?", "+ more!", "+ more!!"]);
        assert_eq!(sent, ["*\r\n"]);
        let failed = done.unwrap_err();
        assert_eq!(failed.server_reply(), Some("+ more!"));
    }

    #[test]
    fn untagged_data_is_bounded() {
        let mut c = Client::new(false);
        c.send(vec![Command::new(ImapCommand::List, "LIST \"\" \"*\"")]);
        let line = format!("* LIST () \"/\" {}", "x".repeat(64 * 1024));
        let mut result = Ok(Next::Read);
        for _ in 0..(MAX_UNTAGGED_BYTES / line.len() + 2) {
            result = c.receive(line.clone());
            if result.is_err() {
                break;
            }
        }
        let failed = result.unwrap_err();
        assert!(
            failed
                .detail
                .as_deref()
                .unwrap_or("")
                .contains(&MAX_UNTAGGED_BYTES.to_string()),
            "{failed:?}"
        );
    }

    #[test]
    fn login_asks_for_capabilities_before_a_password_goes_out() {
        let c = Client::new(false);
        assert!(matches!(login(&c, "jo", "pw"), LoginPlan::AskCapabilities));
        // Once asked, a server that never says goes on with LOGIN.
        let LoginPlan::Send(cmd) =
            c.login_plan("jo", Credential::Password(&Secret::new("p\"w")), true)
        else {
            panic!("no plan");
        };
        assert_eq!(cmd.text, "LOGIN \"jo\" \"p\\\"w\"");
        assert_eq!(cmd.shown, format!("LOGIN \"jo\" {REDACTED}"));
        // Capabilities in the greeting: no question, LOGIN at once.
        let mut c = Client::new(false);
        c.greeted("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi".into())
            .unwrap();
        let LoginPlan::Send(cmd) = login(&c, "jo", "pw") else {
            panic!("no plan");
        };
        assert_eq!(cmd.text, "LOGIN \"jo\" \"pw\"");
    }

    #[test]
    fn logindisabled_learned_by_asking_keeps_the_password_back() {
        let mut c = Client::new(false);
        assert!(matches!(login(&c, "jo", "pw"), LoginPlan::AskCapabilities));
        c.send(vec![Command::new(ImapCommand::Login, "CAPABILITY")]);
        let (sent, done) = script(
            &mut c,
            &["* CAPABILITY IMAP4rev1 LOGINDISABLED", "a1 OK done"],
        );
        assert!(sent.is_empty());
        done.unwrap();
        assert!(matches!(
            c.login_plan("jo", Credential::Password(&Secret::new("pw")), true),
            LoginPlan::Refuse(_)
        ));
    }

    #[test]
    fn logindisabled_turns_login_into_authenticate_plain_or_a_refusal() {
        let mut c = Client::new(false);
        c.greeted("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN SASL-IR] hi".into())
            .unwrap();
        let LoginPlan::Send(cmd) = login(&c, "jo", "pw") else {
            panic!("no plan");
        };
        assert!(cmd.text.starts_with("AUTHENTICATE PLAIN "), "{}", cmd.text);
        assert_eq!(cmd.shown, format!("AUTHENTICATE PLAIN {REDACTED}"));

        let mut c = Client::new(false);
        c.greeted("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi".into())
            .unwrap();
        let LoginPlan::Refuse(f) = login(&c, "jo", "pw") else {
            panic!("should refuse");
        };
        assert_eq!(
            f.server_reply(),
            Some("* CAPABILITY IMAP4rev1 LOGINDISABLED")
        );
    }

    #[test]
    fn authenticate_without_sasl_ir_sends_the_credentials_once() {
        let mut c = Client::new(false);
        c.greeted("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi".into())
            .unwrap();
        // A non-ASCII password cannot travel in LOGIN's quoted string.
        let LoginPlan::Send(cmd) = login(&c, "jo", "pø") else {
            panic!("no plan");
        };
        let out = c.send(vec![cmd]);
        assert_eq!(out.wire, "a1 AUTHENTICATE PLAIN\r\n");
        let blob = base64::engine::general_purpose::STANDARD.encode("\0jo\0pø");
        let (sent, done) = script(&mut c, &["+ ", "+ ", "a1 NO [AUTHENTICATIONFAILED] no"]);
        assert_eq!(sent, [format!("{blob}\r\n"), "*\r\n".into()]);
        assert_eq!(done.unwrap().completions[0].status, Status::No);
        // A server that keeps asking gets the credentials once, one cancel, and the end.
        let mut c = Client::new(false);
        c.greeted("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi".into())
            .unwrap();
        let LoginPlan::Send(cmd) = login(&c, "jo", "pø") else {
            panic!("no plan");
        };
        c.send(vec![cmd]);
        let (sent, done) = script(&mut c, &["+ "; 1000]);
        assert_eq!(sent, [format!("{blob}\r\n"), "*\r\n".into()]);
        assert!(done.is_err());
    }
}
