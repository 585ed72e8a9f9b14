//! What a front end asks the engine to diagnose.

use serde::{Deserialize, Serialize};

use crate::step::{Security, Side};
use crate::text::Lang;

/// A password. It serializes (the browser must send it to the relay) but never prints:
/// `Debug` and `Display` show `[redacted]`, so it cannot leak through logs by accident.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it to a mail server.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Host, port and security of one side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub security: Security,
}

/// The default number of simultaneous IMAP sessions the validation tries to reach.
pub const DEFAULT_SESSION_TARGET: u32 = 5;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosisRequest {
    pub email: String,
    pub password: Secret,
    /// IMAP (and SMTP, unless `smtp_username` is given) login name; defaults to `email`.
    #[serde(default)]
    pub username: Option<String>,
    pub imap: ServerSettings,
    pub smtp: ServerSettings,
    #[serde(default)]
    pub smtp_username: Option<String>,
    #[serde(default)]
    pub smtp_password: Option<Secret>,
    /// Go on past a bad certificate (still reported).
    #[serde(default)]
    pub allow_insecure_cert: bool,
    /// Where the test email goes; defaults to `email`.
    #[serde(default)]
    pub test_recipient: Option<String>,
    /// Send the test email (the fifth step).
    #[serde(default = "yes")]
    pub send: bool,
    /// After sending, wait for the message in the INBOX.
    #[serde(default)]
    pub roundtrip: bool,
    #[serde(default)]
    pub lang: Lang,
    #[serde(default = "session_target")]
    pub session_target: u32,
}

fn yes() -> bool {
    true
}

fn session_target() -> u32 {
    DEFAULT_SESSION_TARGET
}

impl DiagnosisRequest {
    /// A request as a person fills in the form: the mailbox, its password and both servers;
    /// one login name, the test email to the mailbox itself, no round trip, English, the
    /// default session target. Change the fields for anything else.
    pub fn new(
        email: impl Into<String>,
        password: Secret,
        imap: ServerSettings,
        smtp: ServerSettings,
    ) -> DiagnosisRequest {
        DiagnosisRequest {
            email: email.into(),
            password,
            username: None,
            imap,
            smtp,
            smtp_username: None,
            smtp_password: None,
            allow_insecure_cert: false,
            test_recipient: None,
            send: true,
            roundtrip: false,
            lang: Lang::En,
            session_target: DEFAULT_SESSION_TARGET,
        }
    }

    /// The server settings of one side.
    pub fn server(&self, side: Side) -> &ServerSettings {
        match side {
            Side::Imap => &self.imap,
            Side::Smtp => &self.smtp,
        }
    }

    /// The login name of one side.
    pub fn username(&self, side: Side) -> &str {
        match side {
            Side::Imap => self.imap_username(),
            Side::Smtp => self.smtp_username(),
        }
    }

    pub fn imap_username(&self) -> &str {
        self.username.as_deref().unwrap_or(&self.email)
    }

    pub fn smtp_username(&self) -> &str {
        self.smtp_username
            .as_deref()
            .unwrap_or_else(|| self.imap_username())
    }

    pub fn smtp_password(&self) -> &Secret {
        self.smtp_password.as_ref().unwrap_or(&self.password)
    }

    pub fn test_recipient(&self) -> &str {
        self.test_recipient.as_deref().unwrap_or(&self.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "[redacted]");
        let req = DiagnosisRequest {
            email: "a@b.c".into(),
            password: s.clone(),
            username: None,
            imap: ServerSettings {
                host: "h".into(),
                port: 993,
                security: Security::Auto,
            },
            smtp: ServerSettings {
                host: "h".into(),
                port: 465,
                security: Security::Auto,
            },
            smtp_username: None,
            smtp_password: Some(Secret::new("other-secret")),
            allow_insecure_cert: false,
            test_recipient: None,
            send: true,
            roundtrip: false,
            lang: Lang::En,
            session_target: DEFAULT_SESSION_TARGET,
        };
        let shown = format!("{req:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("other-secret"),
            "{shown}"
        );
    }
}
