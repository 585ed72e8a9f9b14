//! Settings discovery: the IMAP and SMTP settings found for an address, where each candidate
//! came from, and what probing it showed. `inbox-doctor discover --json` prints a
//! [`Discovery`]; the relay serves the same document at `GET /api/discover`.

use serde::{Deserialize, Serialize};

use crate::step::{Security, Side};
use crate::taxonomy::coded_enum;

coded_enum! {
    /// Where a candidate came from, in order of precedence.
    pub enum Source {
        /// Domain settings stored by the relay's administrators.
        Stored = "stored",
        /// The bundled table of mail providers (ours).
        Provider = "provider",
        /// Thunderbird's ISPDB, bundled (where our table has no entry).
        Ispdb = "ispdb",
        /// DNS SRV records (RFC 6186 `_imap`, `_imaps`, `_submission`; RFC 8314 `_submissions`).
        Srv = "srv",
        /// An autoconfig XML document (the format mail clients read).
        Autoconfig = "autoconfig",
        /// A guess from the domain's MX hosts.
        Mx = "mx",
        /// A guess from the domain name (`imap.`, `mail.`, `smtp.` …).
        Guess = "guess",
        /// What the user entered (only when a failed diagnosis looks for an alternative).
        Entered = "entered",
    }
}

coded_enum! {
    /// How a lookup of one source ended.
    pub enum SourceStatus {
        /// It named at least one candidate.
        Found = "found",
        /// It answered, with nothing for this domain.
        Empty = "empty",
        /// The domain says the service is not offered (SRV target ".").
        NotOffered = "not_offered",
        /// It answered with something unusable (malformed XML, a redirect loop, too big…).
        Invalid = "invalid",
        /// No answer, or an error on the way.
        Failed = "failed",
        TimedOut = "timed_out",
        /// Not consulted (`--offline`, or no relay database).
        Skipped = "skipped",
    }
}

coded_enum! {
    /// What probing a candidate showed.
    pub enum ProbeOutcome {
        /// The greeting and the capabilities came, over TLS with a valid certificate where TLS
        /// is used.
        Confirmed = "confirmed",
        /// The server answered properly, but its certificate is not valid for this name.
        CertificateInvalid = "certificate_invalid",
        /// A plaintext greeting without STARTTLS on offer.
        NoStarttls = "no_starttls",
        /// Something answered, but not IMAP or SMTP in this security mode.
        WrongProtocol = "wrong_protocol",
        /// The TLS handshake failed.
        TlsFailed = "tls_failed",
        /// Nothing listens (connection refused).
        Refused = "refused",
        /// No answer in time.
        TimedOut = "timed_out",
        /// The host name does not resolve.
        NotFound = "not_found",
        /// The relay's egress policy does not allow this server.
        EgressRefused = "egress_refused",
        /// Offline discovery: taken on the source's word.
        NotProbed = "not_probed",
    }
}

impl ProbeOutcome {
    /// A server that speaks the protocol on this port in this mode, so it can be used.
    pub fn usable(self) -> bool {
        matches!(
            self,
            ProbeOutcome::Confirmed | ProbeOutcome::CertificateInvalid | ProbeOutcome::NotProbed
        )
    }
}

/// One server that might be the right one for a side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub side: Side,
    pub host: String,
    pub port: u16,
    /// `tls`, `starttls` or `plain`; never `auto`.
    pub security: Security,
    /// Every source that named it, the first being the one of highest precedence.
    pub sources: Vec<Source>,
    pub outcome: ProbeOutcome,
    /// The evidence: the server's greeting, or what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// How one source did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceResult {
    pub source: Source,
    pub status: SourceStatus,
    pub elapsed_ms: u64,
    /// What it said or why it failed, e.g. `_imaps._tcp.example.com: service not offered`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

coded_enum! {
    /// Whether a provider wants an app password instead of the account password.
    pub enum AppPassword {
        No = "no",
        /// When two-step verification is on.
        With2fa = "with_2fa",
        /// A password login only works with an app password.
        Always = "always",
    }
}

coded_enum! {
    /// A provider-specific condition an administrator controls.
    pub enum AdminNote {
        /// Microsoft 365: authenticated SMTP must be enabled for the mailbox.
        M365SmtpAuth = "m365_smtp_auth",
        /// Google Workspace: the administrator can turn IMAP off for the organisation.
        WorkspaceAdminImap = "workspace_admin_imap",
        /// The servers run on the user's own machine, in the provider's bridge app.
        BridgeLocal = "bridge_local",
    }
}

/// A known mail provider, from the bundled table, and what it asks of mail programs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    pub id: String,
    pub name: String,
    /// Recognised by the address's domain (`domain`) or by its MX hosts (`mx`).
    pub matched_by: String,
    pub app_password: AppPassword,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_password_url: Option<String>,
    /// Password logins are refused for this kind of account: mail programs must use OAuth.
    #[serde(default)]
    pub oauth_only: bool,
    /// How its mailboxes log in with OAuth, when they can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<ProviderOauth>,
    /// Where IMAP access is switched on, when that is a required step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imap_switch_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_note: Option<AdminNote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_url: Option<String>,
}

/// What logging in with OAuth takes at a provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderOauth {
    /// The name of the relay's sign-in for it (`[oauth.providers.NAME]`: `microsoft`,
    /// `google`), offered when the operator registered a client.
    pub sign_in: String,
    /// The scope a token needs for IMAP, and the one for SMTP.
    pub imap_scope: String,
    pub smtp_scope: String,
}

/// The settings found for an address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    pub email: String,
    pub domain: String,
    /// The best IMAP and SMTP candidates, when any is usable.
    pub imap: Option<Candidate>,
    pub smtp: Option<Candidate>,
    /// The login name the provider or the autoconfig document asks for, when it is not the
    /// address itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    /// Every other candidate, best first, with why it lost.
    pub candidates: Vec<Candidate>,
    pub sources: Vec<SourceResult>,
    /// No network was used: only stored settings and the bundled table.
    pub offline: bool,
    pub elapsed_ms: u64,
}

impl Discovery {
    /// The best usable candidate of one side.
    pub fn best(&self, side: Side) -> &Option<Candidate> {
        match side {
            Side::Imap => &self.imap,
            Side::Smtp => &self.smtp,
        }
    }
}
