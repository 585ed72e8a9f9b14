//! Property tests of what reads an SMTP server's bytes: the reply reader and the EHLO
//! keywords ([`super::reply`]), and the AUTH exchange fed whatever replies a server sends
//! ([`super::auth`]).
//!
//! Cases start from the real replies in `seeds.txt`, damaged (see [`crate::net::mutation`]),
//! and from arbitrary text; the seeds also run as a plain table.

use base64::Engine as _;
use inbox_doctor_errors::{Credential, Observation, Secret};
use proptest::prelude::*;

use super::auth::{Auth, Next};
use super::reply::{auth_mechanisms, extension, extensions, Reply, ReplyReader, MAX_REPLY_LINES};
use crate::net::mutation::{config, seed_lines, server_text};
use crate::net::transcript::REDACTED;

const SEEDS: &str = include_str!("seeds.txt");

/// The seed replies: blocks of lines apart by blank lines, comments left out.
fn seed_replies() -> Vec<Vec<&'static str>> {
    SEEDS
        .split("\n\n")
        .map(|block| {
            block
                .lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|lines| !lines.is_empty())
        .collect()
}

/// A line's reply code: three ASCII digits first.
fn code_of(line: &str) -> Option<u16> {
    line.get(..3)
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|c| c.parse().ok())
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// What reading a reply's EHLO keywords promises for any reply.
fn keywords(reply: &Reply) -> Result<(), TestCaseError> {
    let found = extensions(reply);
    prop_assert_eq!(found.len(), reply.lines.len().saturating_sub(1));
    for (e, line) in found.iter().zip(&reply.lines[1..]) {
        prop_assert!(e.len() <= line.len() && e.trim() == e);
    }
    for m in auth_mechanisms(&found) {
        prop_assert!(!m.is_empty() && !m.contains(char::is_whitespace));
        prop_assert_eq!(m.to_ascii_uppercase(), m);
    }
    Ok(())
}

/// Lines for the reader: real ones damaged, continuation lines, anything.
fn reply_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => server_text(&seed_lines(SEEDS)),
        2 => "[0-9]{3}-[ -~]{0,24}",
        1 => "[0-9]{3}( [ -~]{0,24})?",
    ]
}

/// A reply as the AUTH exchange gets it: a challenge, a verdict or anything.
fn auth_reply() -> impl Strategy<Value = Reply> {
    // Mostly challenges: a server that keeps asking is the case the bound is for.
    let code = prop_oneof![
        6 => Just(334u16),
        1 => Just(235),
        1 => Just(535),
        1 => Just(501),
        1 => 0..1000u16,
    ];
    (code, server_text(&seed_lines(SEEDS))).prop_map(|(code, text)| Reply {
        code,
        lines: vec![format!("{code} {text}")],
    })
}

proptest! {
    #![proptest_config(config(1024))]

    /// Lines group into replies at the first line without a dash, each with that line's code,
    /// none longer than the bound; a line without a code is another protocol.
    #[test]
    fn the_reader_groups_lines_into_bounded_replies(lines in prop::collection::vec(reply_line(), 0..40)) {
        let mut reader = ReplyReader::default();
        let mut pending: Vec<String> = Vec::new();
        for line in lines {
            let code = code_of(&line);
            let more = line.as_bytes().get(3) == Some(&b'-');
            match reader.feed(line.clone()) {
                Ok(None) => {
                    prop_assert!(code.is_some() && more);
                    pending.push(line);
                    prop_assert!(pending.len() < MAX_REPLY_LINES);
                }
                Ok(Some(reply)) => {
                    prop_assert!(!more);
                    pending.push(line);
                    prop_assert_eq!(Some(reply.code), code);
                    prop_assert!(reply.code < 1000 && reply.lines.len() <= MAX_REPLY_LINES);
                    prop_assert_eq!(&reply.lines, &pending);
                    keywords(&reply)?;
                    pending.clear();
                }
                Err(failed) => {
                    if code.is_none() {
                        prop_assert_eq!(failed.observation, Observation::ForeignGreeting { text: line });
                    } else {
                        prop_assert_eq!(failed.observation, Observation::ReplyTooLarge);
                    }
                    break;
                }
            }
        }
    }

    #[test]
    fn any_reply_keeps_the_keyword_promises(lines in prop::collection::vec(server_text(&seed_lines(SEEDS)), 1..12)) {
        keywords(&Reply { code: 250, lines })?;
    }

    /// `AUTH` and `AUTH=` alike, in any case, with any spacing: the mechanisms, upper case.
    #[test]
    fn offered_mechanisms_read_back(
        mechanisms in prop::collection::vec("[A-Za-z0-9_-]{1,20}", 1..6),
        keyword in prop::sample::select(vec!["AUTH ", "AUTH=", "auth ", "Auth=", "AUTH  "]),
        gap in 1..4usize,
        end in "[ \t]{0,3}",
    ) {
        let line = format!("250-{keyword}{}{end}", mechanisms.join(&" ".repeat(gap)));
        let reply = Reply {
            code: 250,
            lines: vec!["250-mail.example.com".into(), line, "250 HELP".into()],
        };
        let upper: Vec<String> = mechanisms.iter().map(|m| m.to_ascii_uppercase()).collect();
        prop_assert_eq!(auth_mechanisms(&extensions(&reply)), upper);
    }

    #[test]
    fn a_keyword_is_found_in_any_case(
        block in prop::sample::select(seed_replies().into_iter().filter(|b| b.len() > 1).collect::<Vec<_>>()),
        pick in any::<prop::sample::Index>(),
        lower in any::<bool>(),
    ) {
        let reply = Reply { code: 250, lines: block.iter().map(|l| (*l).to_owned()).collect() };
        let found = extensions(&reply);
        let word = pick.get(&found).split_whitespace().next().unwrap_or("").to_owned();
        let asked = if lower { word.to_ascii_lowercase() } else { word.to_ascii_uppercase() };
        prop_assert_eq!(extension(&found, &asked), extension(&found, &word));
        if !word.is_empty() {
            prop_assert!(extension(&found, &asked).is_some());
        }
    }

    /// Whatever the server answers, the password goes out at most once, never into the
    /// transcript, and the exchange ends within four replies.
    #[test]
    fn the_password_is_written_at_most_once(
        offered in prop::collection::vec(prop::sample::select(vec!["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"]), 0..4),
        username in "[a-z0-9._@-]{1,20}",
        password in any::<String>(),
        replies in prop::collection::vec(auth_reply(), 0..8),
    ) {
        prop_assume!(username != password);
        let offered: Vec<String> = offered.iter().map(|m| (*m).to_owned()).collect();
        let started = Auth::start(&offered, &username, Credential::Password(&Secret::new(password.clone())));
        let usable = offered.iter().any(|m| m == "PLAIN" || m == "LOGIN");
        let (mut exchange, first) = match started {
            Ok(s) => s,
            Err(failed) => {
                prop_assert!(!usable);
                // Only a token's mechanism offered: password login is switched off there.
                let expected = if offered.iter().any(|m| m == "XOAUTH2") {
                    Observation::OnlyOauthOffered
                } else {
                    Observation::NoAuthMechanism
                };
                prop_assert_eq!(failed.observation, expected);
                return Ok(());
            }
        };
        prop_assert!(usable);
        let plain = b64(&format!("\0{username}\0{password}"));
        let carries = [
            format!("{}\r\n", b64(&password)),
            format!("AUTH PLAIN {plain}\r\n"),
        ];
        let mut written = vec![first];
        let mut answered = 0;
        for reply in replies {
            answered += 1;
            let code = reply.code;
            match exchange.on_reply(reply) {
                Next::Send(out) => written.push(out),
                Next::Done(outcome) => {
                    prop_assert_eq!(outcome.is_ok(), code == 235);
                    break;
                }
            }
            prop_assert!(answered < 4, "still going after {answered} replies");
        }
        prop_assert!(written.iter().filter(|o| carries.contains(&o.wire)).count() <= 1);
        for out in &written {
            let hidden = out.shown != b64(&password) && !out.shown.contains(&plain);
            prop_assert!(hidden, "the transcript would show the password: {}", out.shown);
            if carries.contains(&out.wire) {
                prop_assert!(out.shown.ends_with(REDACTED));
            }
        }
    }
}

/// Past the bound, a reply that keeps going is cut; up to it, it is read whole.
#[test]
fn an_endless_reply_is_cut_at_its_bound() {
    for k in 0..=2 * MAX_REPLY_LINES {
        let mut reader = ReplyReader::default();
        let mut result = Ok(None);
        for i in 0..k {
            result = reader.feed(format!("250-{i}"));
            if result.is_err() {
                break;
            }
        }
        if result.is_ok() {
            result = reader.feed("250 end".into());
        }
        match result {
            Ok(Some(reply)) => assert!(k < MAX_REPLY_LINES && reply.lines.len() == k + 1, "{k}"),
            Err(failed) => {
                assert!(k >= MAX_REPLY_LINES, "{k}");
                assert_eq!(failed.observation, Observation::ReplyTooLarge);
            }
            Ok(None) => panic!("{k}: the last line ends the reply"),
        }
    }
}

/// The seeds, read as what they are: each block one reply, ended by its last line.
#[test]
fn every_seed_reads_as_one_reply() {
    let replies = seed_replies();
    assert!(replies.len() > 20);
    for block in &replies {
        let mut reader = ReplyReader::default();
        let (last, before) = block.split_last().expect("a line");
        for line in before {
            assert!(
                reader.feed((*line).to_owned()).unwrap().is_none(),
                "{line:?}"
            );
        }
        let reply = reader.feed((*last).to_owned()).unwrap().expect("a reply");
        assert_eq!(reply.lines, *block);
        assert_eq!(Some(reply.code), code_of(last));
        keywords(&reply).unwrap_or_else(|e| panic!("{block:?}: {e}"));
    }
    let postfix = replies
        .iter()
        .find(|b| b.contains(&"250-AUTH PLAIN LOGIN"))
        .expect("Postfix's EHLO");
    let reply = Reply {
        code: 250,
        lines: postfix.iter().map(|l| (*l).to_owned()).collect(),
    };
    assert_eq!(
        auth_mechanisms(&extensions(&reply)),
        ["PLAIN", "LOGIN", "PLAIN", "LOGIN"]
    );
}
