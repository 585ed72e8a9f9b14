//! The IMAP side: greeting, STARTTLS, login and the validation a syncing product needs —
//! pipelined where commands do not depend on each other.

use base64::Engine as _;
use inbox_doctor_errors::{ImapCommand, Observation, Secret};

use super::conn::{BoxIo, Conn, IoFailure};
use super::Failed;
use crate::transcript::REDACTED;

/// How a tagged command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    No,
    Bad,
}

/// A finished command: its status and the whole tagged line (the evidence).
#[derive(Clone, Debug)]
pub struct Completion {
    pub status: Status,
    pub line: String,
}

/// How much untagged data one command may bring (a LIST of a huge account still fits).
const MAX_UNTAGGED_BYTES: usize = 4 << 20;

/// What the server said on connect.
#[derive(Clone, Debug)]
pub struct Greeting {
    pub line: String,
    pub capabilities: Option<Vec<String>>,
}

/// What validation found.
#[derive(Clone, Debug, Default)]
pub struct Mailboxes {
    /// Name and attributes of every mailbox.
    pub list: Vec<(String, Vec<String>)>,
    pub inbox_messages: Option<u32>,
}

pub struct ImapSession {
    conn: Conn,
    next_tag: u32,
    /// Known capabilities; `None` until the server told us (and again after STARTTLS).
    pub capabilities: Option<Vec<String>>,
    implicit_tls_port: bool,
}

impl ImapSession {
    pub fn new(conn: Conn, implicit_tls_port: bool) -> ImapSession {
        ImapSession {
            conn,
            next_tag: 1,
            capabilities: None,
            implicit_tls_port,
        }
    }

    pub fn conn_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }

    fn tag(&mut self) -> String {
        let tag = format!("a{}", self.next_tag);
        self.next_tag += 1;
        tag
    }

    fn io(&self, failure: IoFailure) -> Failed {
        Failed::io(failure, self.implicit_tls_port)
    }

    pub fn has_capability(&self, cap: &str) -> bool {
        self.capabilities
            .as_ref()
            .is_some_and(|caps| caps.iter().any(|c| c.eq_ignore_ascii_case(cap)))
    }

    /// Reads the greeting. A greeting that is not IMAP's means the port speaks something else.
    pub async fn greeting(&mut self) -> Result<Greeting, Failed> {
        let line = self.conn.read_line().await.map_err(|e| self.io(e))?;
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("* OK") || upper.starts_with("* PREAUTH") {
            let capabilities = capability_code(&line);
            if capabilities.is_some() {
                self.capabilities.clone_from(&capabilities);
            }
            Ok(Greeting { line, capabilities })
        } else if upper.starts_with("* BYE") {
            Err(Failed::imap(ImapCommand::Greeting, line))
        } else {
            Err(Failed::new(Observation::ForeignGreeting { text: line }))
        }
    }

    /// Sends the commands in one write (pipelined) and reads until every one has completed.
    /// Untagged lines go to `untagged`.
    async fn run(
        &mut self,
        commands: &[(ImapCommand, String, String)],
        untagged: &mut Vec<String>,
    ) -> Result<Vec<Completion>, Failed> {
        let mut tags = Vec::new();
        let mut wire = String::new();
        let mut shown = String::new();
        for (_, command, display) in commands {
            let tag = self.tag();
            wire.push_str(&format!("{tag} {command}\r\n"));
            shown.push_str(&format!("{tag} {display}\n"));
            tags.push(tag);
        }
        self.conn
            .send(wire.as_bytes(), &shown)
            .await
            .map_err(|e| self.io(e))?;
        let mut done: Vec<Option<Completion>> = vec![None; commands.len()];
        let mut bye: Option<String> = None;
        let mut untagged_bytes = 0;
        while done.iter().any(Option::is_none) {
            let line = match self.read_response().await {
                Ok(line) => line,
                Err(e) => {
                    // A server that says BYE and hangs up has told us why.
                    let pending = done.iter().position(Option::is_none).unwrap_or(0);
                    return Err(match bye.take() {
                        Some(text) => Failed::imap(commands[pending].0, text),
                        None => self.io(e),
                    });
                }
            };
            if let Some(rest) = line.strip_prefix("* ") {
                if rest.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("BYE")) {
                    bye = Some(line.clone());
                }
                if let Some(caps) = rest
                    .strip_prefix("CAPABILITY ")
                    .or_else(|| rest.strip_prefix("capability "))
                {
                    self.capabilities = Some(caps.split_whitespace().map(str::to_owned).collect());
                }
                untagged_bytes += line.len();
                if untagged_bytes > MAX_UNTAGGED_BYTES {
                    return Err(self.io(IoFailure::TooLong {
                        limit: MAX_UNTAGGED_BYTES,
                    }));
                }
                untagged.push(line);
                continue;
            }
            if line.starts_with('+') {
                // A continuation we did not ask for: cancel it rather than wait.
                self.conn
                    .send_lines("*\r\n")
                    .await
                    .map_err(|e| self.io(e))?;
                continue;
            }
            let Some((tag, rest)) = line.split_once(' ') else {
                continue;
            };
            let Some(i) = tags.iter().position(|t| t == tag) else {
                continue;
            };
            let status = match rest
                .split(' ')
                .next()
                .unwrap_or("")
                .to_ascii_uppercase()
                .as_str()
            {
                "OK" => Status::Ok,
                "NO" => Status::No,
                _ => Status::Bad,
            };
            if let Some(caps) = capability_code(&line) {
                self.capabilities = Some(caps);
            }
            done[i] = Some(Completion { status, line });
        }
        Ok(done.into_iter().flatten().collect())
    }

    /// Reads one response line, inlining literals (`{n}` + n bytes) as quoted strings.
    async fn read_response(&mut self) -> Result<String, IoFailure> {
        let mut line = self.conn.read_line().await?;
        let mut literals = 0;
        while let Some(n) = literal_length(&line) {
            literals += 1;
            if literals > 64 {
                return Err(IoFailure::TooLong { limit: 64 });
            }
            let cut = line.rfind('{').unwrap_or(line.len());
            line.truncate(cut);
            let bytes = self.conn.read_exact(n).await?;
            line.push_str(&quote(&String::from_utf8_lossy(&bytes)));
            line.push_str(&self.conn.read_line().await?);
        }
        Ok(line)
    }

    /// Asks for STARTTLS and returns the stream for the handshake.
    pub async fn starttls(mut self) -> Result<BoxIo, Failed> {
        if !self.has_capability("STARTTLS") {
            let mut untagged = Vec::new();
            self.run(
                &[(
                    ImapCommand::Starttls,
                    "CAPABILITY".into(),
                    "CAPABILITY".into(),
                )],
                &mut untagged,
            )
            .await?;
            if !self.has_capability("STARTTLS") {
                return Err(Failed::new(Observation::StarttlsNotOffered).detail(format!(
                    "capabilities: {}",
                    self.capabilities.clone().unwrap_or_default().join(" ")
                )));
            }
        }
        let mut untagged = Vec::new();
        let done = self
            .run(
                &[(ImapCommand::Starttls, "STARTTLS".into(), "STARTTLS".into())],
                &mut untagged,
            )
            .await?;
        match done.first() {
            Some(c) if c.status == Status::Ok => {
                self.conn.event("TLS handshake starts");
                self.conn.into_io().map_err(|e| Failed::io(e, false))
            }
            Some(c) => Err(Failed::imap(ImapCommand::Starttls, c.line.clone())),
            None => Err(Failed::new(Observation::Closed)),
        }
    }

    /// The server's capabilities, asked for with CAPABILITY when the greeting did not list
    /// them.
    pub async fn capabilities(&mut self) -> Result<Vec<String>, Failed> {
        if self.capabilities.is_none() {
            let mut untagged = Vec::new();
            self.run(
                &[(
                    ImapCommand::Greeting,
                    "CAPABILITY".into(),
                    "CAPABILITY".into(),
                )],
                &mut untagged,
            )
            .await?;
        }
        Ok(self.capabilities.clone().unwrap_or_default())
    }

    /// Whether the server, as far as we know, would take a password on this connection.
    pub fn login_disabled(&self) -> bool {
        self.has_capability("LOGINDISABLED")
    }

    /// Logs in with LOGIN, or AUTHENTICATE PLAIN when LOGIN is disabled or the credentials
    /// cannot travel as quoted strings. Asks for capabilities in the same round trip when they
    /// are unknown.
    pub async fn login(
        &mut self,
        username: &str,
        password: &Secret,
        over_tls: bool,
    ) -> Result<(), Failed> {
        let quotable = |s: &str| s.bytes().all(|b| (0x20..0x7f).contains(&b));
        let mut commands = Vec::new();
        if self.capabilities.is_none() && !over_tls {
            // Without TLS, LOGINDISABLED must be known before a password is sent.
            let mut untagged = Vec::new();
            self.run(
                &[(ImapCommand::Login, "CAPABILITY".into(), "CAPABILITY".into())],
                &mut untagged,
            )
            .await?;
        }
        if self.capabilities.is_none() {
            commands.push((
                ImapCommand::Login,
                "CAPABILITY".to_owned(),
                "CAPABILITY".to_owned(),
            ));
        }
        let use_plain =
            self.login_disabled() || !quotable(username) || !quotable(password.expose());
        if use_plain && self.login_disabled() && !self.has_capability("AUTH=PLAIN") {
            // The server's own advertisement is the evidence.
            let caps = self.capabilities.clone().unwrap_or_default().join(" ");
            return Err(
                Failed::imap(ImapCommand::Login, format!("* CAPABILITY {caps}")).detail(
                    "the server advertises LOGINDISABLED and no AUTH=PLAIN on this connection",
                ),
            );
        }
        if use_plain {
            let blob = base64::engine::general_purpose::STANDARD
                .encode(format!("\0{username}\0{}", password.expose()));
            if self.has_capability("SASL-IR") {
                commands.push((
                    ImapCommand::Login,
                    format!("AUTHENTICATE PLAIN {blob}"),
                    format!("AUTHENTICATE PLAIN {REDACTED}"),
                ));
            } else {
                return self.authenticate_plain_continuation(&blob).await;
            }
        } else {
            commands.push((
                ImapCommand::Login,
                format!("LOGIN {} {}", quote(username), quote(password.expose())),
                format!("LOGIN {} {REDACTED}", quote(username)),
            ));
        }
        let mut untagged = Vec::new();
        let done = self.run(&commands, &mut untagged).await?;
        let login = done.last().cloned();
        match login {
            Some(c) if c.status == Status::Ok => Ok(()),
            Some(c) => Err(Failed::imap(ImapCommand::Login, c.line)),
            None => Err(Failed::new(Observation::Closed)),
        }
    }

    async fn authenticate_plain_continuation(&mut self, blob: &str) -> Result<(), Failed> {
        let tag = self.tag();
        self.conn
            .send_lines(&format!("{tag} AUTHENTICATE PLAIN\r\n"))
            .await
            .map_err(|e| self.io(e))?;
        let mut bye = None;
        loop {
            let line = match self.read_response().await {
                Ok(line) => line,
                Err(e) => {
                    return Err(match bye {
                        Some(text) => Failed::imap(ImapCommand::Login, text),
                        None => self.io(e),
                    })
                }
            };
            if line
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("* BYE"))
            {
                bye = Some(line);
            } else if line.starts_with('+') {
                self.conn
                    .send(format!("{blob}\r\n").as_bytes(), REDACTED)
                    .await
                    .map_err(|e| self.io(e))?;
            } else if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
                if let Some(caps) = capability_code(&line) {
                    self.capabilities = Some(caps);
                }
                return if rest.to_ascii_uppercase().starts_with("OK") {
                    Ok(())
                } else {
                    Err(Failed::imap(ImapCommand::Login, line))
                };
            }
        }
    }

    /// Lists the mailboxes and opens INBOX read-only, in one round trip.
    pub async fn validate(&mut self) -> Result<Mailboxes, Failed> {
        let mut commands = vec![
            (
                ImapCommand::List,
                "LIST \"\" \"*\"".to_owned(),
                "LIST \"\" \"*\"".to_owned(),
            ),
            (
                ImapCommand::Select,
                "EXAMINE INBOX".to_owned(),
                "EXAMINE INBOX".to_owned(),
            ),
        ];
        if self.capabilities.is_none() {
            commands.push((ImapCommand::List, "CAPABILITY".into(), "CAPABILITY".into()));
        }
        let mut untagged = Vec::new();
        let done = self.run(&commands, &mut untagged).await?;
        for (c, (command, _, _)) in done.iter().zip(&commands) {
            if c.status != Status::Ok {
                return Err(Failed::imap(*command, c.line.clone()));
            }
        }
        let mut found = Mailboxes::default();
        for line in &untagged {
            if let Some(entry) = parse_list(line) {
                found.list.push(entry);
            } else if let Some(n) = line
                .strip_prefix("* ")
                .and_then(|r| r.strip_suffix(" EXISTS"))
                .and_then(|n| n.parse().ok())
            {
                found.inbox_messages = Some(n);
            }
        }
        Ok(found)
    }

    /// Whether a message with this Message-ID is in the examined INBOX now.
    pub async fn has_message(&mut self, message_id: &str) -> Result<bool, Failed> {
        let command = format!("UID SEARCH HEADER Message-ID {}", quote(message_id));
        let mut untagged = Vec::new();
        let done = self
            .run(
                &[(ImapCommand::Search, command.clone(), command)],
                &mut untagged,
            )
            .await?;
        if let Some(c) = done.first().filter(|c| c.status != Status::Ok) {
            return Err(Failed::imap(ImapCommand::Search, c.line.clone()));
        }
        Ok(untagged.iter().any(|l| {
            l.strip_prefix("* SEARCH")
                .is_some_and(|ids| ids.split_whitespace().next().is_some())
        }))
    }

    /// Says goodbye without waiting for the answer.
    pub async fn logout(mut self) {
        let tag = self.tag();
        self.conn
            .close_with(
                &format!("{tag} LOGOUT\r\n"),
                std::time::Duration::from_millis(500),
            )
            .await;
    }
}

/// `… [CAPABILITY IMAP4rev1 IDLE …] …` → the capabilities.
fn capability_code(line: &str) -> Option<Vec<String>> {
    let upper = line.to_ascii_uppercase();
    let start = upper.find("[CAPABILITY ")? + "[CAPABILITY ".len();
    let end = start + upper[start..].find(']')?;
    Some(
        line[start..end]
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    )
}

/// `{123}` or `{123+}` at the end of a line.
fn literal_length(line: &str) -> Option<usize> {
    let inner = line.strip_suffix('}')?;
    let open = inner.rfind('{')?;
    inner[open + 1..].trim_end_matches('+').parse().ok()
}

/// An IMAP quoted string.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `* LIST (\HasNoChildren \Sent) "/" "Sent"` → ("Sent", ["\HasNoChildren", "\Sent"]).
pub fn parse_list(line: &str) -> Option<(String, Vec<String>)> {
    let rest = line
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("* LIST "))?;
    let rest = &line[rest.len()..];
    let (flags, rest) = rest.strip_prefix('(')?.split_once(')')?;
    let rest = rest.trim_start();
    let rest = if let Some(r) = rest.strip_prefix("NIL") {
        r
    } else {
        let (_, r) = parse_quoted(rest)?;
        r
    };
    let rest = rest.trim_start();
    let name = if rest.starts_with('"') {
        parse_quoted(rest)?.0
    } else {
        rest.split_whitespace().next()?.to_owned()
    };
    Some((name, flags.split_whitespace().map(str::to_owned).collect()))
}

fn parse_quoted(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' => return Some((out, &body[i + 1..])),
            c => out.push(c),
        }
    }
    None
}

/// Finds the Sent folder: by its SPECIAL-USE attribute, else by the names clients use.
pub fn sent_folder(list: &[(String, Vec<String>)]) -> Option<(String, &'static str)> {
    if let Some((name, _)) = list
        .iter()
        .find(|(_, flags)| flags.iter().any(|f| f.eq_ignore_ascii_case("\\Sent")))
    {
        return Some((name.clone(), "special_use"));
    }
    const NAMES: [&str; 14] = [
        "sent",
        "sent items",
        "sent messages",
        "sent mail",
        "gesendet",
        "gesendete elemente",
        "gesendete objekte",
        "sendt",
        "sendte elementer",
        "sendte meldinger",
        "wys&aui-ane",
        "elementy wys&aui-ane",
        "wysłane",
        "elementy wysłane",
    ];
    list.iter()
        .find(|(name, _)| {
            let last = name
                .rsplit(['/', '.'])
                .next()
                .unwrap_or(name)
                .to_lowercase();
            NAMES.contains(&last.as_str())
        })
        .map(|(name, _)| (name.clone(), "name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_lines() {
        assert_eq!(
            parse_list(r#"* LIST (\HasNoChildren \Sent) "/" "Sent Items""#),
            Some((
                "Sent Items".into(),
                vec!["\\HasNoChildren".into(), "\\Sent".into()]
            ))
        );
        assert_eq!(
            parse_list("* LIST () NIL INBOX"),
            Some(("INBOX".into(), vec![]))
        );
        assert_eq!(
            parse_list(r#"* LIST () "." "a \"b\"""#),
            Some(("a \"b\"".into(), vec![]))
        );
        assert_eq!(parse_list("* LSUB () \".\" x"), None);
    }

    #[test]
    fn capabilities_in_a_response_code() {
        assert_eq!(
            capability_code("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready"),
            Some(vec!["IMAP4rev1".into(), "STARTTLS".into()])
        );
        assert_eq!(capability_code("* OK ready"), None);
    }

    #[test]
    fn literals() {
        assert_eq!(literal_length("* LIST () \"/\" {5}"), Some(5));
        assert_eq!(literal_length("* LIST () \"/\" {5+}"), Some(5));
        assert_eq!(literal_length("* OK {x}"), None);
    }

    #[test]
    fn sent_by_name_when_not_marked() {
        let list = vec![("INBOX".into(), vec![]), ("INBOX.Gesendet".into(), vec![])];
        assert_eq!(sent_folder(&list), Some(("INBOX.Gesendet".into(), "name")));
    }
}
