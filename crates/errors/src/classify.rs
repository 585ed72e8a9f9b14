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
    /// More than we read of one answer: a line, a literal, a reply's lines, untagged data.
    ReplyTooLarge,
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
    /// No OAuth mechanism (XOAUTH2, OAUTHBEARER) where an access token was to be used.
    NoOauthMechanism,
    /// A password was to be used, but the server offers only OAuth mechanisms: password login
    /// is switched off there.
    OnlyOauthOffered,
    /// The server refused an OAuth access token: its final reply to the login, with what the
    /// token's own claims and the server's SASL error said.
    TokenRefused {
        text: T,
        facts: TokenFacts,
    },
    NotDelivered,
}

/// What is known of a refused token besides the server's final reply. From the token's own
/// claims when it is a JWT (decoded, never verified: evidence, not proof), and from the error
/// the server sent inside the SASL exchange (RFC 7628's JSON). `None`: not known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenFacts {
    /// Its `exp` lies in the past.
    pub expired: Option<bool>,
    /// Its `aud` names the mail resource the provider's servers take.
    pub audience_ok: Option<bool>,
    /// Its `scp`/`scope` holds what this side needs.
    pub scope_ok: Option<bool>,
    /// Its `upn`/`email`/`preferred_username` is the login name.
    pub user_ok: Option<bool>,
    /// The `status` of the server's SASL error.
    pub status: Option<SaslStatus>,
}

/// The `status` of an OAuth SASL error: RFC 6750's error codes (OAUTHBEARER), or the HTTP
/// status numbers Google's XOAUTH2 sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaslStatus {
    InvalidToken,
    InsufficientScope,
    InvalidRequest,
    Other,
}

impl SaslStatus {
    pub fn from_status(status: &str) -> SaslStatus {
        match status.trim().to_ascii_lowercase().as_str() {
            "invalid_token" | "401" => SaslStatus::InvalidToken,
            "insufficient_scope" | "403" => SaslStatus::InsufficientScope,
            "invalid_request" | "400" => SaslStatus::InvalidRequest,
            _ => SaslStatus::Other,
        }
    }
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
        Observation::ReplyTooLarge => too_large(step),
        Observation::TlsGotPlaintext => Cause::TlsModeMismatch,
        Observation::TlsLegacyOnly => Cause::OutdatedTlsOnly,
        Observation::Certificate(verdict) => verdict.cause().unwrap_or(Cause::CertificateInvalid),
        Observation::TlsFailed => Cause::TlsHandshakeFailed,
        Observation::StarttlsNotOffered => Cause::StarttlsNotOffered,
        Observation::ImapReply { command, text } => imap_reply(*command, text.as_ref()),
        Observation::SmtpReply { command, text } => smtp_reply(*command, text.as_ref()),
        Observation::NoAuthMechanism => Cause::NoSupportedAuthMechanism,
        Observation::NoOauthMechanism => Cause::OauthNotOffered,
        Observation::OnlyOauthOffered => Cause::BasicAuthDisabled,
        Observation::TokenRefused { text, facts } => token_refused(step, text.as_ref(), facts),
        Observation::NotDelivered => Cause::TestMessageNotArriving,
    }
}

/// A refused token. What the server names outright beyond the token (a switched-off feature,
/// a limit, trouble of its own) comes first: a new token would not help. Then what the
/// token's claims show, the most certain first; then the server's SASL error; else the server
/// refused a token that looks right (revoked, from another tenant, malformed).
fn token_refused(step: StepId, text: &str, facts: &TokenFacts) -> Cause {
    let named = if step.is_smtp() {
        smtp_reply(SmtpCommand::Auth, text)
    } else {
        imap_reply(ImapCommand::Login, text)
    };
    match named {
        Cause::BasicAuthDisabled if step.is_smtp() => return Cause::SmtpAuthDisabled,
        Cause::ImapDisabled
        | Cause::AccountDisabled
        | Cause::WebLoginRequired
        | Cause::TooManyConnections
        | Cause::TemporaryServerError
        | Cause::PlaintextLoginRefused => return named,
        _ => {}
    }
    if facts.expired == Some(true) {
        Cause::TokenExpired
    } else if facts.user_ok == Some(false) {
        Cause::TokenWrongUser
    } else if facts.audience_ok == Some(false) {
        Cause::TokenWrongAudience
    } else if facts.scope_ok == Some(false) || facts.status == Some(SaslStatus::InsufficientScope) {
        Cause::TokenScopeMissing
    } else {
        Cause::TokenRejected
    }
}

/// An answer over our limits. Before the session is set up (greeting, STARTTLS, EHLO), the
/// port speaks something else; once the server has taken our commands it speaks the protocol,
/// and the answer is one no client could use.
fn too_large(step: StepId) -> Cause {
    match step {
        StepId::ImapConnect | StepId::ImapTls | StepId::SmtpConnect | StepId::SmtpTls => {
            foreign_greeting(step)
        }
        _ => Cause::UnexpectedReply,
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

/// The phrase rules of the classifier, as data: each names a cause and the phrases ("needles")
/// that mean it when a server's reply contains any of them, ignoring ASCII case.
///
/// They are constants rather than literals inside `imap_reply`/`smtp_reply` so that the
/// classification tests can enumerate them and check that every needle decides some real reply
/// (a needle no reply needs is either dead or untested). [`IMAP`] and [`SMTP`] list them in the
/// order the classifier tries them; the functions themselves remain the authority on precedence,
/// because some rules share it with status codes or apply only to one command.
pub mod phrases {
    use crate::taxonomy::Cause;

    /// One rule: any of `needles` in a reply's text means `cause`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Phrases {
        pub cause: Cause,
        /// Matched case-insensitively (ASCII) anywhere in the text, so written in lower case.
        pub needles: &'static [&'static str],
    }

    /// A reply's text in ASCII lower case, made once per classification: the rules only read it.
    pub struct Lower(String);

    impl Lower {
        pub fn of(text: &str) -> Lower {
            Lower(text.to_ascii_lowercase())
        }
    }

    impl Phrases {
        /// Whether the text contains any of the needles (which are written in lower case).
        pub fn matches(&self, text: &Lower) -> bool {
            self.needles.iter().any(|needle| text.0.contains(needle))
        }
    }

    // ------------------------------------------------------------------------------- IMAP

    pub const IMAP_APP_PASSWORD: Phrases = Phrases {
        cause: Cause::AppPasswordRequired,
        needles: &[
            "application-specific password",
            "app password",
            "app-specific password",
        ],
    };

    /// Gmail's RFC 5530-style `[WEBALERT …]` code and the words around it.
    pub const IMAP_WEB_LOGIN: Phrases = Phrases {
        cause: Cause::WebLoginRequired,
        needles: &[
            "[webalert",
            "web login required",
            "log in via your web browser",
            "via a web browser",
        ],
    };

    pub const IMAP_DISABLED: Phrases = Phrases {
        cause: Cause::ImapDisabled,
        needles: &[
            "imap access is disabled",
            "imap is disabled",
            "not enabled for imap",
            "imap use is disabled",
            "imap access disabled",
        ],
    };

    /// RFC 5530 `[PRIVACYREQUIRED]`, RFC 3501's `LOGINDISABLED` capability, and server wording.
    pub const IMAP_PLAINTEXT: Phrases = Phrases {
        cause: Cause::PlaintextLoginRefused,
        needles: &[
            "[privacyrequired]",
            "plaintext authentication disallowed",
            "logindisabled",
            "starttls required",
        ],
    };

    /// RFC 5530 `[LIMIT]` and the connection-limit wording of Dovecot and Gmail.
    pub const IMAP_TOO_MANY_CONNECTIONS: Phrases = Phrases {
        cause: Cause::TooManyConnections,
        needles: &[
            "[limit]",
            "maximum number of connections",
            "too many simultaneous connections",
            "too many connections",
        ],
    };

    pub const IMAP_BASIC_AUTH_DISABLED: Phrases = Phrases {
        cause: Cause::BasicAuthDisabled,
        needles: &["basic authentication is disabled", "basicauthblocked"],
    };

    /// RFC 5530 `[CONTACTADMIN]` and `[EXPIRED]`, and the words for a disabled or locked account.
    pub const IMAP_ACCOUNT_DISABLED: Phrases = Phrases {
        cause: Cause::AccountDisabled,
        needles: &[
            "[contactadmin]",
            "[expired]",
            "account is disabled",
            "account disabled",
            "account is locked",
            "account locked",
            "account has been locked",
        ],
    };

    /// Microsoft 365 accepts the login but cannot reach the mailbox behind it.
    pub const IMAP_MAILBOX_UNAVAILABLE: Phrases = Phrases {
        cause: Cause::MailboxUnavailable,
        needles: &["authenticated but not connected"],
    };

    /// RFC 5530 codes for trouble on the server's side, and the words for "not now".
    pub const IMAP_TEMPORARY: Phrases = Phrases {
        cause: Cause::TemporaryServerError,
        needles: &[
            "[unavailable]",
            "[serverbug]",
            "[inuse]",
            "temporarily unavailable",
            "server unavailable",
            "try again later",
        ],
    };

    /// Only for a refused login: RFC 5530 codes and the words for a wrong password.
    pub const IMAP_INVALID_CREDENTIALS: Phrases = Phrases {
        cause: Cause::InvalidCredentials,
        needles: &[
            "[authenticationfailed]",
            "[authorizationfailed]",
            "invalid credentials",
            "invalid username or password",
            "incorrect password",
            // QQ Mail's spelling.
            "incrrect passowd",
        ],
    };

    /// Every IMAP rule, in the order `imap_reply` tries them.
    pub const IMAP: &[Phrases] = &[
        IMAP_APP_PASSWORD,
        IMAP_WEB_LOGIN,
        IMAP_DISABLED,
        IMAP_PLAINTEXT,
        IMAP_TOO_MANY_CONNECTIONS,
        IMAP_BASIC_AUTH_DISABLED,
        IMAP_ACCOUNT_DISABLED,
        IMAP_MAILBOX_UNAVAILABLE,
        IMAP_TEMPORARY,
        IMAP_INVALID_CREDENTIALS,
    ];

    // ------------------------------------------------------------------------------- SMTP

    /// Also enhanced code 5.7.9. QQ Mail calls its app password an "authorization code".
    pub const SMTP_APP_PASSWORD: Phrases = Phrases {
        cause: Cause::AppPasswordRequired,
        needles: &[
            "application-specific password",
            "app password",
            "app-specific password",
            "authorization code",
        ],
    };

    /// Also enhanced code 5.7.14.
    pub const SMTP_WEB_LOGIN: Phrases = Phrases {
        cause: Cause::WebLoginRequired,
        needles: &["log in via your web browser", "web login required"],
    };

    /// Microsoft's wrong-password text, which comes with 5.7.139 like SMTP AUTH being off.
    pub const SMTP_WRONG_PASSWORD: Phrases = Phrases {
        cause: Cause::InvalidCredentials,
        needles: &["credentials were incorrect"],
    };

    /// Also enhanced code 5.7.139. The one phrase covers Microsoft's "SmtpClientAuthentication is
    /// disabled for the Tenant" and "basic authentication is disabled" alike; longer needles that
    /// contain it could never decide a reply on their own.
    pub const SMTP_BASIC_AUTH_DISABLED: Phrases = Phrases {
        cause: Cause::BasicAuthDisabled,
        needles: &["authentication is disabled"],
    };

    pub const SMTP_TOO_MANY_CONNECTIONS: Phrases = Phrases {
        cause: Cause::TooManyConnections,
        needles: &[
            "maximum number of connections",
            "too many connections",
            "too many concurrent",
            "too many simultaneous",
        ],
    };

    /// Also enhanced codes x.2.2. A full mailbox is the recipient's problem, not a sending limit.
    pub const SMTP_MAILBOX_FULL: Phrases = Phrases {
        cause: Cause::RecipientRejected,
        needles: &["mailbox full", "mailbox is full", "over quota"],
    };

    /// Also enhanced code 5.4.5.
    pub const SMTP_SENDING_LIMIT: Phrases = Phrases {
        cause: Cause::SendingLimitReached,
        needles: &[
            "sending limit",
            "sending quota",
            "quota exceeded",
            "quotaexceeded",
        ],
    };

    /// Also enhanced code 5.7.11.
    pub const SMTP_PLAINTEXT: Phrases = Phrases {
        cause: Cause::PlaintextLoginRefused,
        needles: &[
            "must issue a starttls",
            "encryption required",
            "starttls first",
            "starttls is required",
            "plaintext authentication disallowed",
            "without ssl/tls encryption",
        ],
    };

    /// Postfix delays sender checks to RCPT time; the text says which address it means.
    pub const SMTP_SENDER_REJECTED: Phrases = Phrases {
        cause: Cause::SenderRejected,
        needles: &[
            "sender address rejected",
            "not owned by user",
            "send as this sender",
            "sendasdenied",
            "relaying disallowed as",
        ],
    };

    pub const SMTP_RECIPIENT_REJECTED: Phrases = Phrases {
        cause: Cause::RecipientRejected,
        needles: &[
            "recipient address rejected",
            "relay access denied",
            "relaying denied",
        ],
    };

    /// Only for a refused AUTH; also reply code 504.
    pub const SMTP_NO_AUTH_MECHANISM: Phrases = Phrases {
        cause: Cause::NoSupportedAuthMechanism,
        needles: &["invalid authentication mechanism"],
    };

    /// Only for a refused AUTH; also enhanced code 5.7.8.
    pub const SMTP_INVALID_CREDENTIALS: Phrases = Phrases {
        cause: Cause::InvalidCredentials,
        needles: &[
            "authentication failed",
            "username and password not accepted",
            "invalid credentials",
            "invalid login",
            "incorrect authentication data",
            "bad username or password",
            "incorrect username or password",
            "credentials invalid",
        ],
    };

    /// Every SMTP rule, in the order `smtp_reply` tries them. `smtp_reply` names each constant
    /// where it belongs, next to the status code that shares its place, so a rule left out of
    /// this list would still classify but go untested.
    pub const SMTP: &[Phrases] = &[
        SMTP_APP_PASSWORD,
        SMTP_WEB_LOGIN,
        SMTP_WRONG_PASSWORD,
        SMTP_BASIC_AUTH_DISABLED,
        SMTP_TOO_MANY_CONNECTIONS,
        SMTP_MAILBOX_FULL,
        SMTP_SENDING_LIMIT,
        SMTP_PLAINTEXT,
        SMTP_SENDER_REJECTED,
        SMTP_RECIPIENT_REJECTED,
        SMTP_NO_AUTH_MECHANISM,
        SMTP_INVALID_CREDENTIALS,
    ];
}

use phrases::*;

/// The rules that decide an IMAP refusal whatever the command: providers put the specific
/// reason into the text of a generic code, so these come before anything keyed on the command.
const IMAP_ANY_COMMAND: &[Phrases] = &[
    IMAP_APP_PASSWORD,
    IMAP_WEB_LOGIN,
    IMAP_DISABLED,
    IMAP_PLAINTEXT,
    IMAP_TOO_MANY_CONNECTIONS,
    IMAP_BASIC_AUTH_DISABLED,
    IMAP_ACCOUNT_DISABLED,
    IMAP_MAILBOX_UNAVAILABLE,
];

fn imap_reply(command: ImapCommand, text: &str) -> Cause {
    // A continuation request where a completion was due: the server asked for more than the
    // command had (again after the credentials, or after the cancel). Not a refusal.
    if text.starts_with('+') {
        return Cause::UnexpectedReply;
    }
    let text = &Lower::of(text);
    if let Some(rule) = IMAP_ANY_COMMAND.iter().find(|rule| rule.matches(text)) {
        return rule.cause;
    }
    // After login, a refusal of LIST or SELECT is about the mailbox, whatever code it carries.
    match command {
        ImapCommand::List => return Cause::MailboxListFailed,
        ImapCommand::Select => return Cause::InboxNotSelectable,
        _ => {}
    }
    if IMAP_TEMPORARY.matches(text) {
        return IMAP_TEMPORARY.cause;
    }
    match command {
        ImapCommand::Login => {
            if IMAP_INVALID_CREDENTIALS.matches(text) {
                IMAP_INVALID_CREDENTIALS.cause
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
    // An intermediate reply where a final one was due (a challenge after the credentials, say):
    // the server wants more than the exchange has. Not a refusal.
    if (300..400).contains(&code) {
        return Cause::UnexpectedReply;
    }
    let enhanced = enhanced_code(text).unwrap_or("");
    let text = &Lower::of(text);

    if enhanced == "5.7.9" || SMTP_APP_PASSWORD.matches(text) {
        return SMTP_APP_PASSWORD.cause;
    }
    if enhanced == "5.7.14" || SMTP_WEB_LOGIN.matches(text) {
        return SMTP_WEB_LOGIN.cause;
    }
    // Microsoft answers 5.7.139 to a wrong password as well as to SMTP AUTH being off; the text
    // tells them apart.
    if SMTP_WRONG_PASSWORD.matches(text) {
        return SMTP_WRONG_PASSWORD.cause;
    }
    if enhanced == "5.7.139" || SMTP_BASIC_AUTH_DISABLED.matches(text) {
        return SMTP_BASIC_AUTH_DISABLED.cause;
    }
    if SMTP_TOO_MANY_CONNECTIONS.matches(text) {
        return SMTP_TOO_MANY_CONNECTIONS.cause;
    }
    if enhanced.ends_with(".2.2") || SMTP_MAILBOX_FULL.matches(text) {
        return SMTP_MAILBOX_FULL.cause;
    }
    if enhanced == "5.4.5" || SMTP_SENDING_LIMIT.matches(text) {
        return SMTP_SENDING_LIMIT.cause;
    }
    if enhanced == "5.7.11" || SMTP_PLAINTEXT.matches(text) {
        return SMTP_PLAINTEXT.cause;
    }
    if SMTP_SENDER_REJECTED.matches(text) {
        return SMTP_SENDER_REJECTED.cause;
    }
    if SMTP_RECIPIENT_REJECTED.matches(text) {
        return SMTP_RECIPIENT_REJECTED.cause;
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
            } else if code == 504 || SMTP_NO_AUTH_MECHANISM.matches(text) {
                SMTP_NO_AUTH_MECHANISM.cause
            } else if enhanced == "5.7.8" || SMTP_INVALID_CREDENTIALS.matches(text) {
                SMTP_INVALID_CREDENTIALS.cause
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `phrases::IMAP` is what the tests enumerate; it must be the rules `imap_reply` uses.
    #[test]
    fn the_imap_list_is_the_rules_in_their_order() {
        let mut used = IMAP_ANY_COMMAND.to_vec();
        used.extend([IMAP_TEMPORARY, IMAP_INVALID_CREDENTIALS]);
        assert_eq!(IMAP, used.as_slice());
    }

    /// The text is lowered once; the needles must be written lowered to match it.
    #[test]
    fn every_needle_is_written_in_lower_case() {
        for rule in IMAP.iter().chain(SMTP) {
            for needle in rule.needles {
                assert_eq!(*needle, needle.to_ascii_lowercase(), "{needle}");
            }
        }
    }
}
