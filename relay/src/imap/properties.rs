//! Property tests of everything that reads an IMAP server's bytes: one line's meaning
//! ([`super::response`]), the client core fed whatever lines a server sends
//! ([`super::client`]), and a session inlining literals from a stream ([`super::ImapSession`]).
//!
//! Cases start from the real lines in `seeds.txt`, damaged (see [`crate::net::mutation`]), and
//! from arbitrary text; the seeds also run as a plain table of what each kind of line means.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use inbox_doctor_errors::{Credential, ImapCommand, Observation, Secret, Side};
use proptest::prelude::*;

use super::client::{Client, Command, LoginPlan, Next, MAX_UNTAGGED_BYTES};
use super::response::{
    capability_code, exists, greeting, literal_length, parse_list, parse_quoted, quote, response,
    search_found, Response, Status,
};
use super::ImapSession;
use crate::net::conn::MAX_LINE;
use crate::net::mutation::{config, mutated, seed_lines, server_text};
use crate::net::script::peer;

const SEEDS: &str = include_str!("seeds.txt");

/// The lines of one `[section]` of the seeds.
fn section(name: &str) -> Vec<&'static str> {
    let mut current = "";
    SEEDS
        .lines()
        .filter(|l| {
            if let Some(s) = l.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                current = s;
                return false;
            }
            current == name && !l.is_empty() && !l.starts_with('#')
        })
        .collect()
}

fn seeds() -> Vec<String> {
    seed_lines(SEEDS).into_iter().map(str::to_owned).collect()
}

/// What every reader promises about any line, whatever it is.
fn any_line(line: &str) -> Result<(), TestCaseError> {
    let untagged = line.starts_with("* ");
    match response(line) {
        Response::Bye => {
            prop_assert!(
                untagged
                    && line[2..]
                        .get(..3)
                        .is_some_and(|w| w.eq_ignore_ascii_case("BYE"))
            );
        }
        Response::Capabilities(caps) => {
            prop_assert!(untagged);
            prop_assert!(caps.iter().map(String::len).sum::<usize>() <= line.len());
            for cap in &caps {
                prop_assert!(!cap.is_empty() && !cap.contains(char::is_whitespace));
                prop_assert!(line.contains(cap.as_str()));
            }
        }
        Response::Untagged => prop_assert!(untagged),
        Response::Continuation => prop_assert!(line.starts_with('+')),
        Response::Tagged { tag, status } => {
            prop_assert!(!untagged && !line.starts_with('+'));
            let rest = line.strip_prefix(tag).and_then(|r| r.strip_prefix(' '));
            prop_assert!(rest.is_some() && !tag.contains(' '), "{line:?} → {tag:?}");
            let word = rest.unwrap_or("").split(' ').next().unwrap_or("");
            let expected = match word.to_ascii_uppercase().as_str() {
                "OK" => Status::Ok,
                "NO" => Status::No,
                _ => Status::Bad,
            };
            prop_assert_eq!(status, expected);
        }
        Response::Other => prop_assert!(!line.contains(' ') && !line.starts_with('+')),
    }
    if let Some(caps) = capability_code(line) {
        prop_assert!(line.to_ascii_uppercase().contains("[CAPABILITY "));
        for cap in &caps {
            prop_assert!(
                !cap.is_empty() && !cap.contains(char::is_whitespace) && !cap.contains(']')
            );
        }
    }
    if literal_length(line).is_some() {
        let marked = line.ends_with('}') && line.contains('{');
        prop_assert!(marked, "a literal without its braces: {line:?}");
    }
    if exists(line).is_some() {
        prop_assert!(untagged && line.ends_with(" EXISTS"));
    }
    if search_found(line) {
        prop_assert!(line.starts_with("* SEARCH"));
    }
    if let Some((name, flags)) = parse_list(line) {
        prop_assert!(line
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("* LIST ")));
        prop_assert!(name.len() <= line.len());
        prop_assert!(flags
            .iter()
            .all(|f| !f.is_empty() && !f.contains(char::is_whitespace)));
    }
    match greeting(line.to_owned()) {
        Ok(g) => {
            prop_assert_eq!(&g.line, line);
            prop_assert_eq!(g.capabilities, capability_code(line));
            prop_assert_eq!(response(line), Response::Untagged);
        }
        // A refusal and a foreign greeting alike carry the server's words.
        Err(f) => prop_assert_eq!(f.server_reply(), Some(line)),
    }
    Ok(())
}

/// A line's kind, with a tagged line's status; capabilities compared without case.
fn kind(r: &Response<'_>) -> (u8, Option<Status>, Vec<String>) {
    match r {
        Response::Bye => (0, None, vec![]),
        Response::Capabilities(c) => (1, None, c.iter().map(|c| c.to_ascii_uppercase()).collect()),
        Response::Untagged => (2, None, vec![]),
        Response::Continuation => (3, None, vec![]),
        Response::Tagged { status, .. } => (4, Some(*status), vec![]),
        Response::Other => (5, None, vec![]),
    }
}

/// `line` with the ASCII case of characters flipped where `flips` says, a tag left as it is
/// (tags are compared exactly: they are ours).
fn recase(line: &str, flips: &[bool]) -> String {
    let keep = match response(line) {
        Response::Tagged { tag, .. } => tag.len(),
        _ => 0,
    };
    line.char_indices()
        .zip(flips.iter().cycle())
        .map(|((i, c), flip)| match (i >= keep, flip) {
            (true, true) if c.is_ascii_uppercase() => c.to_ascii_lowercase(),
            (true, true) => c.to_ascii_uppercase(),
            _ => c,
        })
        .collect()
}

const KINDS: [ImapCommand; 6] = [
    ImapCommand::Greeting,
    ImapCommand::Starttls,
    ImapCommand::Login,
    ImapCommand::List,
    ImapCommand::Select,
    ImapCommand::Search,
];

/// Lines for the client: real lines damaged, completions of our tags, continuation requests.
fn client_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => server_text(&seed_lines(SEEDS)),
        2 => ("a[1-4]", prop::sample::select(vec!["OK", "NO", "BAD", "ok", "PREAUTH"]), "[ -~]{0,30}")
            .prop_map(|(tag, status, text)| format!("{tag} {status} {text}")),
        1 => prop::sample::select(section("continuation")).prop_map(str::to_owned),
    ]
}

/// A current-thread runtime for one case of the session property.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A server's answer to LIST and EXAMINE: real lines damaged, literals (their count right or
/// wrong), and the two completions.
fn session_answer() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => mutated(seeds()).prop_map(|l| format!("{l}\r\n")),
        2 => (any::<String>(), -2..3isize, any::<bool>()).prop_map(|(body, off, plus)| {
            let n = body.len().saturating_add_signed(off);
            format!("* LIST () \"/\" {{{n}{}}}\r\n{body}\r\n", if plus { "+" } else { "" })
        }),
        1 => prop::sample::select(vec!["a1 OK listed\r\n", "a2 OK [READ-ONLY] examined\r\n", "a2 NO [NONEXISTENT] no\r\n"])
            .prop_map(str::to_owned),
    ];
    // Half the answers end with both completions, so some sessions get through.
    (prop::collection::vec(piece, 0..8), any::<bool>()).prop_map(|(pieces, complete)| {
        let end = if complete {
            "a1 OK listed\r\na2 OK examined\r\n"
        } else {
            ""
        };
        pieces.concat() + end
    })
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn any_line_keeps_the_readers_promises(line in server_text(&seed_lines(SEEDS))) {
        any_line(&line)?;
    }

    /// Keywords (`OK`, `BYE`, `CAPABILITY` …) are case-insensitive.
    #[test]
    fn the_case_of_keywords_does_not_change_a_lines_meaning(
        line in mutated(seeds()),
        flips in prop::collection::vec(any::<bool>(), 1..32),
    ) {
        let other = recase(&line, &flips);
        prop_assert_eq!(kind(&response(&line)), kind(&response(&other)));
        let upper = |c: Option<Vec<String>>| c.map(|c| c.iter().map(|c| c.to_ascii_uppercase()).collect::<Vec<_>>());
        prop_assert_eq!(upper(capability_code(&line)), upper(capability_code(&other)));
        prop_assert_eq!(greeting(line.clone()).is_ok(), greeting(other).is_ok());
    }

    #[test]
    fn a_capability_code_reads_back_what_it_lists(
        before in "[ -Z\\\\^-~]{0,20}",
        caps in prop::collection::vec("[!-\\\\^-~]{1,16}", 0..12),
        after in "[ -~]{0,20}",
        upper in any::<bool>(),
    ) {
        let code = if upper { "[CAPABILITY " } else { "[capability " };
        let line = format!("* OK {before}{code}{}]{after}", caps.join(" "));
        prop_assert_eq!(capability_code(&line), Some(caps));
    }

    #[test]
    fn a_literals_length_reads_back(line in any::<String>(), n in any::<usize>(), plus in any::<bool>()) {
        let plus = if plus { "+" } else { "" };
        prop_assert_eq!(literal_length(&format!("{line}{{{n}{plus}}}")), Some(n));
        // A count past usize is no count.
        prop_assert_eq!(literal_length(&format!("{line}{{{n}0{plus}}}")), format!("{n}0").parse::<usize>().ok());
    }

    #[test]
    fn a_quoted_string_reads_back(s in any::<String>(), rest in any::<String>()) {
        let quoted = quote(&s);
        prop_assert!(quoted.len() <= 2 * s.len() + 2);
        let text = format!("{quoted}{rest}");
        prop_assert_eq!(parse_quoted(&text), Some((s, rest.as_str())));
    }

    #[test]
    fn a_list_line_reads_back(
        flags in prop::collection::vec("\\\\?[A-Za-z][A-Za-z0-9-]{0,12}", 0..5),
        delimiter in prop::sample::select(vec!["\"/\"", "\".\"", "NIL", r#""\\""#]),
        name in any::<String>(),
        atom in "[A-Za-z0-9_.&-]{1,24}",
        quoted in any::<bool>(),
        gaps in (1..4usize, 1..4usize),
        lower in any::<bool>(),
    ) {
        let start = if lower { "* list" } else { "* LIST" };
        let (shown, expected) = if quoted { (quote(&name), name) } else { (atom.clone(), atom) };
        let line = format!(
            "{start} ({}){}{delimiter}{}{shown}",
            flags.join(" "),
            " ".repeat(gaps.0),
            " ".repeat(gaps.1)
        );
        prop_assert_eq!(parse_list(&line), Some((expected, flags)));
    }

    #[test]
    fn counts_and_searches_read_back(n in any::<u32>(), ids in prop::collection::vec(any::<u32>(), 0..5)) {
        prop_assert_eq!(exists(&format!("* {n} EXISTS")), Some(n));
        let ids: String = ids.iter().map(|i| format!(" {i}")).collect();
        prop_assert_eq!(search_found(&format!("* SEARCH{ids}")), !ids.is_empty());
    }

    /// The client reads until every tag has its first completion, never keeps more untagged
    /// data than its bound, answers a continuation request at most once per command (the
    /// cancel) and ends a command that asks again; BYE ends everything in the server's words.
    #[test]
    fn the_client_completes_by_tag_within_its_bounds(
        greeting_line in server_text(&section("greeting")),
        kinds in prop::collection::vec(prop::sample::select(KINDS.to_vec()), 1..4),
        lines in prop::collection::vec(client_line(), 0..24),
        implicit_tls_port in any::<bool>(),
    ) {
        let mut client = Client::new(implicit_tls_port);
        let _ = client.greeted(greeting_line);
        let n = kinds.len();
        let out = client.send(kinds.iter().map(|k| Command::new(*k, "NOOP")).collect());
        prop_assert_eq!(out.wire.matches("\r\n").count(), n);
        let tags: Vec<String> = (1..=n).map(|i| format!("a{i}")).collect();
        let mut first: HashMap<String, String> = HashMap::new();
        let mut cancels = 0;
        for line in lines {
            let seen = response(&line);
            let bye = seen == Response::Bye;
            if let Response::Tagged { tag, .. } = seen {
                if tags.iter().any(|t| t == tag) {
                    first.entry(tag.to_owned()).or_insert_with(|| line.clone());
                }
            }
            match client.receive(line.clone()) {
                Ok(Next::Read) => prop_assert!(first.len() < n, "all tags done after {line:?}"),
                Ok(Next::Send(out)) => {
                    cancels += 1;
                    prop_assert!(line.starts_with('+'));
                    prop_assert_eq!(out.wire, "*\r\n");
                    prop_assert!(cancels <= n);
                }
                Ok(Next::Done(finished)) => {
                    prop_assert_eq!(first.len(), n);
                    let lines: Vec<&str> = finished.completions.iter().map(|c| c.line.as_str()).collect();
                    let expected: Vec<&str> = tags.iter().map(|t| first[t].as_str()).collect();
                    prop_assert_eq!(lines, expected);
                    for c in &finished.completions {
                        prop_assert_eq!(Some(c.status), match response(&c.line) {
                            Response::Tagged { status, .. } => Some(status),
                            _ => None,
                        });
                    }
                    prop_assert!(finished.untagged.iter().all(|l| l.starts_with("* ")));
                    prop_assert!(finished.untagged.iter().map(String::len).sum::<usize>() <= MAX_UNTAGGED_BYTES);
                    break;
                }
                Err(failed) => {
                    if bye {
                        prop_assert_eq!(failed.server_reply(), Some(line.as_str()));
                    } else {
                        // Only a second request for more ends a command here.
                        prop_assert!(line.starts_with('+'), "{line:?}: {failed:?}");
                    }
                    break;
                }
            }
        }
    }

    /// AUTHENTICATE's credentials go out once, whatever the server asks: then the cancel, then
    /// the end.
    #[test]
    fn the_credentials_go_out_at_most_once(
        // Mostly requests for more: a server that keeps asking is the case the bound is for.
        lines in prop::collection::vec(prop_oneof![
            3 => prop::sample::select(section("continuation")).prop_map(str::to_owned),
            1 => client_line(),
        ], 0..12),
    ) {
        let mut client = Client::new(false);
        client.greeted("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready".into()).expect("a greeting");
        // A password LOGIN cannot quote: AUTHENTICATE PLAIN, its credentials on request.
        let LoginPlan::Send(command) = client.login_plan("jo", Credential::Password(&Secret::new("pø")), false) else {
            panic!("a plan to log in");
        };
        client.send(vec![command]);
        let blob = base64::engine::general_purpose::STANDARD.encode("\0jo\0pø");
        let mut requests = 0;
        let mut sent = Vec::new();
        for line in lines {
            let request = line.starts_with('+');
            requests += usize::from(request);
            match client.receive(line) {
                Ok(Next::Send(out)) => sent.push(out.wire),
                Ok(Next::Read) => {}
                Ok(Next::Done(_)) => break,
                Err(_) => {
                    if request {
                        prop_assert_eq!(requests, 3, "ended after the cancel");
                    }
                    break;
                }
            }
        }
        let expected: Vec<String> = [format!("{blob}\r\n"), "*\r\n".into()].into_iter().take(sent.len()).collect();
        prop_assert_eq!(sent, expected);
    }
}

proptest! {
    // Each case moves up to 10 MB: fewer of them.
    #![proptest_config(config(8))]

    #[test]
    fn untagged_data_is_cut_at_its_bound(sizes in prop::collection::vec(0..MAX_LINE, 1..160)) {
        let mut client = Client::new(false);
        client.send(vec![Command::new(ImapCommand::List, "LIST \"\" \"*\"")]);
        let body = "x".repeat(MAX_LINE);
        let mut total = 0;
        for size in sizes {
            let line = format!("* {}", &body[..size]);
            total += line.len();
            match client.receive(line) {
                Ok(Next::Read) => prop_assert!(total <= MAX_UNTAGGED_BYTES),
                Err(failed) => {
                    prop_assert!(total > MAX_UNTAGGED_BYTES);
                    prop_assert_eq!(failed.observation, Observation::ReplyTooLarge);
                    let detail = failed.detail.unwrap_or_default();
                    prop_assert!(detail.contains(&MAX_UNTAGGED_BYTES.to_string()), "{detail}");
                    break;
                }
                Ok(other) => prop_assert!(false, "{other:?}"),
            }
        }
    }
}

proptest! {
    // A runtime and a scripted peer per case.
    #![proptest_config(config(256))]

    /// Whatever comes back, literals and all, the session answers at once: a result or a
    /// failure, never a hang past the peer's close or a panic; a refusal names its bound.
    #[test]
    fn a_session_reads_any_answer_with_literals(answer in session_answer()) {
        let started = Instant::now();
        let result = runtime().block_on(async {
            let (conn, _peer) = peer(Side::Imap, "* OK [CAPABILITY IMAP4rev1] ready\r\n", &[answer.as_str()]);
            let mut session = ImapSession::new(conn, false);
            session.greeting().await.expect("the greeting");
            session.validate().await
        });
        prop_assert!(started.elapsed() < Duration::from_secs(2));
        if let Err(failed) = result {
            if failed.observation == Observation::ReplyTooLarge {
                prop_assert!(failed.detail.is_some());
            }
        }
    }
}

/// The seeds, read as what they are.
#[test]
fn every_seed_means_what_its_section_says() {
    for line in seed_lines(SEEDS) {
        any_line(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    }
    for line in section("greeting") {
        let g = greeting(line.to_owned()).unwrap_or_else(|e| panic!("{line:?}: {e:?}"));
        assert_eq!(g.capabilities, capability_code(line), "{line:?}");
    }
    for line in section("bye-greeting") {
        let f = greeting(line.to_owned()).unwrap_err();
        assert!(
            matches!(
                f.observation,
                Observation::ImapReply {
                    command: ImapCommand::Greeting,
                    ..
                }
            ),
            "{line:?}"
        );
        assert_eq!(response(line), Response::Bye);
    }
    for line in section("foreign") {
        let f = greeting(line.to_owned()).unwrap_err();
        assert!(
            matches!(f.observation, Observation::ForeignGreeting { .. }),
            "{line:?}"
        );
    }
    for line in section("capability") {
        assert!(
            matches!(response(line), Response::Capabilities(c) if !c.is_empty()),
            "{line:?}"
        );
    }
    for line in section("untagged") {
        assert_eq!(response(line), Response::Untagged, "{line:?}");
    }
    for line in section("list") {
        assert!(parse_list(line).is_some(), "{line:?}");
    }
    for line in section("literal") {
        assert!(literal_length(line).is_some(), "{line:?}");
    }
    for line in section("exists") {
        assert!(exists(line).is_some(), "{line:?}");
    }
    for (name, status) in [("ok", Status::Ok), ("no", Status::No), ("bad", Status::Bad)] {
        for line in section(name) {
            assert!(
                matches!(response(line), Response::Tagged { status: s, .. } if s == status),
                "{line:?}"
            );
        }
    }
    for line in section("continuation") {
        assert_eq!(response(line), Response::Continuation, "{line:?}");
    }
    for line in section("bye") {
        assert_eq!(response(line), Response::Bye, "{line:?}");
    }
    for name in [
        "greeting",
        "bye-greeting",
        "foreign",
        "capability",
        "untagged",
        "list",
        "literal",
        "exists",
        "ok",
        "no",
        "bad",
        "continuation",
        "bye",
    ] {
        assert!(!section(name).is_empty(), "no seeds in [{name}]");
    }
}
