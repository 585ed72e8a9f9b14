//! Reading IMAP responses: pure functions over one response line (literals already inlined by
//! the reader). No IO, no state.

use inbox_doctor_errors::{ImapCommand, Observation};

use crate::net::Failed;

/// How a tagged command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    No,
    Bad,
}

/// A finished command: its status and the whole tagged line (the evidence).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub status: Status,
    pub line: String,
}

/// What the server said on connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Greeting {
    pub line: String,
    pub capabilities: Option<Vec<String>>,
}

/// One response line, by its kind.
#[derive(Debug, PartialEq, Eq)]
pub enum Response<'a> {
    /// `* BYE …`: the server is closing the session.
    Bye,
    /// `* CAPABILITY …`: the capabilities.
    Capabilities(Vec<String>),
    /// Any other `* …` line: data for the command in progress.
    Untagged,
    /// `+ …`: the server waits for more of a command.
    Continuation,
    /// `TAG OK|NO|BAD …`.
    Tagged { tag: &'a str, status: Status },
    /// Neither: ignored (servers send stray text; a missing completion ends by deadline).
    Other,
}

/// Classifies one response line.
pub fn response(line: &str) -> Response<'_> {
    if let Some(rest) = line.strip_prefix("* ") {
        if word_is(rest, "BYE") {
            return Response::Bye;
        }
        if let Some(caps) = rest
            .get(.."CAPABILITY ".len())
            .filter(|p| p.eq_ignore_ascii_case("CAPABILITY "))
            .map(|p| &rest[p.len()..])
        {
            return Response::Capabilities(caps.split_whitespace().map(str::to_owned).collect());
        }
        return Response::Untagged;
    }
    if line.starts_with('+') {
        return Response::Continuation;
    }
    let Some((tag, rest)) = line.split_once(' ') else {
        return Response::Other;
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
    Response::Tagged { tag, status }
}

/// Whether `text` starts with the word `word` (case-insensitive), not a longer one.
fn word_is(text: &str, word: &str) -> bool {
    text.get(..word.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(word))
        && !text
            .as_bytes()
            .get(word.len())
            .is_some_and(u8::is_ascii_alphanumeric)
}

/// The greeting: `* OK` or `* PREAUTH` (with capabilities when it lists them); `* BYE` is a
/// refusal in the server's words; anything else means the port speaks another protocol.
pub fn greeting(line: String) -> Result<Greeting, Failed> {
    let rest = line.strip_prefix("* ").unwrap_or("");
    if word_is(rest, "OK") || word_is(rest, "PREAUTH") {
        let capabilities = capability_code(&line);
        Ok(Greeting { line, capabilities })
    } else if word_is(rest, "BYE") {
        Err(Failed::imap(ImapCommand::Greeting, line))
    } else {
        Err(Failed::new(Observation::ForeignGreeting { text: line }))
    }
}

/// `… [CAPABILITY IMAP4rev1 IDLE …] …` → the capabilities.
pub fn capability_code(line: &str) -> Option<Vec<String>> {
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

/// `{123}` or `{123+}` at the end of a line: a literal of that many bytes follows.
pub fn literal_length(line: &str) -> Option<usize> {
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

/// A quoted string at the start of `s` (escapes undone) and what follows it.
pub(super) fn parse_quoted(s: &str) -> Option<(String, &str)> {
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

/// `* 12 EXISTS` → 12.
pub fn exists(line: &str) -> Option<u32> {
    line.strip_prefix("* ")?
        .strip_suffix(" EXISTS")?
        .parse()
        .ok()
}

/// Whether `* SEARCH …` names at least one message.
pub fn search_found(line: &str) -> bool {
    line.strip_prefix("* SEARCH")
        .is_some_and(|ids| ids.split_whitespace().next().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_kinds() {
        assert_eq!(response("* BYE shutting down"), Response::Bye);
        assert_eq!(response("* bye"), Response::Bye);
        assert_eq!(response("* BYEBYE"), Response::Untagged);
        assert_eq!(
            response("* CAPABILITY IMAP4rev1 IDLE"),
            Response::Capabilities(vec!["IMAP4rev1".into(), "IDLE".into()])
        );
        assert_eq!(
            response("* capability IDLE"),
            Response::Capabilities(vec!["IDLE".into()])
        );
        assert_eq!(response("* 3 EXISTS"), Response::Untagged);
        assert_eq!(response("+ go ahead"), Response::Continuation);
        assert_eq!(response("+"), Response::Continuation);
        assert_eq!(
            response("a1 ok done"),
            Response::Tagged {
                tag: "a1",
                status: Status::Ok
            }
        );
        assert_eq!(
            response("a2 NO [AUTHENTICATIONFAILED] no"),
            Response::Tagged {
                tag: "a2",
                status: Status::No
            }
        );
        assert_eq!(
            response("a3 WHAT"),
            Response::Tagged {
                tag: "a3",
                status: Status::Bad
            }
        );
        assert_eq!(response("garbage"), Response::Other);
    }

    #[test]
    fn greetings() {
        let ok = greeting("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready".into()).unwrap();
        assert_eq!(
            ok.capabilities,
            Some(vec!["IMAP4rev1".into(), "STARTTLS".into()])
        );
        assert!(greeting("* PREAUTH hi".into())
            .unwrap()
            .capabilities
            .is_none());
        let bye = greeting("* BYE too busy".into()).unwrap_err();
        assert_eq!(
            bye.observation,
            Observation::ImapReply {
                command: ImapCommand::Greeting,
                text: "* BYE too busy".into()
            }
        );
        let smtp = greeting("220 mail ESMTP".into()).unwrap_err();
        assert_eq!(
            smtp.observation,
            Observation::ForeignGreeting {
                text: "220 mail ESMTP".into()
            }
        );
        assert!(greeting("* OKAY".into()).is_err());
    }

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
        assert_eq!(parse_list("* LIST (\\Noselect \"/\" x"), None);
        assert_eq!(parse_list("* LIST () \"/\" \"unterminated"), None);
    }

    #[test]
    fn capabilities_in_a_response_code() {
        assert_eq!(
            capability_code("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready"),
            Some(vec!["IMAP4rev1".into(), "STARTTLS".into()])
        );
        assert_eq!(capability_code("* OK ready"), None);
        assert_eq!(capability_code("* OK [CAPABILITY IMAP4rev1"), None);
    }

    #[test]
    fn literals() {
        assert_eq!(literal_length("* LIST () \"/\" {5}"), Some(5));
        assert_eq!(literal_length("* LIST () \"/\" {5+}"), Some(5));
        assert_eq!(literal_length("* OK {x}"), None);
        assert_eq!(literal_length("* OK {99999999999999999999999}"), None);
    }

    #[test]
    fn counts_and_searches() {
        assert_eq!(exists("* 42 EXISTS"), Some(42));
        assert_eq!(exists("* 42 RECENT"), None);
        assert!(search_found("* SEARCH 7"));
        assert!(!search_found("* SEARCH"));
        assert!(!search_found("* SEARCH "));
    }
}
