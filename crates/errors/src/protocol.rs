//! The WebSocket protocol between a page (or any client) and the relay, version 3 (version 3:
//! a skipped step's reason is a code, see [`crate::SkipReason`]).
//!
//! One socket, one diagnosis: the client sends `start` with a request; the server streams every
//! step event as it happens and ends with the `report` event; the client may send `cancel`.
//! Every refusal is an `error` message with a stable code, then the server closes the socket.
//!
//! Messages are externally tagged JSON objects with one key: `{"start":{…}}`, `{"cancel":{}}`,
//! `{"event":{"finished":{…}}}`, `{"cancelled":{}}`, `{"error":{…}}`. Version 1 tagged them
//! with a `type` field inside the object; decoding that needs the whole object buffered
//! first, which cost the page's wasm about 10 % of its size.

use serde::{Deserialize, Serialize};

use crate::discovery::ProbeOutcome;
use crate::request::{DiagnosisRequest, Secret, ServerSettings};
use crate::step::Side;
use crate::step::StepEvent;
use crate::taxonomy::coded_enum;
use crate::taxonomy::{Category, Cause};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 4;

/// What a client sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // one message per socket.
pub enum ClientMessage {
    Start {
        version: u32,
        request: DiagnosisRequest,
    },
    Cancel {},
}

/// What the relay sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // events dominate, and each is sent once.
pub enum ServerMessage {
    /// A step started or finished, a warning, or (last) the report.
    Event(StepEvent),
    /// The run stopped because the client asked.
    Cancelled {},
    Error(ProtocolError),
}

/// A refusal or fault, with a stable code and a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolError {
    pub code: ErrorCode,
    pub message: String,
}

coded_enum! {
    /// Why the relay refused or stopped. Stable codes; clients switch on them.
    pub enum ErrorCode {
        /// A frame that is not a valid client message.
        BadMessage = "bad_message",
        UnsupportedVersion = "unsupported_version",
        /// The request itself is invalid (address, port, empty password…).
        InvalidRequest = "invalid_request",
        /// A second `start` on a socket: one socket runs one diagnosis.
        AlreadyStarted = "already_started",
        FrameTooLarge = "frame_too_large",
        /// The page embedding the widget is not on the operator's list.
        OriginNotAllowed = "origin_not_allowed",
        /// The request named a host (`Host`) the relay does not serve: a page on a name that
        /// was made to resolve to the relay (DNS rebinding) may not use it.
        HostNotAllowed = "host_not_allowed",
        /// The relay wants a bearer token and got none or a wrong one.
        Unauthorized = "unauthorized",
        /// Too many diagnoses from this client recently.
        RateLimited = "rate_limited",
        /// This client already runs as many diagnoses as it may at once.
        TooManyRuns = "too_many_runs",
        /// The relay runs as many diagnoses as it can (or holds as many sockets).
        Busy = "busy",
        /// This client already holds as many open sockets as it may.
        TooManySockets = "too_many_sockets",
        /// Too many refused logins for this account (server and username) lately, from
        /// whichever clients: the relay will not be a password-guessing oracle.
        AccountRateLimited = "account_rate_limited",
        /// Too many refused logins on this server lately, across its accounts.
        TargetRateLimited = "target_rate_limited",
        /// The relay's egress policy does not allow this server.
        EgressRefused = "egress_refused",
        /// The test email may only go to the mailbox itself or an operator-listed address.
        RecipientNotAllowed = "recipient_not_allowed",
        /// No `start` arrived in time, or the run outlived its bound.
        Timeout = "timeout",
        ShuttingDown = "shutting_down",
        Internal = "internal",
    }
}

/// What administrators store for an email domain, so its users get the servers pre-filled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSettings {
    pub imap: ServerSettings,
    pub smtp: ServerSettings,
    #[serde(default)]
    pub allow_insecure_cert: bool,
    /// Connect from the relay's pinned static addresses (for the domain's allowlist).
    #[serde(default)]
    pub use_static_ips: bool,
}

/// Stored settings of one domain, with who changed them last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRecord {
    pub domain: String,
    pub settings: DomainSettings,
    /// RFC 3339.
    pub updated_at: String,
    pub updated_by: String,
}

/// One change to a domain's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainChange {
    /// The change's place in the audit trail, across all domains: numbered by the database,
    /// increasing (numbers of changes that never committed are skipped).
    #[serde(default)]
    pub seq: i64,
    pub domain: String,
    /// RFC 3339.
    pub at: String,
    /// Who made it: the name of the admin token (HTTP API), or the command line's actor.
    pub actor: String,
    /// Where it came from: the client's address (HTTP API), or `cli:USER`. Empty for changes
    /// recorded before the relay kept it.
    #[serde(default)]
    pub client: String,
    /// Free text the caller sent along (`x-inbox-doctor-note`): the caller's own words, not
    /// checked by anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `set`, `revert` or `delete`.
    pub action: String,
    pub before: Option<DomainSettings>,
    pub after: Option<DomainSettings>,
    /// Stored although the check failed: what it found, as `side: cause` (an override).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forced_past: Option<String>,
}

/// What checking one side's server found (connect, greeting, capabilities, TLS with the
/// certificate's verdict; never a login).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerCheck {
    pub side: Side,
    pub server: ServerSettings,
    pub outcome: ProbeOutcome,
    /// Why it does not answer as configured, named as a diagnosis names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<CheckFailure>,
    /// The server's words (its greeting) or what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A failed check's category and cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckFailure {
    pub category: Category,
    pub cause: Cause,
}

/// Both sides of a domain's settings, checked (`POST /api/domains/{domain}/check`, and
/// before every change is stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCheck {
    pub imap: ServerCheck,
    pub smtp: ServerCheck,
}

impl ServerCheck {
    /// Whether the server answered as configured: confirmed, or with a certificate the
    /// settings accept.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
            && matches!(
                self.outcome,
                ProbeOutcome::Confirmed | ProbeOutcome::CertificateInvalid
            )
    }

    /// What failed, as a code: the cause, else the probe's outcome (the relay's egress policy
    /// refusing the server is no cause of the server's).
    pub fn failed_as(&self) -> Option<&'static str> {
        if self.passed() {
            return None;
        }
        Some(self.failure.map_or(self.outcome.code(), |f| f.cause.code()))
    }
}

impl DomainCheck {
    /// Whether both sides answered as configured.
    pub fn passed(&self) -> bool {
        self.imap.passed() && self.smtp.passed()
    }

    /// The failures as the audit trail records an override: `imap: connection_refused`.
    pub fn failures(&self) -> Option<String> {
        let said: Vec<String> = [&self.imap, &self.smtp]
            .iter()
            .filter_map(|c| Some(format!("{}: {}", c.side.code(), c.failed_as()?)))
            .collect();
        (!said.is_empty()).then(|| said.join("; "))
    }
}

/// `POST /api/domains/{domain}/revert`: back to the settings as change `seq` left them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRevert {
    pub seq: i64,
}

/// One field of a domain's settings, before → after (`None`: not set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `imap.host`, `smtp.security`, `allow_insecure_cert`, …
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What a change to a domain's settings did, or would do (`PUT /api/domains/{domain}`, a
/// revert, `domains set`): the check of the new settings, the fields it changes, and whether
/// it was stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSave {
    pub domain: String,
    pub check: DomainCheck,
    pub changes: Vec<FieldChange>,
    /// Stored: the check passed, or the change was forced; never on a dry run.
    pub saved: bool,
    /// Stored although the check failed.
    #[serde(default)]
    pub forced: bool,
    #[serde(default)]
    pub dry_run: bool,
}

impl DomainSettings {
    /// The fields that differ from `before` (all of them for a first setting), in a fixed
    /// order: IMAP, SMTP, then the switches.
    pub fn changes_from(&self, before: Option<&DomainSettings>) -> Vec<FieldChange> {
        let fields = |s: &DomainSettings| -> Vec<(&'static str, String)> {
            vec![
                ("imap.host", s.imap.host.clone()),
                ("imap.port", s.imap.port.to_string()),
                ("imap.security", s.imap.security.code().to_owned()),
                ("smtp.host", s.smtp.host.clone()),
                ("smtp.port", s.smtp.port.to_string()),
                ("smtp.security", s.smtp.security.code().to_owned()),
                ("allow_insecure_cert", s.allow_insecure_cert.to_string()),
                ("use_static_ips", s.use_static_ips.to_string()),
            ]
        };
        let old = before.map(fields);
        fields(self)
            .into_iter()
            .enumerate()
            .filter_map(|(i, (field, after))| {
                let before = old.as_ref().map(|o| o[i].1.clone());
                (before.as_deref() != Some(after.as_str())).then(|| FieldChange {
                    field: field.to_owned(),
                    before,
                    after: Some(after),
                })
            })
            .collect()
    }
}

/// What the page needs to know about the relay it talks to (`GET /api/info`, which any page
/// may read: a page the relay refuses learns it before it asks for a password).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayInfo {
    pub protocol_version: u32,
    /// Whether the operator lets the test email go to addresses other than the mailbox itself.
    pub test_recipients_allowed: bool,
    /// Whether the WebSocket needs a token.
    pub token_required: bool,
    /// Whether the page asking (its `Origin`) may use the relay: `false` means every run from
    /// it would be refused with `origin_not_allowed`. A request without `Origin` (the relay's
    /// own page in some browsers, a script) is answered `true`; so is any from a relay older
    /// than this field.
    #[serde(default = "yes")]
    pub origin_allowed: bool,
    /// The providers a user may sign in with here (the operator registered a client with
    /// each), for mailboxes that take an access token instead of a password.
    #[serde(default)]
    pub oauth_providers: Vec<OauthProviderInfo>,
}

/// A provider the page offers sign-in with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OauthProviderInfo {
    /// Its name in the relay's configuration (`/api/oauth/{name}/…`).
    pub name: String,
    /// What the button says: "Sign in with {label}".
    pub label: String,
}

/// `POST /api/oauth/{name}/start`: where the provider sends the browser back to (one of the
/// provider's registered addresses), and whom to sign in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OauthStart {
    pub redirect_uri: String,
    #[serde(default)]
    pub login_hint: Option<String>,
}

/// Where to send the browser, and what the page keeps until it comes back: `state` to check
/// the answer is the one it asked for, `verifier` (PKCE) for the exchange.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OauthStarted {
    pub url: String,
    pub state: String,
    pub verifier: Secret,
}

/// `POST /api/oauth/{name}/token`: the code the provider sent the browser back with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OauthExchange {
    pub code: Secret,
    pub verifier: Secret,
    pub redirect_uri: String,
}

/// The access token the provider gave, for the diagnosis; the relay keeps no copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OauthToken {
    pub access_token: Secret,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

fn yes() -> bool {
    true
}

impl Default for RelayInfo {
    fn default() -> RelayInfo {
        RelayInfo {
            protocol_version: 0,
            test_recipients_allowed: false,
            token_required: false,
            origin_allowed: true,
            oauth_providers: Vec::new(),
        }
    }
}

/// The addresses the relay connects from, for mail servers' allowlists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgressIps {
    pub ipv4: Vec<String>,
    pub ipv6: Vec<String>,
    /// Whether those are pinned; when not, the relay uses whatever its host routes through.
    pub pinned: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_a_stable_shape() {
        let cancel: ClientMessage = serde_json::from_str(r#"{"cancel":{}}"#).unwrap();
        assert_eq!(cancel, ClientMessage::Cancel {});
        assert_eq!(
            serde_json::to_string(&ServerMessage::Cancelled {}).unwrap(),
            r#"{"cancelled":{}}"#
        );
        let err = ServerMessage::Error(ProtocolError {
            code: ErrorCode::Busy,
            message: "x".into(),
        });
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(json, r#"{"error":{"code":"busy","message":"x"}}"#);
        let ev = ServerMessage::Event(StepEvent::Started {
            step: crate::StepId::ImapConnect,
            started_ms: 3,
        });
        assert_eq!(
            serde_json::to_string(&ev).unwrap(),
            r#"{"event":{"started":{"step":"imap.connect","started_ms":3}}}"#
        );
    }
}
