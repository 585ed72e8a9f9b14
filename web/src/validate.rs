//! What the form asks before a run, as pure functions of what was typed: which fields need
//! another look, or the request to send. Tested natively, without a browser.

use inbox_doctor_errors::{
    AuthMethod, DiagnosisRequest, Label, Lang, Secret, Security, ServerSettings, Side,
    DEFAULT_SESSION_TARGET,
};

/// Every control of the form, and the one place its element id is spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldId {
    Email,
    Password,
    KeepPassword,
    Username,
    Host(Side),
    Port(Side),
    Security(Side),
    SeparateSmtp,
    SmtpUsername,
    SmtpPassword,
    AllowInsecure,
    Roundtrip,
    TestRecipient,
    /// The admin view's domain and switch.
    AdminDomain,
    UseStaticIps,
}

impl FieldId {
    /// The element's id (the browser tests and the labels' `for` use it).
    pub fn id(self) -> &'static str {
        match self {
            FieldId::Email => "email",
            FieldId::Password => "password",
            FieldId::KeepPassword => "keep-password",
            FieldId::Username => "username",
            FieldId::Host(Side::Imap) => "imap-host",
            FieldId::Host(Side::Smtp) => "smtp-host",
            FieldId::Port(Side::Imap) => "imap-port",
            FieldId::Port(Side::Smtp) => "smtp-port",
            FieldId::Security(Side::Imap) => "imap-security",
            FieldId::Security(Side::Smtp) => "smtp-security",
            FieldId::SeparateSmtp => "separate-smtp",
            FieldId::SmtpUsername => "smtp-username",
            FieldId::SmtpPassword => "smtp-password",
            FieldId::AllowInsecure => "allow-insecure",
            FieldId::Roundtrip => "roundtrip",
            FieldId::TestRecipient => "test-recipient",
            FieldId::AdminDomain => "admin-domain",
            FieldId::UseStaticIps => "use-static-ips",
        }
    }

    /// The id of the element that says what is wrong with the field (`aria-describedby`).
    pub fn problem_id(self) -> String {
        format!("{}-problem", self.id())
    }
}

/// Fields that need another look, each with what to say about it.
pub type Problems = Vec<(FieldId, Label)>;

/// One server's fields as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerValues {
    pub host: String,
    pub port: String,
    pub security: Security,
}

/// The form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormValues {
    pub email: String,
    pub password: Secret,
    pub username: String,
    pub imap: ServerValues,
    pub smtp: ServerValues,
    pub separate_smtp: bool,
    pub smtp_username: String,
    pub smtp_password: Secret,
    pub allow_insecure: bool,
    pub test_recipient: String,
    pub roundtrip: bool,
    /// The token of a sign-in with a provider: both sides log in with it, no password asked.
    pub oauth_token: Option<Secret>,
    pub lang: Lang,
}

/// Whether `s` looks like an address a mailbox can have (the relay checks it properly).
pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn port(typed: &str) -> Option<u16> {
    typed.trim().parse().ok().filter(|p| *p > 0)
}

/// The request for `v`, or every field that needs another look.
pub fn request(v: FormValues) -> Result<DiagnosisRequest, Problems> {
    let mut problems = Problems::new();
    if !valid_email(&v.email) {
        problems.push((FieldId::Email, Label::ErrEmail));
    }
    let signed_in = v.oauth_token.is_some();
    if v.password.is_empty() && !signed_in {
        problems.push((FieldId::Password, Label::ErrPassword));
    }
    for (side, typed) in [(Side::Imap, &v.imap), (Side::Smtp, &v.smtp)] {
        if typed.host.trim().is_empty() {
            problems.push((FieldId::Host(side), Label::ErrHost));
        }
        if port(&typed.port).is_none() {
            problems.push((FieldId::Port(side), Label::ErrPort));
        }
    }
    if v.separate_smtp && v.smtp_password.is_empty() && !signed_in {
        problems.push((FieldId::SmtpPassword, Label::ErrPassword));
    }
    let recipient = v.test_recipient.trim();
    if !recipient.is_empty() && !valid_email(recipient) {
        problems.push((FieldId::TestRecipient, Label::ErrEmail));
    }
    let settings = |s: &ServerValues| {
        Some(ServerSettings {
            host: s.host.trim().to_owned(),
            port: port(&s.port)?,
            security: s.security,
        })
    };
    let (Some(imap), Some(smtp), true) =
        (settings(&v.imap), settings(&v.smtp), problems.is_empty())
    else {
        return Err(problems);
    };
    let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let mut request = DiagnosisRequest::new(v.email.trim(), v.password, imap, smtp);
    request.username = optional(&v.username);
    if let Some(token) = v.oauth_token {
        request.auth = AuthMethod::Oauth;
        request.oauth_token = Some(token);
    } else if v.separate_smtp {
        request.smtp_username = optional(&v.smtp_username);
        request.smtp_password = Some(v.smtp_password);
    }
    request.allow_insecure_cert = v.allow_insecure;
    request.test_recipient = optional(recipient);
    request.roundtrip = v.roundtrip;
    request.lang = v.lang;
    request.session_target = DEFAULT_SESSION_TARGET;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> FormValues {
        FormValues {
            email: " jørn@example.com ".into(),
            password: Secret::new("pw"),
            imap: ServerValues {
                host: " imap.example.com ".into(),
                port: "993".into(),
                security: Security::Tls,
            },
            smtp: ServerValues {
                host: "smtp.example.com".into(),
                port: " 587".into(),
                security: Security::Auto,
            },
            roundtrip: true,
            lang: Lang::Pl,
            ..FormValues::default()
        }
    }

    #[test]
    fn a_sign_in_stands_in_for_every_password() {
        let mut v = filled();
        v.password = Secret::default();
        v.separate_smtp = true;
        assert!(request(v.clone()).is_err(), "no password, no sign-in");
        v.oauth_token = Some(Secret::new("tok"));
        let r = request(v).unwrap();
        assert_eq!(r.auth(Side::Smtp), AuthMethod::Oauth);
        assert_eq!(r.oauth_token(Side::Smtp).map(Secret::expose), Some("tok"));
        assert_eq!(r.smtp_password, None);
    }

    #[test]
    fn email_addresses_as_the_form_accepts_them() {
        for good in ["a@b.co", " name@example.com ", "x.y+z@mail.example.org"] {
            assert!(valid_email(good), "{good}");
        }
        for bad in ["", "a", "a@b", "@b.com", "a@.com", "a@b.com.", "a b@c.com"] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn a_filled_form_is_the_request_trimmed() {
        let r = request(filled()).unwrap();
        assert_eq!(r.email, "jørn@example.com");
        assert_eq!(r.password.expose(), "pw");
        assert_eq!(r.username, None, "an empty username is the address");
        assert_eq!(
            r.imap,
            ServerSettings {
                host: "imap.example.com".into(),
                port: 993,
                security: Security::Tls
            }
        );
        assert_eq!(r.smtp.port, 587);
        assert!(r.send && r.roundtrip);
        assert_eq!(r.lang, Lang::Pl);
        assert_eq!((r.smtp_username, r.smtp_password), (None, None));
        assert_eq!(r.test_recipient, None);
    }

    #[test]
    fn a_separate_smtp_login_is_sent_only_when_chosen() {
        let mut v = filled();
        v.smtp_username = "relay-user".into();
        v.smtp_password = Secret::new("other");
        let r = request(v.clone()).unwrap();
        assert_eq!((r.smtp_username, r.smtp_password), (None, None));
        v.separate_smtp = true;
        let r = request(v).unwrap();
        assert_eq!(r.smtp_username.as_deref(), Some("relay-user"));
        assert_eq!(r.smtp_password.as_ref().map(Secret::expose), Some("other"));
    }

    #[test]
    fn every_field_that_needs_another_look_is_named_at_once() {
        let v = FormValues {
            email: "not-an-address".into(),
            imap: ServerValues {
                host: " ".into(),
                port: "0".into(),
                security: Security::Auto,
            },
            smtp: ServerValues {
                host: "smtp.example.com".into(),
                port: "70000".into(),
                security: Security::Auto,
            },
            separate_smtp: true,
            test_recipient: "nobody".into(),
            ..FormValues::default()
        };
        assert_eq!(
            request(v).unwrap_err(),
            vec![
                (FieldId::Email, Label::ErrEmail),
                (FieldId::Password, Label::ErrPassword),
                (FieldId::Host(Side::Imap), Label::ErrHost),
                (FieldId::Port(Side::Imap), Label::ErrPort),
                (FieldId::Port(Side::Smtp), Label::ErrPort),
                (FieldId::SmtpPassword, Label::ErrPassword),
                (FieldId::TestRecipient, Label::ErrEmail),
            ]
        );
    }

    #[test]
    fn every_field_has_its_own_id() {
        let mut all = vec![
            FieldId::Email,
            FieldId::Password,
            FieldId::KeepPassword,
            FieldId::Username,
            FieldId::SeparateSmtp,
            FieldId::SmtpUsername,
            FieldId::SmtpPassword,
            FieldId::AllowInsecure,
            FieldId::Roundtrip,
            FieldId::TestRecipient,
        ];
        for side in [Side::Imap, Side::Smtp] {
            all.extend([
                FieldId::Host(side),
                FieldId::Port(side),
                FieldId::Security(side),
            ]);
        }
        let mut ids: Vec<_> = all.iter().map(|f| f.id()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all.len());
        assert_eq!(FieldId::Port(Side::Smtp).problem_id(), "smtp-port-problem");
    }
}
