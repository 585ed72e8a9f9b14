//! The steps of a diagnosis and the events that report them as they happen.

use serde::{Deserialize, Serialize};

use crate::report::{Failure, Report, Warning};
use crate::taxonomy::coded_enum;

coded_enum! {
    /// One step of the connection flow. The IMAP and SMTP branches run side by side.
    pub enum StepId {
        Resolve = "resolve",
        ImapConnect = "imap.connect",
        ImapTls = "imap.tls",
        ImapLogin = "imap.login",
        ImapValidate = "imap.validate",
        SmtpConnect = "smtp.connect",
        SmtpTls = "smtp.tls",
        SmtpLogin = "smtp.login",
        SmtpSend = "smtp.send",
        Roundtrip = "roundtrip",
    }
}

impl StepId {
    pub fn is_smtp(self) -> bool {
        matches!(
            self,
            StepId::SmtpConnect | StepId::SmtpTls | StepId::SmtpLogin | StepId::SmtpSend
        )
    }

    /// The protocol side of the step (`resolve` counts as IMAP's, the flow's first).
    pub fn side(self) -> Side {
        if self.is_smtp() {
            Side::Smtp
        } else {
            Side::Imap
        }
    }
}

/// Which of the two sessions something belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Imap,
    Smtp,
}

impl Side {
    /// The name on the wire (`imap`, `smtp`).
    pub fn code(self) -> &'static str {
        match self {
            Side::Imap => "imap",
            Side::Smtp => "smtp",
        }
    }

    /// The protocol's name for people (`IMAP`, `SMTP`).
    pub fn label(self) -> &'static str {
        match self {
            Side::Imap => "IMAP",
            Side::Smtp => "SMTP",
        }
    }
}

coded_enum! {
    /// How a step ended.
    pub enum StepStatus {
        Passed = "passed",
        Failed = "failed",
        /// Not run because a step it depends on failed, or the user asked to leave it out.
        Skipped = "skipped",
    }
}

coded_enum! {
    /// Transport security asked for on one side.
    pub enum Security {
        /// Chosen by port (993/465 implicit TLS, others STARTTLS), confirmed by the session.
        Auto = "auto",
        /// Implicit TLS: the TLS handshake starts as soon as TCP connects.
        Tls = "tls",
        /// A plaintext greeting, then STARTTLS.
        Starttls = "starttls",
        /// No TLS at all; only when the user asks for it.
        Plain = "plain",
    }
}

/// What a form starts with and a request without a mode means.
impl Default for Security {
    fn default() -> Security {
        Security::Auto
    }
}

coded_enum! {
    /// Why a step was skipped: coded like causes, with words in every language.
    pub enum SkipReason {
        /// An earlier step of the IMAP branch failed.
        ImapFailed = "imap_failed",
        /// An earlier step of the SMTP branch failed.
        SmtpFailed = "smtp_failed",
        /// The branch's server name did not resolve.
        NameNotResolved = "name_not_resolved",
        /// The user asked for a connection without TLS.
        PlainRequested = "plain_requested",
        /// The user did not ask for this step.
        NotRequested = "not_requested",
        /// The round trip has no test email to wait for.
        TestEmailNotSent = "test_email_not_sent",
        /// The test email goes to another mailbox than the one checked.
        OtherRecipient = "other_recipient",
    }
}

/// One finished step, with its timing and what it found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    pub step: StepId,
    pub status: StepStatus,
    /// Milliseconds since the diagnosis started, when the step started.
    pub started_ms: u64,
    pub elapsed_ms: u64,
    /// What the step observed; a short, language-neutral summary for people is in `summary`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Fact>,
    /// Present when `status` is `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Why a step was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped_because: Option<SkipReason>,
}

/// A named observation of a step: `("greeting", "* OK Dovecot ready.")`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub name: String,
    pub value: String,
}

impl Fact {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Fact {
        Fact {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// What a diagnosis streams while it runs, in the order things happen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // Finished is sent once.
pub enum StepEvent {
    Started {
        step: StepId,
        started_ms: u64,
    },
    Finished(StepResult),
    Warning(Warning),
    /// The last event of a run.
    Report(Report),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sides_code_is_its_name_on_the_wire() {
        for s in [Side::Imap, Side::Smtp] {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.code())
            );
        }
    }
}
