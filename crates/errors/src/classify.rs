//! Classification: what a session observed → category + cause. Pure and table-tested.
//!
//! The probe code describes *what happened* as an [`Observation`] (a refused connection, a TLS
//! alert, a server reply to a named command); this module decides *what it means*. Server texts
//! are matched on their stable parts (RFC 5530 response codes, enhanced status codes, key
//! phrases), never on whole lines, because providers change their wording.

use crate::report::CertVerdict;
use crate::step::StepId;
use crate::taxonomy::{Category, Cause};

/// What went wrong, as the probe saw it, without interpretation. `T` holds server text:
/// `String` in the engine, `&'static str` in tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observation<T = String> {
    /// The name has no address (NXDOMAIN or no A/AAAA records).
    DnsNotFound,
    /// The lookup failed without a definite answer.
    DnsFailed,
    ConnectRefused,
    /// TCP connect did not complete before the deadline.
    ConnectTimedOut,
    Unreachable,
    /// The server closed or reset the connection where a reply was expected.
    Closed,
    /// No reply within the deadline on an open connection.
    ReplyTimedOut {
        /// Nothing at all had arrived yet (not even a greeting) while we waited for one.
        awaiting_greeting: bool,
        /// The session was plaintext on a port where implicit TLS is usual (993, 465).
        implicit_tls_port: bool,
    },
    /// The first bytes did not look like the expected protocol's greeting.
    ForeignGreeting {
        text: T,
    },
    /// The server answered a TLS ClientHello with plaintext (it expects STARTTLS or plain).
    TlsGotPlaintext,
    /// The server only completes a handshake with a legacy version (from our legacy probe).
    TlsLegacyOnly,
    /// The certificate verifier refused the certificate.
    Certificate(CertVerdict),
    /// Any other handshake failure.
    TlsFailed,
    StarttlsNotOffered,
    /// The server answered one of our commands (or greeted) with a refusal.
    ImapReply {
        command: ImapCommand,
        text: T,
    },
    SmtpReply {
        command: SmtpCommand,
        text: T,
    },
    /// No login method we can use with a password.
    NoAuthMechanism,
    NotDelivered,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImapCommand {
    Greeting,
    Starttls,
    Login,
    List,
    Select,
    /// Looking for the test message during the round trip.
    Search,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpCommand {
    Greeting,
    Ehlo,
    Starttls,
    Auth,
    MailFrom,
    RcptTo,
    Data,
    /// The reply after the message body.
    DataEnd,
}

/// A classified failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    pub category: Category,
    pub cause: Cause,
}

/// Decides category and cause for an observation made in `step`.
pub fn classify<T: AsRef<str>>(step: StepId, observation: &Observation<T>) -> Diagnosis {
    let cause = cause_of(step, observation);
    Diagnosis {
        category: cause.category_at(step),
        cause,
    }
}

fn cause_of<T: AsRef<str>>(step: StepId, observation: &Observation<T>) -> Cause {
    match observation {
        Observation::DnsNotFound => Cause::DnsNameNotFound,
        Observation::DnsFailed => Cause::DnsLookupFailed,
        Observation::ConnectRefused => Cause::ConnectionRefused,
        Observation::ConnectTimedOut => Cause::NoAnswer,
        Observation::Unreachable => Cause::NetworkUnreachable,
        Observation::Closed => Cause::ConnectionClosed,
        Observation::ReplyTimedOut {
            awaiting_greeting: true,
            implicit_tls_port: true,
        } => Cause::TlsModeMismatch,
        Observation::ReplyTimedOut { .. } => Cause::ServerTimeout,
        Observation::ForeignGreeting { .. } => foreign_greeting(step),
        Observation::TlsGotPlaintext => Cause::TlsModeMismatch,
        Observation::TlsLegacyOnly => Cause::OutdatedTlsOnly,
        Observation::Certificate(verdict) => verdict.cause().unwrap_or(Cause::CertificateInvalid),
        Observation::TlsFailed => Cause::TlsHandshakeFailed,
        Observation::StarttlsNotOffered => Cause::StarttlsNotOffered,
        Observation::ImapReply { command, text } => imap_reply(*command, text.as_ref()),
        Observation::SmtpReply { command, text } => smtp_reply(*command, text.as_ref()),
        Observation::NoAuthMechanism => Cause::NoSupportedAuthMechanism,
        Observation::NotDelivered => Cause::TestMessageNotArriving,
    }
}

/// A greeting in the wrong protocol: an SMTP banner on the IMAP port or the reverse.
fn foreign_greeting(step: StepId) -> Cause {
    if step.is_smtp() {
        Cause::NotSmtpServer
    } else {
        Cause::NotImapServer
    }
}

/// Case-insensitive "contains any of".
fn has(text: &str, needles: &[&str]) -> bool {
    let lower = text.to_ascii_lowercase();
    needles
        .iter()
        .any(|n| lower.contains(&n.to_ascii_lowercase()))
}

fn imap_reply(command: ImapCommand, text: &str) -> Cause {
    // Phrases first: providers put the specific reason into the text of a generic code.
    if has(
        text,
        &[
            "application-specific password",
            "app password",
            "app-specific password",
        ],
    ) {
        return Cause::AppPasswordRequired;
    }
    if has(
        text,
        &[
            "[webalert",
            "web login required",
            "log in via your web browser",
            "via a web browser",
        ],
    ) {
        return Cause::WebLoginRequired;
    }
    if has(
        text,
        &[
            "imap access is disabled",
            "imap is disabled",
            "not enabled for imap",
            "imap use is disabled",
            "imap access disabled",
        ],
    ) {
        return Cause::ImapDisabled;
    }
    if has(
        text,
        &[
            "[privacyrequired]",
            "plaintext authentication disallowed",
            "logindisabled",
            "starttls required",
        ],
    ) {
        return Cause::PlaintextLoginRefused;
    }
    if has(
        text,
        &[
            "[limit]",
            "maximum number of connections",
            "too many simultaneous connections",
            "too many connections",
        ],
    ) {
        return Cause::TooManyConnections;
    }
    if has(
        text,
        &["basic authentication is disabled", "basicauthblocked"],
    ) {
        return Cause::BasicAuthDisabled;
    }
    if has(
        text,
        &[
            "[contactadmin]",
            "[expired]",
            "account is disabled",
            "account disabled",
            "account is locked",
            "account locked",
            "account has been locked",
        ],
    ) {
        return Cause::AccountDisabled;
    }
    if has(text, &["authenticated but not connected"]) {
        return Cause::MailboxUnavailable;
    }
    // After login, a refusal of LIST or SELECT is about the mailbox, whatever code it carries.
    match command {
        ImapCommand::List => return Cause::MailboxListFailed,
        ImapCommand::Select => return Cause::InboxNotSelectable,
        _ => {}
    }
    if has(
        text,
        &[
            "[unavailable]",
            "[serverbug]",
            "[inuse]",
            "temporarily unavailable",
            "server unavailable",
            "try again later",
        ],
    ) {
        return Cause::TemporaryServerError;
    }
    match command {
        ImapCommand::Login => {
            if has(
                text,
                &[
                    "[authenticationfailed]",
                    "[authorizationfailed]",
                    "invalid credentials",
                    "invalid username or password",
                    "incorrect password",
                    "incrrect passowd",
                ],
            ) {
                Cause::InvalidCredentials
            } else {
                Cause::AuthFailedUnspecified
            }
        }
        ImapCommand::Greeting => Cause::UnexpectedReply,
        ImapCommand::Starttls => Cause::StarttlsRefused,
        ImapCommand::List => Cause::MailboxListFailed,
        ImapCommand::Select => Cause::InboxNotSelectable,
        ImapCommand::Search => Cause::UnexpectedReply,
    }
}

/// The first reply code of an SMTP reply (`535-5.7.8 …` → 535).
fn smtp_code(text: &str) -> Option<u16> {
    text.get(..3)?.parse().ok()
}

/// The enhanced status code (RFC 3463) of an SMTP reply, if it carries one.
fn enhanced_code(text: &str) -> Option<&str> {
    let rest = text.get(4..)?;
    let candidate = rest.split_whitespace().next()?;
    let mut parts = candidate.split('.');
    let ok = matches!(parts.next(), Some("2" | "4" | "5"))
        && parts.clone().count() == 2
        && parts.all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
    ok.then_some(candidate)
}

fn smtp_reply(command: SmtpCommand, text: &str) -> Cause {
    let code = smtp_code(text).unwrap_or(0);
    let enhanced = enhanced_code(text).unwrap_or("");

    if has(
        text,
        &[
            "application-specific password",
            "app password",
            "app-specific password",
            "authorization code",
        ],
    ) || enhanced == "5.7.9"
    {
        return Cause::AppPasswordRequired;
    }
    if enhanced == "5.7.14" || has(text, &["log in via your web browser", "web login required"]) {
        return Cause::WebLoginRequired;
    }
    // Microsoft answers 5.7.139 to a wrong password as well as to SMTP AUTH being off; the text
    // tells them apart.
    if has(text, &["credentials were incorrect"]) {
        return Cause::InvalidCredentials;
    }
    if enhanced == "5.7.139"
        || has(
            text,
            &[
                "smtpclientauthentication is disabled",
                "basic authentication is disabled",
                "authentication is disabled",
            ],
        )
    {
        return Cause::BasicAuthDisabled;
    }
    if has(
        text,
        &[
            "maximum number of connections",
            "too many connections",
            "too many concurrent",
            "too many simultaneous",
        ],
    ) {
        return Cause::TooManyConnections;
    }
    // A full mailbox (x.2.2) is the recipient's problem, not a sending limit.
    if enhanced.ends_with(".2.2") || has(text, &["mailbox full", "mailbox is full", "over quota"]) {
        return Cause::RecipientRejected;
    }
    if enhanced == "5.4.5"
        || has(
            text,
            &[
                "sending limit",
                "sending quota",
                "quota exceeded",
                "quotaexceeded",
            ],
        )
    {
        return Cause::SendingLimitReached;
    }
    if enhanced == "5.7.11"
        || has(
            text,
            &[
                "must issue a starttls",
                "encryption required",
                "starttls first",
                "starttls is required",
                "plaintext authentication disallowed",
                "without ssl/tls encryption",
            ],
        )
    {
        return Cause::PlaintextLoginRefused;
    }

    // Postfix delays sender checks to RCPT time; the text says which address it means.
    if has(
        text,
        &[
            "sender address rejected",
            "not owned by user",
            "send as this sender",
            "sendasdenied",
            "relaying disallowed as",
        ],
    ) {
        return Cause::SenderRejected;
    }
    if has(
        text,
        &[
            "recipient address rejected",
            "relay access denied",
            "relaying denied",
        ],
    ) {
        return Cause::RecipientRejected;
    }

    match command {
        SmtpCommand::Greeting | SmtpCommand::Ehlo => {
            if (400..500).contains(&code) {
                Cause::TemporaryServerError
            } else {
                Cause::UnexpectedReply
            }
        }
        SmtpCommand::Starttls => Cause::StarttlsRefused,
        SmtpCommand::Auth => {
            if (400..500).contains(&code) {
                Cause::TemporaryServerError
            } else if code == 504 || has(text, &["invalid authentication mechanism"]) {
                Cause::NoSupportedAuthMechanism
            } else if enhanced == "5.7.8"
                || has(
                    text,
                    &[
                        "authentication failed",
                        "username and password not accepted",
                        "invalid credentials",
                        "invalid login",
                        "incorrect authentication data",
                        "bad username or password",
                        "incorrect username or password",
                        "credentials invalid",
                    ],
                )
            {
                Cause::InvalidCredentials
            } else {
                Cause::AuthFailedUnspecified
            }
        }
        _ if (400..500).contains(&code) => Cause::TemporaryServerError,
        SmtpCommand::MailFrom => Cause::SenderRejected,
        SmtpCommand::RcptTo => Cause::RecipientRejected,
        SmtpCommand::Data | SmtpCommand::DataEnd => Cause::MessageRejected,
    }
}
