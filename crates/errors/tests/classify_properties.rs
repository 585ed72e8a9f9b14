//! Property tests of classification: `classify` is total and pure over every step and every
//! observation (server text huge, damaged, in any case, outside ASCII), its categories follow
//! the taxonomy, and the phrase rules decide in the order `classify::phrases` lists them.
//!
//! Server texts start from the real replies in `classify_seeds.txt` (the real rows of
//! `classification.rs`), damaged by a few edits, and from arbitrary text; the seeds also run as
//! a plain table.

use inbox_doctor_errors::classify::phrases::{self, Lower, Phrases};
use inbox_doctor_errors::{
    classify, Category, Cause, CertVerdict, ImapCommand, Observation, SaslStatus, SmtpCommand,
    StepId, TokenFacts,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

const SEEDS: &str = include_str!("classify_seeds.txt");

const IMAP_COMMANDS: [ImapCommand; 6] = [
    ImapCommand::Greeting,
    ImapCommand::Starttls,
    ImapCommand::Login,
    ImapCommand::List,
    ImapCommand::Select,
    ImapCommand::Search,
];

const SMTP_COMMANDS: [SmtpCommand; 8] = [
    SmtpCommand::Greeting,
    SmtpCommand::Ehlo,
    SmtpCommand::Starttls,
    SmtpCommand::Auth,
    SmtpCommand::MailFrom,
    SmtpCommand::RcptTo,
    SmtpCommand::Data,
    SmtpCommand::DataEnd,
];

/// Causes that only warnings carry: a failure is never one of them.
const WARNINGS_ONLY: [Cause; 7] = [
    Cause::CertificateExpiringSoon,
    Cause::FewerSessionsThanTarget,
    Cause::AuthOfferedBeforeTls,
    Cause::WeakTlsAccepted,
    Cause::PlaintextSession,
    Cause::SentFolderNotFound,
    Cause::CapabilityMissing,
];

/// `default` cases per property, so the suite stays within seconds in a debug build;
/// `PROPTEST_CASES` replaces it for a longer run.
fn config(default: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default;
    }
    config
}

/// The seeds as observations.
fn seeds() -> Vec<Observation<String>> {
    SEEDS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (what, text) = l.split_once('\t').expect("side command, a tab, the text");
            let text = text.replace("\\n", "\n").replace("\\\\", "\\");
            match what.split_once(' ').expect("side and command") {
                ("imap", c) => Observation::ImapReply {
                    command: *IMAP_COMMANDS
                        .iter()
                        .find(|k| format!("{k:?}") == c)
                        .expect("a command"),
                    text,
                },
                ("smtp", c) => Observation::SmtpReply {
                    command: *SMTP_COMMANDS
                        .iter()
                        .find(|k| format!("{k:?}") == c)
                        .expect("a command"),
                    text,
                },
                other => panic!("{other:?}"),
            }
        })
        .collect()
}

fn seed_texts() -> Vec<String> {
    seeds()
        .into_iter()
        .filter_map(|o| match o {
            Observation::ImapReply { text, .. } | Observation::SmtpReply { text, .. } => Some(text),
            _ => None,
        })
        .collect()
}

/// One edit of a seed text, on characters (the text stays UTF-8).
#[derive(Clone, Debug)]
enum Edit {
    Cut(Index, usize),
    Insert(Index, String),
    FlipCase(Index, usize),
    Truncate(Index),
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for edit in edits {
        let len = chars.len();
        let at = |i: &Index| i.index(len + 1);
        match edit {
            Edit::Cut(i, n) => {
                let from = at(i);
                chars.drain(from..(from + n).min(len));
            }
            Edit::Insert(i, s) => {
                let from = at(i);
                chars.splice(from..from, s.chars());
            }
            Edit::FlipCase(i, n) => {
                let from = at(i);
                for c in &mut chars[from..(from + n).min(len)] {
                    *c = if c.is_ascii_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    };
                }
            }
            Edit::Truncate(i) => chars.truncate(at(i)),
        }
    }
    chars.into_iter().collect()
}

fn edit() -> impl Strategy<Value = Edit> {
    let insertion = prop_oneof![
        "[ \\[\\]().:+*0-9-]{1,6}",
        "[ -~]{1,12}",
        prop::sample::select(vec!["\n", "İ", "ß", "ẞ", "K", "ø", "😀", "\u{0}"])
            .prop_map(str::to_owned),
        any::<String>(),
    ];
    prop_oneof![
        (any::<Index>(), 1..12usize).prop_map(|(at, n)| Edit::Cut(at, n)),
        (any::<Index>(), insertion).prop_map(|(at, s)| Edit::Insert(at, s)),
        (any::<Index>(), 1..64usize).prop_map(|(at, n)| Edit::FlipCase(at, n)),
        any::<Index>().prop_map(Edit::Truncate),
    ]
}

/// Server text: real replies damaged, arbitrary text, mixed-case text outside ASCII, and
/// long replies (a real one repeated, to tens of kilobytes; see [`huge`] for more).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (prop::sample::select(seed_texts()), prop::collection::vec(edit(), 0..4))
            .prop_map(|(seed, edits)| apply(&seed, &edits)),
        2 => any::<String>(),
        1 => "[a-zA-Z0-9İıßẞÅåØøK \\[\\].:-]{0,80}",
        1 => (prop::sample::select(seed_texts()), 1..400usize).prop_map(|(seed, n)| seed.repeat(n)),
    ]
}

/// A reply of about a megabyte: a real one repeated, a phrase put in somewhere.
fn huge() -> impl Strategy<Value = String> {
    (
        prop::sample::select(seed_texts()),
        5_000..12_000usize,
        edit(),
    )
        .prop_map(|(seed, n, edit)| apply(&seed.repeat(n), &[edit]))
}

fn observation() -> impl Strategy<Value = Observation<String>> {
    use Observation::*;
    let plain = prop::sample::select(vec![
        DnsNotFound,
        DnsFailed,
        ConnectRefused,
        ConnectTimedOut,
        Unreachable,
        Closed,
        ReplyTooLarge,
        TlsGotPlaintext,
        TlsLegacyOnly,
        TlsFailed,
        StarttlsNotOffered,
        NoAuthMechanism,
        NoOauthMechanism,
        OnlyOauthOffered,
        NotDelivered,
    ]);
    prop_oneof![
        2 => plain,
        1 => (any::<bool>(), any::<bool>()).prop_map(|(awaiting_greeting, implicit_tls_port)| ReplyTimedOut {
            awaiting_greeting,
            implicit_tls_port,
        }),
        1 => prop::sample::select(CertVerdict::ALL).prop_map(Certificate),
        1 => text().prop_map(|text| ForeignGreeting { text }),
        4 => (prop::sample::select(IMAP_COMMANDS.to_vec()), text()).prop_map(|(command, text)| ImapReply { command, text }),
        4 => (prop::sample::select(SMTP_COMMANDS.to_vec()), text()).prop_map(|(command, text)| SmtpReply { command, text }),
        2 => (text(), token_facts()).prop_map(|(text, facts)| TokenRefused { text, facts }),
    ]
}

fn token_facts() -> impl Strategy<Value = TokenFacts> {
    let status = prop::option::of(prop::sample::select(vec![
        SaslStatus::InvalidToken,
        SaslStatus::InsufficientScope,
        SaslStatus::InvalidRequest,
        SaslStatus::Other,
    ]));
    let known = || prop::option::of(any::<bool>());
    (known(), known(), known(), known(), status).prop_map(
        |(expired, audience_ok, scope_ok, user_ok, status)| TokenFacts {
            expired,
            audience_ok,
            scope_ok,
            user_ok,
            status,
        },
    )
}

fn step() -> impl Strategy<Value = StepId> {
    prop::sample::select(StepId::ALL)
}

/// The same observation over borrowed text (as the tables write it).
fn borrowed(o: &Observation<String>) -> Observation<&str> {
    use Observation::*;
    match o {
        ForeignGreeting { text } => ForeignGreeting { text },
        ImapReply { command, text } => ImapReply {
            command: *command,
            text,
        },
        SmtpReply { command, text } => SmtpReply {
            command: *command,
            text,
        },
        DnsNotFound => DnsNotFound,
        DnsFailed => DnsFailed,
        ConnectRefused => ConnectRefused,
        ConnectTimedOut => ConnectTimedOut,
        Unreachable => Unreachable,
        Closed => Closed,
        ReplyTimedOut {
            awaiting_greeting,
            implicit_tls_port,
        } => ReplyTimedOut {
            awaiting_greeting: *awaiting_greeting,
            implicit_tls_port: *implicit_tls_port,
        },
        ReplyTooLarge => ReplyTooLarge,
        TlsGotPlaintext => TlsGotPlaintext,
        TlsLegacyOnly => TlsLegacyOnly,
        Certificate(v) => Certificate(*v),
        TlsFailed => TlsFailed,
        StarttlsNotOffered => StarttlsNotOffered,
        NoAuthMechanism => NoAuthMechanism,
        NoOauthMechanism => NoOauthMechanism,
        OnlyOauthOffered => OnlyOauthOffered,
        TokenRefused { text, facts } => TokenRefused {
            text,
            facts: *facts,
        },
        NotDelivered => NotDelivered,
    }
}

/// `text` with the ASCII case of characters flipped where `flips` says.
fn recase(text: &str, flips: &[bool]) -> String {
    text.chars()
        .zip(flips.iter().cycle())
        .map(|(c, flip)| match flip {
            true if c.is_ascii_uppercase() => c.to_ascii_lowercase(),
            true => c.to_ascii_uppercase(),
            false => c,
        })
        .collect()
}

/// The first rule of `rules` whose phrase the text contains.
fn first_rule(rules: &[Phrases], text: &str) -> Option<Cause> {
    let lower = Lower::of(text);
    rules.iter().find(|r| r.matches(&lower)).map(|r| r.cause)
}

/// Where IMAP's command-independent rules end: the temporary-trouble rule comes after the
/// command's own meaning (see `classify::phrases::IMAP`).
fn imap_any_command() -> &'static [Phrases] {
    let end = phrases::IMAP
        .iter()
        .position(|r| *r == phrases::IMAP_TEMPORARY)
        .expect("the temporary rule");
    &phrases::IMAP[..end]
}

/// Where SMTP's command-independent rules end: the last two apply to AUTH only.
fn smtp_any_command() -> &'static [Phrases] {
    let end = phrases::SMTP
        .iter()
        .position(|r| *r == phrases::SMTP_NO_AUTH_MECHANISM)
        .expect("the mechanism rule");
    &phrases::SMTP[..end]
}

/// An SMTP reply's code as the classifier reads it.
fn smtp_code(text: &str) -> Option<u16> {
    text.get(..3)?.parse().ok()
}

/// `needle` put into `text` at a character boundary.
fn with_needle(text: &str, at: Index, needle: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = at.index(chars.len() + 1);
    chars[..at]
        .iter()
        .chain(&needle.chars().collect::<Vec<_>>())
        .chain(&chars[at..])
        .collect()
}

/// What classification promises for any observation in any step.
fn classified(step: StepId, observation: &Observation<String>) -> Result<Cause, TestCaseError> {
    let d = classify(step, observation);
    prop_assert_eq!(
        d,
        classify(step, &observation.clone()),
        "the same input, the same answer"
    );
    prop_assert_eq!(d, classify(step, &borrowed(observation)));
    prop_assert_eq!(d.category, d.cause.category_at(step));
    prop_assert!(
        !WARNINGS_ONLY.contains(&d.cause),
        "{:?} is a warning's cause",
        d.cause
    );
    if d.cause.is_certificate() {
        prop_assert_eq!(d.category, Category::UnauthorizedUntrustedCertificate);
    }
    match observation {
        Observation::ForeignGreeting { .. } => {
            let expected = if step.is_smtp() {
                Cause::NotSmtpServer
            } else {
                Cause::NotImapServer
            };
            prop_assert_eq!(d.cause, expected);
        }
        Observation::Certificate(v) => {
            prop_assert_eq!(d.cause, v.cause().unwrap_or(Cause::CertificateInvalid));
        }
        _ => {}
    }
    Ok(d.cause)
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn classification_is_total_pure_and_keeps_the_taxonomy(step in step(), observation in observation()) {
        classified(step, &observation)?;
    }

    /// Server text is matched without regard to ASCII case.
    #[test]
    fn the_case_of_a_reply_does_not_matter(
        step in step(),
        observation in observation(),
        flips in prop::collection::vec(any::<bool>(), 1..16),
    ) {
        let recased = match &observation {
            Observation::ImapReply { command, text } => Observation::ImapReply { command: *command, text: recase(text, &flips) },
            Observation::SmtpReply { command, text } => Observation::SmtpReply { command: *command, text: recase(text, &flips) },
            Observation::ForeignGreeting { text } => Observation::ForeignGreeting { text: recase(text, &flips) },
            other => other.clone(),
        };
        prop_assert_eq!(classify(step, &observation), classify(step, &recased));
    }

    /// A refused IMAP login is decided by the first rule of `phrases::IMAP` its text matches,
    /// else it is unspecified; the command-independent rules decide the same for every
    /// command (a continuation request, `+ …`, is no refusal).
    #[test]
    fn imap_rules_decide_in_their_listed_order(step in step(), text in text(), command in prop::sample::select(IMAP_COMMANDS.to_vec())) {
        prop_assume!(!text.starts_with('+'));
        let login = classified(step, &Observation::ImapReply { command: ImapCommand::Login, text: text.clone() })?;
        prop_assert_eq!(login, first_rule(phrases::IMAP, &text).unwrap_or(Cause::AuthFailedUnspecified));
        if let Some(cause) = first_rule(imap_any_command(), &text) {
            prop_assert_eq!(classified(step, &Observation::ImapReply { command, text })?, cause);
        }
    }

    /// A refused AUTH without a reply code or an enhanced code is decided by the first rule of
    /// `phrases::SMTP` its text matches, else it is unspecified; the rules before the AUTH-only
    /// ones decide the same for every command.
    #[test]
    fn smtp_rules_decide_in_their_listed_order(step in step(), text in text(), command in prop::sample::select(SMTP_COMMANDS.to_vec())) {
        // No code in the first three characters, no enhanced code in the first word after.
        let text = format!("--- -- {text}");
        let auth = classified(step, &Observation::SmtpReply { command: SmtpCommand::Auth, text: text.clone() })?;
        prop_assert_eq!(auth, first_rule(phrases::SMTP, &text).unwrap_or(Cause::AuthFailedUnspecified));
        if let Some(cause) = first_rule(smtp_any_command(), &text) {
            prop_assert_eq!(classified(step, &Observation::SmtpReply { command, text })?, cause);
        }
    }

    /// The rule tried first wins wherever its phrase sits and whatever surrounds it.
    #[test]
    fn the_first_rule_wins_anywhere_in_any_text(
        step in step(),
        text in text(),
        at in any::<Index>(),
        pick in any::<Index>(),
        imap_command in prop::sample::select(IMAP_COMMANDS.to_vec()),
        smtp_command in prop::sample::select(SMTP_COMMANDS.to_vec()),
    ) {
        let rule = phrases::IMAP[0];
        let needle = rule.needles[pick.index(rule.needles.len())];
        let imap = with_needle(&text, at, needle);
        if !imap.starts_with('+') {
            prop_assert_eq!(classified(step, &Observation::ImapReply { command: imap_command, text: imap })?, rule.cause);
        }
        let rule = phrases::SMTP[0];
        let needle = rule.needles[pick.index(rule.needles.len())];
        let smtp = with_needle(&text, at, needle);
        // An intermediate reply (3xx) is not a refusal, whatever it says.
        if !smtp_code(&smtp).is_some_and(|c| (300..400).contains(&c)) {
            prop_assert_eq!(classified(step, &Observation::SmtpReply { command: smtp_command, text: smtp })?, rule.cause);
        }
    }
}

proptest! {
    // Each case reads about a megabyte, twice.
    #![proptest_config(config(6))]

    #[test]
    fn a_huge_reply_is_classified_like_any_other(
        step in step(),
        text in huge(),
        imap_command in prop::sample::select(IMAP_COMMANDS.to_vec()),
        smtp_command in prop::sample::select(SMTP_COMMANDS.to_vec()),
    ) {
        classified(step, &Observation::ImapReply { command: imap_command, text: text.clone() })?;
        classified(step, &Observation::SmtpReply { command: smtp_command, text })?;
    }
}

/// The seeds, classified in every step without breaking a promise.
#[test]
fn every_seed_keeps_the_promises_in_every_step() {
    let seeds = seeds();
    assert!(seeds.len() > 90, "{} seeds", seeds.len());
    for observation in &seeds {
        for &step in StepId::ALL {
            classified(step, observation)
                .unwrap_or_else(|e| panic!("{step:?} {observation:?}: {e}"));
        }
    }
}
