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

/// How a side logs in: with a password, or with an OAuth 2.0 access token (SASL XOAUTH2 or
/// OAUTHBEARER, RFC 7628) for mailboxes that no longer take a password.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    #[default]
    Password,
    Oauth,
}

/// Which SASL mechanism carries a token: `auto` takes what the server advertises
/// (OAUTHBEARER, the standard one, before XOAUTH2); the others force one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OauthMechanism {
    #[default]
    Auto,
    Xoauth2,
    Oauthbearer,
}

/// What one side logs in with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential<'a> {
    Password(&'a Secret),
    Token {
        token: &'a Secret,
        mechanism: OauthMechanism,
    },
}

impl Credential<'_> {
    /// The secret itself, whichever kind.
    pub fn secret(&self) -> &Secret {
        match self {
            Credential::Password(s) | Credential::Token { token: s, .. } => s,
        }
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

/// `mail.example.com:993 tls`, as lists and checks show one server.
impl std::fmt::Display for ServerSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} {}", self.host, self.port, self.security.code())
    }
}

/// The default number of simultaneous IMAP sessions the validation tries to reach.
pub const DEFAULT_SESSION_TARGET: u32 = 5;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosisRequest {
    pub email: String,
    /// The password (may be empty when both sides log in with a token).
    #[serde(default)]
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
    /// How IMAP (and SMTP, unless `smtp_auth` is given) logs in.
    #[serde(default)]
    pub auth: AuthMethod,
    #[serde(default)]
    pub smtp_auth: Option<AuthMethod>,
    /// The access token for IMAP (and SMTP, unless `smtp_oauth_token` is given) when it logs
    /// in with OAuth. Never stored or logged, like the password.
    #[serde(default)]
    pub oauth_token: Option<Secret>,
    #[serde(default)]
    pub smtp_oauth_token: Option<Secret>,
    #[serde(default)]
    pub oauth_mechanism: OauthMechanism,
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
            auth: AuthMethod::Password,
            smtp_auth: None,
            oauth_token: None,
            smtp_oauth_token: None,
            oauth_mechanism: OauthMechanism::Auto,
            allow_insecure_cert: false,
            test_recipient: None,
            send: true,
            roundtrip: false,
            lang: Lang::En,
            session_target: DEFAULT_SESSION_TARGET,
        }
    }

    /// How one side logs in.
    pub fn auth(&self, side: Side) -> AuthMethod {
        match side {
            Side::Imap => self.auth,
            Side::Smtp => self.smtp_auth.unwrap_or(self.auth),
        }
    }

    /// The access token one side would log in with, if the request carries one.
    pub fn oauth_token(&self, side: Side) -> Option<&Secret> {
        match side {
            Side::Imap => self.oauth_token.as_ref(),
            Side::Smtp => self.smtp_oauth_token.as_ref().or(self.oauth_token.as_ref()),
        }
    }

    /// The password one side would log in with.
    pub fn password(&self, side: Side) -> &Secret {
        match side {
            Side::Imap => &self.password,
            Side::Smtp => self.smtp_password(),
        }
    }

    /// What one side logs in with: its password, or its token (an empty one when the request
    /// lacks it, which validation refuses first).
    pub fn credential(&self, side: Side) -> Credential<'_> {
        static NONE: Secret = Secret(String::new());
        match self.auth(side) {
            AuthMethod::Password => Credential::Password(self.password(side)),
            AuthMethod::Oauth => Credential::Token {
                token: self.oauth_token(side).unwrap_or(&NONE),
                mechanism: self.oauth_mechanism,
            },
        }
    }

    /// Every secret the request carries: what a transcript must never show.
    pub fn secrets(&self) -> Vec<&Secret> {
        [
            Some(&self.password),
            self.smtp_password.as_ref(),
            self.oauth_token.as_ref(),
            self.smtp_oauth_token.as_ref(),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect()
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
    fn smtp_takes_the_imap_way_of_logging_in_unless_told_otherwise() {
        let server = |port| ServerSettings {
            host: "h".into(),
            port,
            security: Security::Auto,
        };
        let mut req = DiagnosisRequest::new("a@b.c", Secret::new("pw"), server(993), server(465));
        assert_eq!(
            req.credential(Side::Smtp),
            Credential::Password(&Secret::new("pw"))
        );
        req.auth = AuthMethod::Oauth;
        req.oauth_token = Some(Secret::new("tok"));
        let token = Secret::new("tok");
        let oauth = Credential::Token {
            token: &token,
            mechanism: OauthMechanism::Auto,
        };
        assert_eq!(req.credential(Side::Imap), oauth);
        assert_eq!(req.credential(Side::Smtp), oauth);
        req.smtp_auth = Some(AuthMethod::Password);
        assert_eq!(
            req.credential(Side::Smtp),
            Credential::Password(&Secret::new("pw"))
        );
        assert_eq!(req.secrets().len(), 2);
        // A request without the new fields is read as before: passwords on both sides.
        let old: DiagnosisRequest = serde_json::from_str(
            r#"{"email":"a@b.c","password":"pw","imap":{"host":"h","port":993},"smtp":{"host":"h","port":465}}"#,
        )
        .unwrap();
        assert_eq!(old.auth(Side::Smtp), AuthMethod::Password);
    }

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
            auth: AuthMethod::Oauth,
            smtp_auth: None,
            oauth_token: Some(Secret::new("eyJ-token")),
            smtp_oauth_token: None,
            oauth_mechanism: OauthMechanism::Auto,
            allow_insecure_cert: false,
            test_recipient: None,
            send: true,
            roundtrip: false,
            lang: Lang::En,
            session_target: DEFAULT_SESSION_TARGET,
        };
        let shown = format!("{req:?}");
        assert!(
            !shown.contains("hunter2")
                && !shown.contains("other-secret")
                && !shown.contains("eyJ-token"),
            "{shown}"
        );
    }
}
