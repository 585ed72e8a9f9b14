//! The failure taxonomy: a stable [`Category`] named after the help-center error messages, and
//! a specific [`Cause`]. Both serialize as snake_case codes that never change meaning; the table
//! in `docs/causes.md` documents them.

use serde::{Deserialize, Serialize};

use crate::step::StepId;

/// Declares a wire enum whose variants carry their stable code, so the names live in one list.
macro_rules! coded_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        // By hand, through `code`/`from_code`: one table of names instead of the several
        // matchers a derive generates (it matters in the browser's wasm).
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::from_code(&code).ok_or_else(|| {
                    serde::de::Error::unknown_variant(&code, &[$($code,)*])
                })
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable code, as it appears on the wire.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// The value for a stable code.
            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
pub(crate) use coded_enum;

coded_enum! {
    /// What the user sees first: one of the error names the source documents use.
    pub enum Category {
        ImapSettingsIncorrect = "imap_settings_incorrect",
        ImapAuthenticationError = "imap_authentication_error",
        ImapValidationError = "imap_validation_error",
        SmtpSettingsIncorrect = "smtp_settings_incorrect",
        TestEmailFailed = "test_email_failed",
        Unauthorized = "unauthorized",
        UnauthorizedAppPasswordRequired = "unauthorized_app_password_required",
        UnauthorizedUntrustedCertificate = "unauthorized_untrusted_certificate",
    }
}

coded_enum! {
    /// Why a step failed (or, for warnings, what is worth fixing although it works).
    pub enum Cause {
        // Reaching the server.
        DnsNameNotFound = "dns_name_not_found",
        DnsLookupFailed = "dns_lookup_failed",
        ConnectionRefused = "connection_refused",
        NoAnswer = "no_answer",
        NetworkUnreachable = "network_unreachable",
        ConnectionClosed = "connection_closed",
        ServerTimeout = "server_timeout",
        // Speaking the right protocol and TLS mode.
        TlsModeMismatch = "tls_mode_mismatch",
        NotImapServer = "not_imap_server",
        NotSmtpServer = "not_smtp_server",
        OutdatedTlsOnly = "outdated_tls_only",
        TlsHandshakeFailed = "tls_handshake_failed",
        StarttlsNotOffered = "starttls_not_offered",
        StarttlsRefused = "starttls_refused",
        // Certificates.
        CertificateSelfSigned = "certificate_self_signed",
        CertificateUnknownIssuer = "certificate_unknown_issuer",
        CertificateExpired = "certificate_expired",
        CertificateNotYetValid = "certificate_not_yet_valid",
        CertificateNameMismatch = "certificate_name_mismatch",
        CertificateInvalid = "certificate_invalid",
        // Logging in.
        InvalidCredentials = "invalid_credentials",
        AppPasswordRequired = "app_password_required",
        BasicAuthDisabled = "basic_auth_disabled",
        ImapDisabled = "imap_disabled",
        WebLoginRequired = "web_login_required",
        AccountDisabled = "account_disabled",
        TooManyConnections = "too_many_connections",
        PlaintextLoginRefused = "plaintext_login_refused",
        NoSupportedAuthMechanism = "no_supported_auth_mechanism",
        AuthFailedUnspecified = "auth_failed_unspecified",
        TemporaryServerError = "temporary_server_error",
        // Logging in with an OAuth access token.
        OauthNotOffered = "oauth_not_offered",
        TokenExpired = "token_expired",
        TokenWrongAudience = "token_wrong_audience",
        TokenScopeMissing = "token_scope_missing",
        TokenWrongUser = "token_wrong_user",
        TokenRejected = "token_rejected",
        SmtpAuthDisabled = "smtp_auth_disabled",
        // Validating the mailbox.
        MailboxListFailed = "mailbox_list_failed",
        InboxNotSelectable = "inbox_not_selectable",
        MailboxUnavailable = "mailbox_unavailable",
        // Sending the test email.
        SenderRejected = "sender_rejected",
        RecipientRejected = "recipient_rejected",
        MessageRejected = "message_rejected",
        SendingLimitReached = "sending_limit_reached",
        TestMessageNotArriving = "test_message_not_arriving",
        // Anything the server said that fits nothing above.
        UnexpectedReply = "unexpected_reply",
        // Warnings: the connection works, but something deserves attention.
        CertificateExpiringSoon = "certificate_expiring_soon",
        FewerSessionsThanTarget = "fewer_sessions_than_target",
        AuthOfferedBeforeTls = "auth_offered_before_tls",
        WeakTlsAccepted = "weak_tls_accepted",
        PlaintextSession = "plaintext_session",
        SentFolderNotFound = "sent_folder_not_found",
        CapabilityMissing = "capability_missing",
    }
}

impl Cause {
    /// Whether this cause is about the certificate, which the user may choose to accept.
    pub fn is_certificate(self) -> bool {
        matches!(
            self,
            Cause::CertificateSelfSigned
                | Cause::CertificateUnknownIssuer
                | Cause::CertificateExpired
                | Cause::CertificateNotYetValid
                | Cause::CertificateNameMismatch
                | Cause::CertificateInvalid
        )
    }

    /// Whether this cause is about logging in with an OAuth access token: the user fixes it
    /// by getting another token (or by an administrator's switch), not by a password.
    pub fn is_token(self) -> bool {
        matches!(
            self,
            Cause::OauthNotOffered
                | Cause::TokenExpired
                | Cause::TokenWrongAudience
                | Cause::TokenScopeMissing
                | Cause::TokenWrongUser
                | Cause::TokenRejected
                | Cause::SmtpAuthDisabled
        )
    }

    /// The category a failure with this cause belongs to, given the step it happened in.
    ///
    /// Credentials the server plainly refused are `unauthorized` on either protocol (as the
    /// source documents say); an IMAP login refusal that names no reason is an
    /// `imap_authentication_error`; everything before login is "settings incorrect" for its side.
    pub fn category_at(self, step: StepId) -> Category {
        use Cause::*;
        let side_settings = if step.is_smtp() {
            Category::SmtpSettingsIncorrect
        } else {
            Category::ImapSettingsIncorrect
        };
        match self {
            c if c.is_certificate() => Category::UnauthorizedUntrustedCertificate,
            AppPasswordRequired => Category::UnauthorizedAppPasswordRequired,
            InvalidCredentials | BasicAuthDisabled | ImapDisabled | WebLoginRequired
            | AccountDisabled => Category::Unauthorized,
            c if c.is_token() => Category::Unauthorized,
            AuthFailedUnspecified | TooManyConnections | TemporaryServerError
                if step == StepId::ImapLogin =>
            {
                Category::ImapAuthenticationError
            }
            AuthFailedUnspecified => Category::Unauthorized,
            MailboxListFailed
            | InboxNotSelectable
            | MailboxUnavailable
            | SentFolderNotFound
            | CapabilityMissing
            | FewerSessionsThanTarget => Category::ImapValidationError,
            SenderRejected
            | RecipientRejected
            | MessageRejected
            | SendingLimitReached
            | TestMessageNotArriving => Category::TestEmailFailed,
            _ => match step {
                StepId::ImapValidate => Category::ImapValidationError,
                StepId::SmtpSend | StepId::Roundtrip => Category::TestEmailFailed,
                _ => side_settings,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_documented_and_round_trips() {
        let doc = include_str!("../../../docs/causes.md");
        for &c in Cause::ALL {
            assert!(
                doc.contains(&format!("`{}`", c.code())),
                "docs/causes.md lacks {c}"
            );
            assert_eq!(Cause::from_code(c.code()), Some(c));
        }
        for &c in Category::ALL {
            assert!(
                doc.contains(&format!("`{}`", c.code())),
                "docs/causes.md lacks {c}"
            );
            assert_eq!(Category::from_code(c.code()), Some(c));
        }
        for &r in crate::SkipReason::ALL {
            assert!(
                doc.contains(&format!("`{}`", r.code())),
                "docs/causes.md lacks {r}"
            );
        }
        for &e in crate::ErrorCode::ALL {
            assert!(
                doc.contains(&format!("`{}`", e.code())),
                "docs/causes.md lacks the refusal {e:?}"
            );
        }
    }

    #[test]
    fn the_category_follows_the_side() {
        assert_eq!(
            Cause::ConnectionRefused.category_at(StepId::ImapConnect),
            Category::ImapSettingsIncorrect
        );
        assert_eq!(
            Cause::ConnectionRefused.category_at(StepId::SmtpConnect),
            Category::SmtpSettingsIncorrect
        );
        assert_eq!(
            Cause::TooManyConnections.category_at(StepId::ImapLogin),
            Category::ImapAuthenticationError
        );
        assert_eq!(
            Cause::InvalidCredentials.category_at(StepId::SmtpLogin),
            Category::Unauthorized
        );
    }
}
