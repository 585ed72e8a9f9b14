//! The final report of a diagnosis: the one document `inbox-doctor check --json` prints and the
//! WebSocket carries at the end of a run.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use crate::step::{Security, Side, StepId, StepResult};
use crate::taxonomy::{coded_enum, Category, Cause};

/// The version of this schema; bumped when a field changes meaning (2: `skipped_because` is
/// a [`crate::SkipReason`] code instead of English text).
pub const REPORT_SCHEMA: u32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: u32,
    pub outcome: Outcome,
    pub email: String,
    pub lang: String,
    pub imap: Endpoint,
    pub smtp: Endpoint,
    pub elapsed_ms: u64,
    /// Every step in flow order, including skipped ones.
    pub steps: Vec<StepResult>,
    /// The failure to fix first: the earliest in flow order.
    pub failure: Option<Failure>,
    /// Every failure, the first one included (IMAP and SMTP can fail independently).
    pub failures: Vec<Failure>,
    pub warnings: Vec<Warning>,
    pub tls: TlsSides,
    pub validation: Option<Validation>,
    pub delivery: Option<Delivery>,
    /// Local addresses the sessions connected from, for firewall allowlists.
    pub source_addresses: Vec<SourceAddress>,
    /// Both sessions, line by line, with credentials replaced by `[redacted]`.
    pub transcript: Vec<TranscriptLine>,
}

/// Where one side connected, as asked and as resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    /// What the user asked for.
    pub security: Security,
    /// What was actually used (`auto` resolved), once known.
    pub security_used: Option<Security>,
    pub username: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub category: Category,
    pub cause: Cause,
    pub step: StepId,
    /// The server's own words, when it said something.
    pub server_reply: Option<String>,
    /// What our side observed (an error chain, an address, a certificate problem).
    pub detail: Option<String>,
    /// Localized title of the category, e.g. "IMAP settings incorrect".
    pub title: String,
    /// Localized explanation of the cause.
    pub explanation: String,
    /// Localized, ordered steps to fix it (the mailbox-specific hints first).
    pub remediation: Vec<String>,
    /// What was entered for this side, when discovery found something that works instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered: Option<crate::ServerSettings>,
    /// Settings that discovery confirmed for this side ("settings incorrect" failures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<crate::Candidate>,
    /// The mailbox's provider, when it asks for something particular (app passwords, OAuth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<crate::Provider>,
}

/// A finding that does not stop the connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub cause: Cause,
    pub side: Side,
    pub step: StepId,
    /// What was found in the run's language (the [`Warning::finding`] worded, for readers of
    /// the report and the terminal), or our side's technical observation (a certificate
    /// verifier's error) when there is no finding.
    pub detail: Option<String>,
    /// What was found, as values: a front end words it in its reader's language
    /// ([`crate::Finding::words`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<crate::Finding>,
    /// The server's own words, when it said something (why it refused a session): shown as
    /// said, never translated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_reply: Option<String>,
    pub explanation: String,
    pub remediation: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TlsSides {
    pub imap: Option<TlsReport>,
    pub smtp: Option<TlsReport>,
}

impl Report {
    /// Where one side connected.
    pub fn endpoint(&self, side: Side) -> &Endpoint {
        match side {
            Side::Imap => &self.imap,
            Side::Smtp => &self.smtp,
        }
    }
}

impl TlsSides {
    pub fn side(&self, side: Side) -> Option<&TlsReport> {
        match side {
            Side::Imap => self.imap.as_ref(),
            Side::Smtp => self.smtp.as_ref(),
        }
    }

    pub fn side_mut(&mut self, side: Side) -> &mut Option<TlsReport> {
        match side {
            Side::Imap => &mut self.imap,
            Side::Smtp => &mut self.smtp,
        }
    }

    /// Both sides, IMAP first.
    pub fn each(&self) -> [(Side, Option<&TlsReport>); 2] {
        [Side::Imap, Side::Smtp].map(|s| (s, self.side(s)))
    }
}

/// What the TLS handshake of one side showed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TlsReport {
    /// `tls` (implicit) or `starttls`.
    pub mode: Security,
    /// e.g. `TLSv1.3`; absent when the handshake did not finish.
    pub version: Option<String>,
    pub cipher_suite: Option<String>,
    /// Leaf first, as the server sent it.
    pub chain: Vec<Certificate>,
    pub verdict: CertVerdict,
    /// The verifier's own words, when the verdict is not `trusted`.
    pub verdict_detail: Option<String>,
    /// Whether the session went on past a bad certificate because the user allowed it.
    pub insecure_allowed: bool,
    /// The newest legacy version (`TLSv1.0`, `TLSv1.1`) the server also accepts, if probed.
    pub legacy_version_accepted: Option<String>,
}

coded_enum! {
    /// What the certificate check concluded.
    pub enum CertVerdict {
        Trusted = "trusted",
        SelfSigned = "self_signed",
        UnknownIssuer = "unknown_issuer",
        Expired = "expired",
        NotYetValid = "not_yet_valid",
        NameMismatch = "name_mismatch",
        /// Any other rejection (bad signature, wrong usage, malformed).
        Invalid = "invalid",
        /// No certificate was seen (the handshake failed before it).
        NotChecked = "not_checked",
    }
}

impl CertVerdict {
    /// The failure cause a rejected certificate maps to; `None` for trusted or unchecked.
    pub fn cause(self) -> Option<Cause> {
        Some(match self {
            CertVerdict::Trusted | CertVerdict::NotChecked => return None,
            CertVerdict::SelfSigned => Cause::CertificateSelfSigned,
            CertVerdict::UnknownIssuer => Cause::CertificateUnknownIssuer,
            CertVerdict::Expired => Cause::CertificateExpired,
            CertVerdict::NotYetValid => Cause::CertificateNotYetValid,
            CertVerdict::NameMismatch => Cause::CertificateNameMismatch,
            CertVerdict::Invalid => Cause::CertificateInvalid,
        })
    }
}

/// One certificate of the chain, decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    /// e.g. `RSA 2048`, `EC P-256`, `Ed25519`.
    pub key: String,
    pub self_signed: bool,
    pub sha256: String,
}

/// What the IMAP validation found after login.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validation {
    pub mailboxes: Vec<String>,
    pub inbox_selectable: bool,
    pub inbox_messages: Option<u32>,
    /// The Sent folder's name, and how it was found (`special_use` or `name`).
    pub sent_folder: Option<String>,
    pub sent_found_by: Option<String>,
    pub capabilities: Vec<String>,
    pub sessions: Option<SessionCheck>,
}

/// How many simultaneous authenticated IMAP sessions the server allowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCheck {
    /// The number the check tried to reach (and never exceeded).
    pub target: u32,
    /// Sessions that were open at the same time, the main one included.
    pub allowed: u32,
    /// The server's reply to the first session it refused, if any.
    pub refusal: Option<String>,
}

/// The round trip: the test message found in the INBOX.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub message_id: String,
    pub recipient: String,
    /// Time from the server accepting the message to it being found in the INBOX.
    pub delivered_after_ms: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceAddress {
    pub side: Side,
    /// The relay's (or this machine's) address, as the mail server sees it without NAT.
    pub local: SocketAddr,
    pub remote: SocketAddr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Sent by us.
    Client,
    /// Received from the server.
    Server,
    /// Something about the connection itself: connected, TLS established, closed.
    Event,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptLine {
    pub side: Side,
    pub at_ms: u64,
    pub dir: Direction,
    pub text: String,
}
