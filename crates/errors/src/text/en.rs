//! English texts. The reference language: the other languages translate these.

use super::{CauseText, Label, Phrase};
use crate::finding::FindingKind;
use crate::hint::HintKind;
use crate::protocol::ErrorCode;
use crate::step::{SkipReason, StepId};
use crate::taxonomy::{Category, Cause};

pub(super) fn category(c: Category) -> &'static str {
    match c {
        Category::ImapSettingsIncorrect => "IMAP settings incorrect",
        Category::ImapAuthenticationError => "IMAP authentication error",
        Category::ImapValidationError => "IMAP validation error",
        Category::SmtpSettingsIncorrect => "SMTP settings incorrect",
        Category::TestEmailFailed => "Test email failed",
        Category::Unauthorized => "Unauthorized",
        Category::UnauthorizedAppPasswordRequired => "Unauthorized – app password required",
        Category::UnauthorizedUntrustedCertificate => "Unauthorized – SSL certificate not trusted",
    }
}

pub(super) fn step(s: StepId) -> &'static str {
    match s {
        StepId::Resolve => "Look up the server names",
        StepId::ImapConnect => "Connect to the IMAP server",
        StepId::ImapTls => "Secure the IMAP connection",
        StepId::ImapLogin => "Log in to IMAP",
        StepId::ImapValidate => "Check the mailbox",
        StepId::SmtpConnect => "Connect to the SMTP server",
        StepId::SmtpTls => "Secure the SMTP connection",
        StepId::SmtpLogin => "Log in to SMTP",
        StepId::SmtpSend => "Send a test email",
        StepId::Roundtrip => "Wait for the test email in the inbox",
    }
}

pub(super) fn skip(r: SkipReason) -> &'static str {
    match r {
        SkipReason::ImapFailed => "an earlier IMAP step failed",
        SkipReason::SmtpFailed => "an earlier SMTP step failed",
        SkipReason::NameNotResolved => "the server name was not found",
        SkipReason::PlainRequested => "a connection without TLS was asked for",
        SkipReason::NotRequested => "not asked for",
        SkipReason::TestEmailNotSent => "the test email was not sent",
        SkipReason::OtherRecipient => "the test email goes to another mailbox",
    }
}

pub(super) fn phrase(p: Phrase) -> &'static str {
    match p {
        Phrase::Passed => "passed",
        Phrase::Failed => "failed",
        Phrase::Skipped => "skipped",
        Phrase::Warning => "Warning",
        Phrase::WhatToDo => "What to do",
        Phrase::ServerSaid => "The server said",
        Phrase::AllPassed => "Everything works: this mailbox can be connected.",
        Phrase::Detail => "Detail",
    }
}

pub(super) fn cause(c: Cause) -> CauseText {
    use Cause::*;
    let (title, explanation, remediation): (&str, &str, &[&str]) = match c {
        DnsNameNotFound => (
            "Server name not found",
            "The server name does not exist in DNS, so there is nothing to connect to. It is usually a typo or a name that was never set up.",
            &[
                "Check the spelling of the server name (for example imap.example.com, not imap.example.con).",
                "Look up the correct server name in your email provider's help pages or ask your IT team.",
            ],
        ),
        DnsLookupFailed => (
            "Server name could not be looked up",
            "The DNS lookup for the server name failed without a definite answer. The name may be fine; the DNS servers did not respond properly.",
            &[
                "Try again in a few minutes.",
                "If it keeps failing, ask your IT team whether the domain's DNS is working.",
            ],
        ),
        ConnectionRefused => (
            "Connection refused (port closed)",
            "The server answered but refused the connection on this port: nothing is listening there, or a firewall rejects it.",
            &[
                "Check the port. IMAP usually uses 993 (TLS) or 143 (STARTTLS); SMTP uses 465 (TLS), 587 (STARTTLS) or 25.",
                "Check that the server name is the mail server and not, for example, the website.",
                "If the settings are right, ask your IT team whether the mail service is running and reachable from outside.",
            ],
        ),
        NoAnswer => (
            "No answer (filtered?)",
            "The server did not answer at all within the time limit. A firewall is most likely dropping the connection silently, or the address is wrong.",
            &[
                "Check the server name and port.",
                "If your IT team only allows certain IP addresses, ask them to allowlist the source address shown in this report.",
                "Check that no firewall on your own network blocks outgoing connections to this port.",
            ],
        ),
        NetworkUnreachable => (
            "Network unreachable",
            "There is no network route to the server's address from where the test ran.",
            &[
                "Check the server name; it may point to an internal or outdated address.",
                "If the server is on an internal network, run the test from inside that network.",
            ],
        ),
        ConnectionClosed => (
            "Connection closed by the server",
            "The server closed the connection unexpectedly in the middle of the conversation.",
            &[
                "Try again; the server may have been restarting.",
                "If it keeps happening, send this report to your IT team: the transcript shows where the server hung up.",
            ],
        ),
        ServerTimeout => (
            "The server stopped answering",
            "The connection was open, but the server did not reply within the time limit.",
            &[
                "Try again in a few minutes.",
                "If it keeps happening, send this report to your IT team.",
            ],
        ),
        TlsModeMismatch => (
            "Wrong security mode for this port",
            "The security setting does not match what the server speaks on this port: one side expected an encrypted (TLS) connection from the start, the other a plain greeting followed by STARTTLS.",
            &[
                "Use TLS (SSL) for ports 993 and 465, and STARTTLS for ports 143 and 587.",
                "Or keep the security setting and change the port to the one that matches it.",
            ],
        ),
        NotImapServer => (
            "Not an IMAP server",
            "Something answered on this port, but it is not an IMAP server.",
            &[
                "Check the server name and port; IMAP usually uses 993 or 143.",
                "Make sure you did not swap the IMAP and SMTP settings.",
            ],
        ),
        NotSmtpServer => (
            "Not an SMTP server",
            "Something answered on this port, but it is not an SMTP server.",
            &[
                "Check the server name and port; SMTP usually uses 465, 587 or 25.",
                "Make sure you did not swap the IMAP and SMTP settings.",
            ],
        ),
        OutdatedTlsOnly => (
            "The server only speaks outdated TLS",
            "The server only offers SSLv3, TLS 1.0 or TLS 1.1. These versions are insecure and are refused; TLS 1.2 or newer is required.",
            &[
                "Ask your IT team or provider to enable TLS 1.2 and TLS 1.3 on the mail server.",
                "There is no safe setting on your side that works around this.",
            ],
        ),
        TlsHandshakeFailed => (
            "Secure connection could not be set up",
            "The TLS handshake with the server failed for a reason other than the certificate.",
            &[
                "Check the security setting and the port.",
                "Send this report to your IT team; the detail names what went wrong.",
            ],
        ),
        StarttlsNotOffered => (
            "The server does not offer STARTTLS",
            "The connection was plain and the server does not offer to switch it to TLS, so the password would travel unencrypted.",
            &[
                "Try the implicit TLS port instead (993 for IMAP, 465 for SMTP) with security set to TLS.",
                "Ask your IT team to enable STARTTLS on this port.",
            ],
        ),
        StarttlsRefused => (
            "The server refused STARTTLS",
            "The server advertised STARTTLS but refused to start it.",
            &[
                "Try the implicit TLS port instead (993 for IMAP, 465 for SMTP).",
                "Send this report to your IT team; the server's reply is included.",
            ],
        ),
        CertificateSelfSigned => (
            "Self-signed certificate",
            "The server's certificate is signed by itself, not by a certificate authority, so nobody vouches that it belongs to this server.",
            &[
                "Ask your IT team to install a certificate from a trusted certificate authority.",
                "If you trust this server, you can tick \"Allow non-secure certificate\" and connect anyway.",
            ],
        ),
        CertificateUnknownIssuer => (
            "Certificate from an unknown authority",
            "The server's certificate is signed by an authority that is not trusted, often an internal company CA, or the server does not send the intermediate certificates.",
            &[
                "Ask your IT team to send the full certificate chain, or to use a certificate from a public authority.",
                "If it is your organisation's own CA, add it as a trusted CA (on-prem relay: --ca-file).",
                "If you trust this server, tick \"Allow non-secure certificate\".",
            ],
        ),
        CertificateExpired => (
            "Certificate expired",
            "The server's certificate is past its end date and is no longer valid.",
            &[
                "Ask your IT team or provider to renew the certificate.",
                "Until then, \"Allow non-secure certificate\" lets you connect, at your own risk.",
            ],
        ),
        CertificateNotYetValid => (
            "Certificate not yet valid",
            "The server's certificate starts being valid in the future. The server's clock or the certificate's dates are wrong.",
            &[
                "Ask your IT team to check the certificate dates and the server clock.",
            ],
        ),
        CertificateNameMismatch => (
            "Certificate is for another name",
            "The certificate is valid, but for a different server name than the one you entered.",
            &[
                "Use the server name the certificate was issued for (it is listed in the certificate details below).",
                "Or ask your IT team to add this name to the certificate.",
            ],
        ),
        CertificateInvalid => (
            "Certificate rejected",
            "The server's certificate is malformed or fails verification.",
            &[
                "Ask your IT team to check the certificate; the detail names the problem.",
            ],
        ),
        InvalidCredentials => (
            "Wrong username or password",
            "The server rejected the username or password.",
            &[
                "Check the email address and password; sign in to webmail with the same password to be sure.",
                "Some servers need a username other than the email address; ask your IT team.",
                "If your account uses two-step verification, you probably need an app password.",
            ],
        ),
        AppPasswordRequired => (
            "App password required",
            "Your provider does not accept your normal password for email programs. It requires an app-specific password.",
            &[
                "Create an app password in your email account's security settings.",
                "Use that app password here instead of your normal password.",
            ],
        ),
        BasicAuthDisabled => (
            "Password login is turned off",
            "The server no longer accepts a username and password for this protocol (basic authentication is disabled); it expects OAuth or the feature is switched off by an administrator.",
            &[
                "Ask your administrator to allow authenticated SMTP or IMAP (basic authentication) for this mailbox.",
                "Microsoft 365: the administrator enables \"Authenticated SMTP\" for the mailbox or the tenant.",
            ],
        ),
        ImapDisabled => (
            "IMAP access is turned off",
            "The account or the domain does not allow IMAP access, or the password is wrong: the server does not say which.",
            &[
                "Turn on IMAP access in your email account's settings, or ask your administrator to allow it.",
                "If IMAP is already on, check the password.",
            ],
        ),
        WebLoginRequired => (
            "Sign in on the web first",
            "The provider blocked the login and asks you to sign in through its website first, usually after a suspicious-looking sign-in.",
            &[
                "Sign in to your webmail in a browser and confirm any security prompt.",
                "Then run this test again.",
            ],
        ),
        AccountDisabled => (
            "Account needs attention",
            "The server says the account is disabled, locked or needs an administrator.",
            &[
                "Contact your email administrator or provider.",
            ],
        ),
        TooManyConnections => (
            "Too many connections",
            "The server refused because this account already has too many simultaneous connections. Some servers report this as an authentication error.",
            &[
                "Close other email programs or devices connected to this mailbox, or wait a few minutes.",
                "Ask your IT team to raise the limit on simultaneous connections per user.",
            ],
        ),
        PlaintextLoginRefused => (
            "Login over an unencrypted connection refused",
            "The server does not accept a password over an unencrypted connection.",
            &[
                "Set security to TLS (port 993 or 465) or STARTTLS (port 143 or 587).",
            ],
        ),
        NoSupportedAuthMechanism => (
            "No password login offered",
            "The server offers no login method that takes a password (PLAIN or LOGIN), at least not on this connection.",
            &[
                "Use a secured connection (TLS or STARTTLS); many servers offer password login only there.",
                "Ask your IT team whether this server requires OAuth or another login method.",
            ],
        ),
        AuthFailedUnspecified => (
            "Login refused without a reason",
            "The server refused the login but did not say why. Common reasons are a wrong password, an app password being required, password login being disabled, or a source address that is not allowed.",
            &[
                "Check the email address, username and password.",
                "Check whether your provider requires an app password or has turned off password login (basic authentication).",
                "If your IT team only allows certain IP addresses, ask them to allowlist the source address in this report.",
            ],
        ),
        TemporaryServerError => (
            "Temporary server problem",
            "The server reported a temporary problem unrelated to your settings.",
            &[
                "Try again in a few minutes.",
                "If it persists, send this report to your IT team or provider.",
            ],
        ),
        OauthNotOffered => (
            "No OAuth login offered",
            "The server offers no way to log in with an OAuth token (neither XOAUTH2 nor OAUTHBEARER), at least not on this connection, so the token cannot be used here.",
            &[
                "Check that the server and port are your provider's (for example outlook.office365.com or smtp.office365.com for Microsoft 365, imap.gmail.com for Gmail).",
                "Use a secured connection (TLS or STARTTLS); some servers offer OAuth login only there.",
                "Otherwise, log in with a password or an app password if your provider allows it, or ask your administrator.",
            ],
        ),
        TokenExpired => (
            "Access token expired",
            "The access token is no longer valid: its lifetime is over. Tokens usually last about an hour.",
            &[
                "Sign in again to get a fresh token, then run this test again.",
                "If a product connects this mailbox, it has to renew the token with its refresh token before the token runs out.",
            ],
        ),
        TokenWrongAudience => (
            "Token is for another service",
            "The access token was issued for a service other than email (for example Microsoft Graph), so the mail server does not accept it.",
            &[
                "Microsoft 365: request the token with a scope under https://outlook.office.com/, for example https://outlook.office.com/IMAP.AccessAsUser.All.",
                "Gmail: request the token with the scope https://mail.google.com/.",
                "Then sign in again and run this test again.",
            ],
        ),
        TokenScopeMissing => (
            "Token lacks a permission",
            "The access token does not include the permission (scope) this protocol needs; for example, it allows IMAP but not sending with SMTP.",
            &[
                "Sign in again and ask for the missing permission (Microsoft 365: IMAP.AccessAsUser.All for IMAP, SMTP.Send for SMTP).",
                "If the permission is not offered, an administrator may first need to consent to it in the app registration.",
            ],
        ),
        TokenWrongUser => (
            "Token belongs to another account",
            "The access token was issued for a different account than the mailbox you are connecting.",
            &[
                "Sign in again with the mailbox's own account; make sure your browser is not already signed in to another account.",
                "For a shared mailbox, the account you sign in with needs access rights to it; ask your administrator.",
            ],
        ),
        TokenRejected => (
            "Token refused",
            "The server refused the access token without saying why. It may have been revoked, made invalid by signing out or a password change, damaged, or issued by another provider.",
            &[
                "Sign in again to get a fresh token, then run this test again.",
                "Ask your administrator whether your organization allows the app you signed in with.",
                "Check that your computer's date and time are correct.",
            ],
        ),
        SmtpAuthDisabled => (
            "SMTP login is turned off",
            "The token is fine, but authenticated SMTP (sending with a login) is switched off for this mailbox or the whole organization. OAuth does not help while it is off.",
            &[
                "Ask your administrator to turn on authenticated SMTP for this mailbox or the organization.",
                "Microsoft 365: in the admin center, the administrator opens the user, then Mail → Manage email apps, and turns on \"Authenticated SMTP\"; or turns it on for the whole tenant.",
            ],
        ),
        MailboxListFailed => (
            "Folders could not be listed",
            "The login worked, but the server refused to list the mailbox's folders.",
            &[
                "Send this report to your IT team; the server's reply is included.",
            ],
        ),
        InboxNotSelectable => (
            "INBOX cannot be opened",
            "The login worked, but the server refused to open the INBOX, so new mail cannot be read.",
            &[
                "Check that the mailbox works in webmail.",
                "Send this report to your IT team; the server's reply is included.",
            ],
        ),
        MailboxUnavailable => (
            "Mailbox not available",
            "The login worked, but the server could not reach the mailbox behind it (it may be disabled for IMAP or being moved).",
            &[
                "Check that IMAP is enabled for this mailbox.",
                "Try again later; if it persists, ask your administrator.",
            ],
        ),
        SenderRejected => (
            "Sender address refused",
            "The SMTP server refused to send mail from this address with this login.",
            &[
                "Send from the address that belongs to the login, or ask your administrator for \"send as\" permission.",
            ],
        ),
        RecipientRejected => (
            "Recipient refused",
            "The SMTP server refused the test recipient. It may not relay to this address for this login, or the address does not exist.",
            &[
                "Check that you logged in to SMTP (an unauthenticated server refuses to relay).",
                "Check the test recipient address.",
                "If your IT team only allows certain IP addresses to send, ask them to allowlist the source address in this report.",
            ],
        ),
        MessageRejected => (
            "Test email refused",
            "The SMTP server refused the message itself after accepting sender and recipient.",
            &[
                "Send this report to your IT team; the server's reply says why.",
            ],
        ),
        SendingLimitReached => (
            "Sending limit reached",
            "The account has reached its sending limit for now.",
            &[
                "Wait until the limit resets (often 24 hours), or ask your provider to raise it.",
            ],
        ),
        TestMessageNotArriving => (
            "Test email did not arrive",
            "The server accepted the test email, but it did not appear in the INBOX within the time limit.",
            &[
                "Check the spam folder and the server's filters.",
                "Delivery may just be slow; run the test again.",
                "If it never arrives, ask your IT team to look for the Message-ID in this report in the mail logs.",
            ],
        ),
        UnexpectedReply => (
            "Unexpected reply",
            "The server answered in a way that fits no known situation.",
            &[
                "Send this report to your IT team; the server's reply is included.",
            ],
        ),
        CertificateExpiringSoon => (
            "Certificate expires soon",
            "The server's certificate expires within 30 days. When it does, connections will fail.",
            &[
                "Tell your IT team or provider to renew the certificate in time.",
            ],
        ),
        FewerSessionsThanTarget => (
            "Few simultaneous connections allowed",
            "The server allows fewer simultaneous connections for this account than a connected product may need; it may refuse logins later.",
            &[
                "Ask your IT team to raise the limit on simultaneous connections per user.",
                "Close other email programs connected to this mailbox.",
            ],
        ),
        AuthOfferedBeforeTls => (
            "Password login offered before encryption",
            "The server offers password login on an unencrypted connection. A careless client would send the password in clear text.",
            &[
                "Ask your IT team to allow login only after TLS.",
            ],
        ),
        WeakTlsAccepted => (
            "Outdated TLS still accepted",
            "The connection used modern TLS, but the server also accepts TLS 1.0 or 1.1, which are insecure.",
            &[
                "Ask your IT team to turn off TLS 1.0 and 1.1 on the mail server.",
            ],
        ),
        PlaintextSession => (
            "Unencrypted connection",
            "This session ran without TLS, so the password and mail travel in clear text.",
            &[
                "Use TLS (port 993 or 465) or STARTTLS (port 143 or 587) whenever the server offers it.",
            ],
        ),
        SentFolderNotFound => (
            "No Sent folder found",
            "No folder is marked as Sent and none has a usual name, so sent mail may not be filed.",
            &[
                "Create a folder named \"Sent\" in webmail, or choose the Sent folder in the product's settings.",
            ],
        ),
        CapabilityMissing => (
            "IMAP feature missing",
            "The server lacks an IMAP feature that makes syncing efficient (such as IDLE or UIDPLUS). It works, but more slowly.",
            &[
                "Nothing to do now; ask your IT team to update the mail server if syncing is slow.",
            ],
        ),
    };
    CauseText {
        title,
        explanation,
        remediation,
    }
}

pub(super) fn hint(h: HintKind) -> &'static str {
    match h {
        HintKind::Alternative => "Port {port} on {host} answers with {mode}; you entered port {entered_port} with {entered_mode}. Use those settings.",
        HintKind::AppPassword => "{provider} accepts only an app password from mail programs: create one at {url} and enter it instead of your account password.",
        HintKind::AppPasswordNoUrl => "{provider} accepts only an app password from mail programs: create one in the security settings of your {provider} account and enter it instead of your account password.",
        HintKind::OauthOnly => "{provider} refuses password logins from mail programs for this kind of account. The product has to sign in with OAuth (a \"Sign in with …\" button) instead; no password will work.",
        HintKind::ImapSwitch => "IMAP access must first be switched on in your {provider} web settings: {url}",
        HintKind::M365SmtpAuth => "In Microsoft 365, an administrator must allow authenticated SMTP for this mailbox (Microsoft 365 admin center → the user → Mail → Manage email apps).",
        HintKind::WorkspaceAdminImap => "In Google Workspace, the administrator decides whether IMAP is allowed: ask them to turn it on for your organisational unit.",
        HintKind::BridgeLocal => "{provider} mail is reached through the Bridge app on your own computer: it must be running, and the password is the one the Bridge shows, not your account password.",
        HintKind::ModeTls => "implicit TLS",
        HintKind::ModeStarttls => "STARTTLS",
        HintKind::ModePlain => "no encryption",
    }
}

pub(super) fn refusal(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::BadMessage => "The page sent a message the relay does not understand. Reload the page and try again.",
        ErrorCode::UnsupportedVersion => "This page is older or newer than the relay. Reload the page.",
        ErrorCode::InvalidRequest => "Something in the form cannot be checked as entered. Look at the addresses, names and ports.",
        ErrorCode::AlreadyStarted => "A check is already running in this window.",
        ErrorCode::FrameTooLarge => "The form sent more data than the relay accepts.",
        ErrorCode::OriginNotAllowed => "This website may not use this relay. Its operator can allow it.",
        ErrorCode::Unauthorized => "This relay is private and needs an access token.",
        ErrorCode::RateLimited => "Too many checks from your connection in a short time. Wait a minute and try again.",
        ErrorCode::TooManyRuns => "Your connection is already running as many checks as it may at once. Wait for them to finish.",
        ErrorCode::Busy => "The relay is busy right now. Try again in a moment.",
        ErrorCode::TooManySockets => "Your connection has too many check windows open. Close some and try again.",
        ErrorCode::AccountRateLimited => "This mailbox's login was refused too often lately, so the relay pauses checks of it for a while. Wait before trying again, and check the password in the meantime.",
        ErrorCode::TargetRateLimited => "Logins to this mail server were refused too often lately, so the relay pauses checks of it for a while. Try again later.",
        ErrorCode::HostNotAllowed => "This page reached the relay under a name it does not serve. Open it at its usual address.",
        ErrorCode::EgressRefused => "The relay is not allowed to connect to this server.",
        ErrorCode::RecipientNotAllowed => "The test email may only go to the mailbox itself.",
        ErrorCode::Timeout => "The check took too long and was stopped.",
        ErrorCode::ShuttingDown => "The relay is restarting. Try again in a moment.",
        ErrorCode::Internal => "The relay ran into a problem of its own. Try again; if it keeps happening, tell its operator.",
    }
}

pub(super) fn finding(k: FindingKind) -> &'static str {
    match k {
        FindingKind::CapabilitiesMissing => "The server does not announce: {capabilities}.",
        FindingKind::Sessions => "Simultaneous sessions allowed: {allowed} of {wanted}.",
        FindingKind::ExpiresIn => "Days until the certificate expires: {days}.",
        FindingKind::AlsoAccepts => "The server also accepts {version}.",
        FindingKind::OfferedInClear => "Offered before encryption: {mechanisms}.",
    }
}

pub(super) fn label(l: Label) -> &'static str {
    match l {
        Label::Title => "Inbox Doctor",
        Label::Intro => "Finds out why your mailbox cannot connect, and what to do about it. We connect to your servers exactly as a connected product would, and show every step.",
        Label::Language => "Language",
        Label::Email => "Email address",
        Label::Password => "Password",
        Label::KeepPassword => "Keep the password after the check",
        Label::Username => "Username",
        Label::UsernameHint => "Only if it is not your email address",
        Label::ImapServer => "Incoming mail (IMAP)",
        Label::SmtpServer => "Outgoing mail (SMTP)",
        Label::Host => "Server",
        Label::Port => "Port",
        Label::Security => "Security",
        Label::SecurityAuto => "Automatic (by port)",
        Label::SecurityTls => "SSL/TLS",
        Label::SecurityStarttls => "STARTTLS",
        Label::SecurityPlain => "None (unencrypted)",
        Label::SeparateSmtp => "Different login for SMTP",
        Label::SmtpUsername => "SMTP username",
        Label::SmtpPassword => "SMTP password",
        Label::AllowInsecure => "Allow non-secure certificate",
        Label::AllowInsecureHint => "Go on past an untrusted certificate; it is still reported",
        Label::TestRecipient => "Send the test email to",
        Label::Roundtrip => "Wait until the test email arrives in the inbox",
        Label::Run => "Check my mailbox",
        Label::Running => "Checking…",
        Label::Cancel => "Stop",
        Label::Prefilled => "Set by your administrator for every mailbox of this domain",
        Label::Discovered => "Filled in with the settings found for your address",
        Label::LookingUp => "Looking up the settings for your address…",
        Label::ErrEmail => "Enter an email address like name@example.com.",
        Label::ErrPassword => "Enter the password.",
        Label::ErrHost => "Enter the server name.",
        Label::ErrPort => "The port is a number from 1 to 65535.",
        Label::Steps => "Steps",
        Label::Imap => "IMAP",
        Label::Smtp => "SMTP",
        Label::Waiting => "waiting",
        Label::InProgress => "in progress",
        Label::Passed => "passed",
        Label::Failed => "failed",
        Label::Skipped => "skipped",
        Label::AllGood => "Everything works: this mailbox can be connected.",
        Label::ServerSaid => "The server said",
        Label::Detail => "Detail",
        Label::WhatToDo => "What to do",
        Label::Warnings => "Worth fixing",
        Label::TlsPanel => "Encryption and certificates",
        Label::Version => "Version",
        Label::Cipher => "Cipher",
        Label::Certificate => "Certificate",
        Label::Subject => "Subject",
        Label::Issuer => "Issuer",
        Label::Names => "Names",
        Label::ValidFrom => "Valid from",
        Label::ValidTo => "Valid until",
        Label::Key => "Key",
        Label::Verdict => "Verdict",
        Label::Transcript => "Transcript (passwords removed)",
        Label::CopyReport => "Copy report",
        Label::Copied => "Copied",
        Label::DownloadJson => "Download JSON",
        Label::RelayError => "The check could not run",
        Label::ConnectionLost => "The connection to the checking service was lost.",
        Label::Cancelled => "Stopped.",
        Label::NotRun => "not run",
        Label::Advice => "Suggestions",
        Label::AdviceIntro => "The mailbox works. These would make it work better:",
        Label::NotHere => "Checks cannot run on this page",
        Label::TechnicalDetails => "Technical details (for IT)",
        Label::Code => "Code",
        Label::Step => "Step",
        Label::BothSides => "Incoming and outgoing mail (IMAP and SMTP)",
        Label::SameOnBoth => "Incoming and outgoing mail fail for the same reason.",
        Label::RetryAllowingCertificate => "Check again, going on past this certificate",
        Label::RetypePassword => "The password is not kept after a check. Type it again, then check again.",
        Label::TrustedTypesRefused => "Inbox Doctor cannot start on this page: the page's security policy (Trusted Types) does not allow it. The site's operator can allow the policy \"inbox-doctor\".",
        Label::SigninInstead => "Mailbox without a password? Sign in with its provider instead:",
        Label::SigninWith => "Sign in with {provider}",
        Label::SignedIn => "Signed in with {provider}. The check logs in with this sign-in; no password is needed.",
        Label::SignOut => "Use a password instead",
        Label::SigninFailed => "The sign-in did not complete. Try again.",
        Label::SigninOffer => "This mailbox may only take a sign-in with its provider. Check again that way:",
        Label::AdminOpen => "Administration",
        Label::AdminTitle => "Domain settings",
        Label::AdminIntro => "Settings stored here pre-fill the form for every mailbox of a domain. Wrong settings disconnect them all, so every change is checked first.",
        Label::AdminToken => "Admin token",
        Label::AdminTokenHint => "Kept in this page only while it is open, never in its address.",
        Label::AdminEnter => "Open",
        Label::AdminRefused => "The relay did not accept this token.",
        Label::Domain => "Domain",
        Label::Domains => "Stored domains",
        Label::NoDomains => "No domain has stored settings yet.",
        Label::ChangedBy => "Changed by",
        Label::Edit => "Edit",
        Label::History => "History",
        Label::AddDomain => "Add a domain",
        Label::CheckSettings => "Check",
        Label::SaveSettings => "Save",
        Label::SaveAnyway => "Save anyway",
        Label::SaveAnywayWarning => "These settings failed the check. Saving them anyway gives every mailbox of the domain settings that do not work now.",
        Label::Saved => "Saved.",
        Label::SavedForced => "Saved although the check failed. The history records it.",
        Label::NotSaved => "Not saved: the check failed.",
        Label::AnswersAsConfigured => "Answers as configured",
        Label::Changes => "Changes",
        Label::Field => "Field",
        Label::Before => "Before",
        Label::After => "After",
        Label::NoChanges => "No field changes.",
        Label::Restore => "Restore this version",
        Label::RestoreAnyway => "Restore anyway",
        Label::ChangeAction => "Change",
        Label::StoredPast => "Stored although the check found",
        Label::EgressTitle => "The relay's addresses",
        Label::EgressIntro => "Mail servers that only accept known clients must allow these addresses.",
        Label::EgressNotPinned => "The relay connects from whatever address its host uses; pin addresses in its configuration to allowlist them.",
        Label::Copy => "Copy",
        Label::Close => "Close",
        Label::UseStaticIps => "Connect from the relay's fixed addresses",
    }
}
