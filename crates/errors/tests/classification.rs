//! Classification checked against replies that real mail servers sent.
//!
//! Every server text in `ROWS` was found in a public source, named in the comment above its row
//! (`owner/repo#issue` for an issue or pull request, `owner/repo path` for a file, or
//! PROVIDER-REPLIES.md). A file is either a client that quotes what a provider said or the source
//! of a server that writes the reply (Dovecot, Courier, Exim, Postfix, …); for a server the
//! comment names the version when the text has changed since. Texts are copied as the source
//! shows them. The kinds of reconstruction are marked in the comments:
//! - "tag ours": the source shows the server's words without the IMAP tag the client chose, so
//!   the row puts one in front (`a1`), as a server would echo it;
//! - "lines joined": the source printed a multi-line SMTP reply on one line (a Postfix log, a
//!   Python tuple); the row restores the reply code and joins the lines with "\n";
//! - "stamp ours", "the limit is ours": server source fills in a timestamp or a configured number;
//!   the row writes one.
//!
//! `CONSTRUCTED_ROWS` is apart and says so: replies written from a phrase the classifier matches
//! when no public source was found for it. The second half of `ROWS` checks the observations that
//! carry no server text, on both sides: before login the category follows the side
//! (`imap_settings_incorrect` / `smtp_settings_incorrect`).
//!
//! The coverage tests at the end keep the table honest about the classifier: every cause that
//! `classify` can return is produced by a row, and every phrase needle of `classify::phrases`
//! decides a row.

use inbox_doctor_errors::Category::*;
use inbox_doctor_errors::Cause::*;
use inbox_doctor_errors::StepId::*;
use inbox_doctor_errors::{
    classify, classify::phrases, Category, Cause, CertVerdict, ImapCommand, Observation,
    SaslStatus, SmtpCommand, StepId, TokenFacts,
};
use ImapCommand as I;
use SmtpCommand as S;

struct Row {
    provider: &'static str,
    step: StepId,
    observation: Observation<&'static str>,
    category: Category,
    cause: Cause,
}

const fn imap(command: ImapCommand, text: &'static str) -> Observation<&'static str> {
    Observation::ImapReply { command, text }
}

const fn smtp(command: SmtpCommand, text: &'static str) -> Observation<&'static str> {
    Observation::SmtpReply { command, text }
}

/// A refused OAuth token: the server's final reply, and what else was known.
const fn token(text: &'static str, facts: TokenFacts) -> Observation<&'static str> {
    Observation::TokenRefused { text, facts }
}

/// Nothing known besides the reply (an opaque token, no SASL error).
const UNKNOWN: TokenFacts = TokenFacts {
    expired: None,
    audience_ok: None,
    scope_ok: None,
    user_ok: None,
    status: None,
};

/// The token's claims all as expected: the server refused a token that looks right.
const LOOKS_RIGHT: TokenFacts = TokenFacts {
    expired: Some(false),
    audience_ok: Some(true),
    scope_ok: Some(true),
    user_ok: Some(true),
    status: None,
};

const fn row(
    provider: &'static str,
    step: StepId,
    observation: Observation<&'static str>,
    category: Category,
    cause: Cause,
) -> Row {
    Row {
        provider,
        step,
        observation,
        category,
        cause,
    }
}

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // ---------------------------------------------------------------- IMAP login
    // jstedfast/MailKit#1276
    row("Gmail", ImapLogin, imap(I::Login, "A00000001 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"),
        Unauthorized, InvalidCredentials),
    // pmengal/MailSystem.NET#17 (untagged, before the tagged refusal below; the link as posted)
    row("Gmail", ImapLogin, imap(I::Login, "* NO [WEBALERT https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbttoGtD4OMtfxi7uAy8s84fzfawSNIPPED] Web login required."),
        Unauthorized, WebLoginRequired),
    // pmengal/MailSystem.NET#17
    row("Gmail", ImapLogin, imap(I::Login, "170226012817375 NO [ALERT] Please log in via your web browser: https://support.google.com/mail/accounts/answer/78754 (Failure)"),
        Unauthorized, WebLoginRequired),
    // LukeSmithxyz/mutt-wizard#831 (tag ours)
    row("Gmail", ImapLogin, imap(I::Login, "a1 NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)"),
        UnauthorizedAppPasswordRequired, AppPasswordRequired),
    // jstedfast/MailKit#377
    row("Gmail", ImapLogin, imap(I::Login, "R00000001 NO [ALERT] Too many simultaneous connections. (Failure)"),
        ImapAuthenticationError, TooManyConnections),
    // mozilla-b2g/gaia-email-libs-and-more js/imap/client.js (the text it matches; tag ours)
    row("Gmail (Workspace)", ImapLogin, imap(I::Login, "a1 NO [ALERT] IMAP access is disabled for your domain."),
        Unauthorized, ImapDisabled),
    // mozilla-b2g/gaia-email-libs-and-more js/imap/client.js (the text it matches; tag ours)
    row("Gmail", ImapLogin, imap(I::Login, "a1 NO [ALERT] Your account is not enabled for IMAP use."),
        Unauthorized, ImapDisabled),
    // imapsync/imapsync#317
    row("Microsoft 365", ImapLogin, imap(I::Login, "2 NO LOGIN failed."),
        ImapAuthenticationError, AuthFailedUnspecified),
    // jstedfast/MailKit#483 (Exchange at a hoster)
    row("Microsoft Exchange", ImapLogin, imap(I::Login, "A00000001 NO AUTHENTICATE failed."),
        ImapAuthenticationError, AuthFailedUnspecified),
    // mjs/imapclient#602 (personal account with an app password)
    row("Outlook.com", ImapLogin, imap(I::Login, "PEAA1 NO LOGIN failed."),
        ImapAuthenticationError, AuthFailedUnspecified),
    // holon-run/uxc#445
    row("Outlook.com", ImapLogin, imap(I::Login, "a1 NO Basic authentication is disabled."),
        Unauthorized, BasicAuthDisabled),
    // mscdex/node-imap#799 (tag ours)
    row("Outlook.com", ImapLogin, imap(I::Login, "a1 NO LOGIN failed. Account is blocked. Login to your account via a web browser to verify your identity."),
        Unauthorized, WebLoginRequired),
    // Enough-Software/enough_mail#245
    row("Yahoo", ImapLogin, imap(I::Login, "a0 NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials"),
        Unauthorized, InvalidCredentials),
    // lefcha/imapfilter#125 (iCloud wants an app-specific password here, but does not say so)
    row("iCloud", ImapLogin, imap(I::Login, "1001 NO [AUTHENTICATIONFAILED] Authentication failed"),
        Unauthorized, InvalidCredentials),
    // Foundry376/Mailspring#1334
    row("Zoho", ImapLogin, imap(I::Login, "2 NO [AUTHENTICATIONFAILED] Invalid credentials(Failure)"),
        Unauthorized, InvalidCredentials),
    // Foundry376/Mailspring#904 (the server names both reasons; imap_disabled's text covers both)
    row("Yandex", ImapLogin, imap(I::Login, "2 NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials or IMAP is disabled sc=ebI8JB0ug4Y1_290737_53p"),
        Unauthorized, ImapDisabled),
    // mscdex/node-imap#432 via PROVIDER-REPLIES.md (sic; tag ours)
    row("QQ Mail", ImapLogin, imap(I::Login, "a1 NO [ALERT] Login failure. Incrrect passowd or your account is not enabled for IMAP."),
        Unauthorized, ImapDisabled),
    // imapsync/imapsync#140 (imap.1und1.de, the GMX/Web.de platform)
    row("IONOS (1&1)", ImapLogin, imap(I::Login, "2 NO authentication failed"),
        ImapAuthenticationError, AuthFailedUnspecified),
    // imapsync/imapsync#449
    row("Dovecot", ImapLogin, imap(I::Login, "4 NO [AUTHENTICATIONFAILED] Authentication failed."),
        Unauthorized, InvalidCredentials),
    // mscdex/node-imap#606
    row("Dovecot", ImapLogin, imap(I::Login, "A1 NO [UNAVAILABLE] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=16)"),
        ImapAuthenticationError, TooManyConnections),
    // docker-mailserver/docker-mailserver#1534
    row("Dovecot", ImapLogin, imap(I::Login, ". NO [UNAVAILABLE] Temporary authentication failure. [mailserver5-mailserver-mailserver-665c6b4bfd-7qsr6:2020-06-11 13:56:19]"),
        ImapAuthenticationError, TemporaryServerError),
    // docker-mailserver/docker-mailserver#1026
    row("Dovecot", ImapLogin, imap(I::Login, "A002 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections."),
        ImapSettingsIncorrect, PlaintextLoginRefused),
    // svarshavchik/courier-libs imap/imaplogin.c (cmdfail writes "<tag> NO "; tag ours)
    row("Courier-IMAP", ImapLogin, imap(I::Login, "a1 NO Login failed."),
        ImapAuthenticationError, AuthFailedUnspecified),
    // svarshavchik/courier-libs imap/imaplogin.c (tag ours)
    row("Courier-IMAP", ImapLogin, imap(I::Login, "a1 NO STARTTLS required"),
        ImapSettingsIncorrect, PlaintextLoginRefused),
    // svarshavchik/courier-libs imap/imaplogin.c (authentication backend trouble)
    row("Courier-IMAP", ImapLogin, imap(I::Login, "* BYE Temporary problem, please try again later"),
        ImapAuthenticationError, TemporaryServerError),
    // gaubert/gmvault src/gmv/gmv_cmd.py (imaplib's text of the refusal; tag ours)
    row("Gmail", ImapLogin, imap(I::Login, "a1 NO [ALERT] Web login required: http://support.google.com/mail/bin/answer.py?answer=78754 (Failure)"),
        Unauthorized, WebLoginRequired),
    // mozilla-b2g/gaia-email-libs-and-more js/imap/client.js, also gaubert/gmvault src/gmv/gmv_cmd.py
    // (Gmail's answer to a bad OAuth token; tag ours)
    row("Gmail", ImapLogin, imap(I::Login, "a1 NO [ALERT] Invalid credentials (Failure)"),
        Unauthorized, InvalidCredentials),
    // dovecot/core 2.3.21 src/login-common/client-common-auth.c ("Login disabled for this user") and
    // src/imap-login/client-authenticate.c (LOGIN_DISABLED → CONTACTADMIN); tag ours
    row("Dovecot", ImapLogin, imap(I::Login, "a1 NO [CONTACTADMIN] Login disabled for this user"),
        Unauthorized, AccountDisabled),
    // dovecot/core 2.3.21 src/auth/auth-request.c ("Password expired") and
    // src/imap-login/client-authenticate.c (PASS_EXPIRED → EXPIRED); tag ours
    row("Dovecot", ImapLogin, imap(I::Login, "a1 NO [EXPIRED] Password expired"),
        Unauthorized, AccountDisabled),
    // dovecot/core 2.3.21 src/login-common/client-common-auth.c (AUTHZFAILED, "Authorization failed")
    // and src/imap-login/client-authenticate.c; tag ours. By RFC 5530 the password itself was
    // accepted; invalid_credentials is what the classifier makes of the code today.
    row("Dovecot", ImapLogin, imap(I::Login, "a1 NO [AUTHORIZATIONFAILED] Authorization failed"),
        Unauthorized, InvalidCredentials),
    // dovecot/core 2.3.21 src/login-common/client-common-auth.c (ssl = required, before any password
    // is checked) and src/imap-login/client-authenticate.c (SSL_REQUIRED → PRIVACYREQUIRED); tag ours
    row("Dovecot", ImapLogin, imap(I::Login, "a1 NO [PRIVACYREQUIRED] Authentication not allowed until SSL/TLS is enabled."),
        ImapSettingsIncorrect, PlaintextLoginRefused),
    // dovecot/core 1.2.rc1 src/imap-login/client-authenticate.c (Dovecot 1.2, before PRIVACYREQUIRED;
    // tag ours)
    row("Dovecot 1.2", ImapLogin, imap(I::Login, "a1 NO [CLIENTBUG] Plaintext authentication disallowed on non-secure (SSL/TLS) connections."),
        ImapSettingsIncorrect, PlaintextLoginRefused),
    // stalwartlabs/mail-server crates/imap/src/op/authenticate.rs (LimitEvent::ConcurrentRequest),
    // crates/trc/src/event/mod.rs (its message) and crates/imap-proto/src/protocol/mod.rs (→ [LIMIT])
    row("Stalwart", ImapLogin, imap(I::Login, "a1 NO [LIMIT] Too many concurrent requests"),
        ImapAuthenticationError, TooManyConnections),
    // svarshavchik/courier-libs imap/imapd.C (chkdisabled, right after a successful login)
    row("Courier-IMAP", ImapLogin, imap(I::Login, "* BYE IMAP access disabled for this account."),
        Unauthorized, ImapDisabled),
    // svarshavchik/courier-libs imap/imapd.C (home directory locked with the sticky bit)
    row("Courier-IMAP", ImapLogin, imap(I::Login, "* BYE Your account is temporarily unavailable (+t bit set on home directory)."),
        ImapAuthenticationError, TemporaryServerError),
    // ---------------------------------------------------------------- IMAP validation
    // jstedfast/MailKit#1496 (LIST "" "INBOX" after a successful AUTHENTICATE)
    row("Microsoft 365", ImapValidate, imap(I::List, "C00000004 BAD User is authenticated but not connected."),
        ImapValidationError, MailboxUnavailable),
    // simonrob/email-oauth2-proxy#74 (SELECT INBOX)
    row("Microsoft 365", ImapValidate, imap(I::Select, "00000003 BAD User is authenticated but not connected."),
        ImapValidationError, MailboxUnavailable),
    // shuakami/mcp-mail#11 (163/126 want an IMAP ID command first; tag ours)
    row("NetEase 163/126", ImapValidate, imap(I::Select, "a3 NO SELECT Unsafe Login. Please contact kefu@188.com for help"),
        ImapValidationError, InboxNotSelectable),
    // floatpane/matcha#1433 (LIST with RETURN (STATUS …) to a server without LIST-STATUS)
    row("PM IMAP", ImapValidate, imap(I::List, "T3 BAD LIST failed. Illegal arguments."),
        ImapValidationError, MailboxListFailed),
    // rcarmo/imapbackup#25 (imaplib's text; tag ours)
    row("mailbox.org (Dovecot)", ImapValidate, imap(I::List, "a1 BAD Error in IMAP command LIST: Invalid reference (0.001 + 0.000 secs)."),
        ImapValidationError, MailboxListFailed),
    // ---------------------------------------------------------------- IMAP round trip (SEARCH for the test message)
    // dovecot/core src/plugins/fts/fts-indexer.c (MAIL_ERROR_INUSE) and src/imap/imap-commands-util.c
    // (→ [INUSE]); NEWS 2.3.x names SEARCH as the command that gets it; tag ours
    row("Dovecot", Roundtrip, imap(I::Search, "a5 NO [INUSE] Timeout while waiting for indexing to finish"),
        TestEmailFailed, TemporaryServerError),
    // dovecot/core src/lib-storage/mail-error.h (MAIL_ERRSTR_CRITICAL_MSG_STAMP) and
    // src/imap/imap-commands-util.c (MAIL_ERROR_TEMP → [SERVERBUG]); tag and stamp ours
    row("Dovecot", Roundtrip, imap(I::Search, "a5 NO [SERVERBUG] Internal error occurred. Refer to server log for more information. [2024-05-01 10:00:00]"),
        TestEmailFailed, TemporaryServerError),
    // ---------------------------------------------------------------- SMTP greeting, EHLO, STARTTLS
    // calcom/cal.diy#5254
    row("Gmail", SmtpConnect, smtp(S::Ehlo, "421 4.7.0 Try again later, closing connection. (EHLO) v6-20020a50c406000000b00461d375b0a5sm78344edf.43 - gsmtp"),
        SmtpSettingsIncorrect, TemporaryServerError),
    // GSA/data.gov#1508
    row("Postfix", SmtpTls, smtp(S::Starttls, "454 4.7.0 TLS not available due to local problem"),
        SmtpSettingsIncorrect, StarttlsRefused),
    // svarshavchik/courier courier/courier/module.esmtp/courieresmtpd.c
    row("Courier", SmtpTls, smtp(S::Starttls, "540 TLS not available."),
        SmtpSettingsIncorrect, StarttlsRefused),
    // Exim/exim src/src/daemon.c (smtp_accept_max reached, instead of the banner)
    row("Exim", SmtpConnect, smtp(S::Greeting, "421 Too many concurrent SMTP connections; please try again later."),
        SmtpSettingsIncorrect, TooManyConnections),
    // vdukhovni/postfix postfix/src/postscreen/postscreen.c (instead of the banner)
    row("Postfix (postscreen)", SmtpConnect, smtp(S::Greeting, "421 4.7.0 Error: too many connections"),
        SmtpSettingsIncorrect, TooManyConnections),
    // Exim/exim src/src/smtp_in.c (an EHLO name it will not accept)
    row("Exim", SmtpConnect, smtp(S::Ehlo, "501 Syntactically invalid EHLO argument(s)"),
        SmtpSettingsIncorrect, UnexpectedReply),
    // ---------------------------------------------------------------- SMTP login
    // angelos3lex/react-native-smtp-mailer#40
    row("Gmail", SmtpLogin, smtp(S::Auth, "535-5.7.8 Username and Password not accepted. Learn more at\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials g67sm1422389pfb.9 - gsmtp"),
        Unauthorized, InvalidCredentials),
    // dawidd6/action-send-mail#205 (newer wording)
    row("Gmail", SmtpLogin, smtp(S::Auth, "535-5.7.8 Username and Password not accepted. For more information, go to\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials af79cd13be357-794f3061475sm18893085a.74 - gsmtp"),
        Unauthorized, InvalidCredentials),
    // nodemailer/nodemailer#1116
    row("Gmail", SmtpLogin, smtp(S::Auth, "534-5.7.9 Application-specific password required. Learn more at\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor o13sm2119833lfg.90 - gsmtp"),
        UnauthorizedAppPasswordRequired, AppPasswordRequired),
    // firebase/functions-samples#39
    row("Gmail", SmtpLogin, smtp(S::Auth, "534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbs7\n534-5.7.14 UF7mumzUwFIZrMDWiiimSdrlEvZIp8kRC3QRkzqwfOM94wkvVFys_Yjllj6KGuBubi6SwF\n534-5.7.14 BDIHCpQgETRmmgkyJXfYN4Ne3uG3tnsVJk7oGR4Z5fvgeIkuOJOKkvRA8cLWFN67ya4r28\n534-5.7.14 u-eBDds9bTTh1poYtxXWk1x80iaSn_2VlJHWJnB0Yql6r_-A2lDE8nt00lWP7eoUpkzVih\n534-5.7.14 x1DeI0bGyNqNHRRUuucw0k95Ph-CY> Please log in via your web browser and\n534-5.7.14 then try again.\n534-5.7.14  Learn more at\n534 5.7.14  https://support.google.com/mail/answer/78754 100sm8943270iot.39 - gsmtp"),
        Unauthorized, WebLoginRequired),
    // passbolt/passbolt_docker#25 (AUTH before STARTTLS on 587)
    row("Gmail", SmtpLogin, smtp(S::Auth, "530 5.7.0 Must issue a STARTTLS command first. m129sm2162575qkc.2 - gsmtp"),
        SmtpSettingsIncorrect, PlaintextLoginRefused),
    // nodemailer/nodemailer#1388
    row("Gmail", SmtpLogin, smtp(S::Auth, "454 4.7.0 Too many login attempts, please try again later. 4-20020a056000154400b00203812ca383sm10857871wry.78 - gsmtp"),
        SmtpSettingsIncorrect, TemporaryServerError),
    // simonrob/email-oauth2-proxy#193
    row("Microsoft 365", SmtpLogin, smtp(S::Auth, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]"),
        Unauthorized, BasicAuthDisabled),
    // nodemailer/nodemailer#1714
    row("Outlook.com", SmtpLogin, smtp(S::Auth, "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [PN0PR01CA0024.INDPRD01.PROD.OUTLOOK.COM 2025-01-26T18:54:30.055Z 08DD3DD7D75D7743]"),
        Unauthorized, BasicAuthDisabled),
    // codassassin/email-bomber-v2.0#1 (Python tuple; code restored) — same 5.7.139, but the text
    // names the wrong password, so this one is invalid credentials
    row("Microsoft 365", SmtpLogin, smtp(S::Auth, "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. [PH0PR07CA0004.namprd07.prod.outlook.com]"),
        Unauthorized, InvalidCredentials),
    // tarickb/sasl-xoauth2#43 (Postfix log of smtp.office365.com)
    row("Microsoft 365", SmtpLogin, smtp(S::Auth, "535 5.7.3 Authentication unsuccessful [FR3P281CA0094.DEUP281.PROD.OUTLOOK.COM]"),
        Unauthorized, AuthFailedUnspecified),
    // PHPMailer/PHPMailer#2034 (Yahoo wants an app password; it does not say so)
    row("Yahoo", SmtpLogin, smtp(S::Auth, "535 5.7.0 (#AUTH005) Too many bad auth attempts."),
        Unauthorized, AuthFailedUnspecified),
    // PHPMailer/PHPMailer#1287
    row("Yahoo", SmtpLogin, smtp(S::Auth, "535 5.7.0 (#MBR1212) Incorrect username or password."),
        Unauthorized, InvalidCredentials),
    // nodemailer/nodemailer#456
    row("Zoho", SmtpLogin, smtp(S::Auth, "535 Authentication Failed"),
        Unauthorized, InvalidCredentials),
    // PHPMailer/PHPMailer#283
    row("Yandex", SmtpLogin, smtp(S::Auth, "530 5.7.7 Email sending without SSL/TLS encryption is not allowed. Please see: http://help.yandex.ru/mail/mail-clients/ssl.xml"),
        SmtpSettingsIncorrect, PlaintextLoginRefused),
    // muquit/mailsend-go#67 (smtp.gmx.com)
    row("GMX", SmtpLogin, smtp(S::Auth, "535 Authentication credentials invalid"),
        Unauthorized, InvalidCredentials),
    // YMFE/yapi#2219 (the "authorization code" is QQ's app password)
    row("QQ Mail", SmtpLogin, smtp(S::Auth, "535 Login Fail. Please enter your authorization code to login. More information in http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256"),
        UnauthorizedAppPasswordRequired, AppPasswordRequired),
    // PHPMailer/PHPMailer#1044 (smtp.exmail.qq.com)
    row("Tencent Exmail", SmtpLogin, smtp(S::Auth, "535 Error: authentication failed, system busy"),
        Unauthorized, InvalidCredentials),
    // Vincedream/NodeMail#11 (smtp.163.com)
    row("NetEase 163", SmtpLogin, smtp(S::Auth, "535 Error: authentication failed"),
        Unauthorized, InvalidCredentials),
    // marcpope/borgbackupserver#16
    row("Brevo", SmtpLogin, smtp(S::Auth, "535 5.7.0 Invalid login or password"),
        Unauthorized, InvalidCredentials),
    // RainLoop/rainloop-webmail#1629
    row("Postfix", SmtpLogin, smtp(S::Auth, "535 5.7.8 Error: authentication failed: authentication failure"),
        Unauthorized, InvalidCredentials),
    // splitbrain/dokuwiki-plugin-smtp#65 (smtp.protonmail.ch, AUTH LOGIN where only PLAIN is offered)
    row("Proton Mail (Postfix)", SmtpLogin, smtp(S::Auth, "535 5.7.8 Error: authentication failed: Invalid authentication mechanism"),
        SmtpSettingsIncorrect, NoSupportedAuthMechanism),
    // PHPMailer/PHPMailer#1375 (GoDaddy cPanel)
    row("Exim", SmtpLogin, smtp(S::Auth, "535 Incorrect authentication data"),
        Unauthorized, InvalidCredentials),
    // RainLoop/rainloop-webmail#1373
    row("Exim", SmtpLogin, smtp(S::Auth, "435 Unable to authenticate at present"),
        SmtpSettingsIncorrect, TemporaryServerError),
    // svarshavchik/courier courier/courier/module.esmtp/courieresmtpd.c
    row("Courier", SmtpLogin, smtp(S::Auth, "535 Authentication failed."),
        Unauthorized, InvalidCredentials),
    // svarshavchik/courier courier/courier/module.esmtp/courieresmtpd.c (ESMTP_TLS_REQUIRED)
    row("Courier", SmtpLogin, smtp(S::Auth, "400 STARTTLS is required first."),
        SmtpSettingsIncorrect, PlaintextLoginRefused),
    // dovecot/core src/login-common/sasl-proxy.c (ERR_TOO_MANY_USERIP_CONNECTIONS) and
    // src/submission-login/client-authenticate.c (LIMIT_REACHED → 454 4.7.0); the limit is ours,
    // Dovecot's default
    row("Dovecot submission", SmtpLogin, smtp(S::Auth, "454 4.7.0 Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)"),
        SmtpSettingsIncorrect, TooManyConnections),
    // hmailserver/hmailserver hmailserver/source/Server/SMTP/SMTPConnection.cpp (CheckStartTlsRequired_,
    // also called for AUTH)
    row("hMailServer", SmtpLogin, smtp(S::Auth, "530 Must issue STARTTLS first."),
        SmtpSettingsIncorrect, PlaintextLoginRefused),
    // vdukhovni/postfix postfix/src/smtpd/smtpd_sasl_proto.c (a mechanism that needs TLS, asked for
    // without it: 504, but the phrase says why)
    row("Postfix", SmtpLogin, smtp(S::Auth, "504 5.5.4 Encryption required for requested authentication mechanism"),
        SmtpSettingsIncorrect, PlaintextLoginRefused),
    // dovecot/core 2.3.21 src/submission-login/client-authenticate.c (SSL_REQUIRED → 530 5.7.0) and
    // src/login-common/login-common.h (AUTH_PLAINTEXT_DISABLED_MSG)
    row("Dovecot submission", SmtpLogin, smtp(S::Auth, "530 5.7.0 Plaintext authentication disallowed on non-secure (SSL/TLS) connections."),
        SmtpSettingsIncorrect, PlaintextLoginRefused),
    // foxcpp/maddy internal/endpoint/smtp/smtp.go (authErrorMap)
    row("Maddy", SmtpLogin, smtp(S::Auth, "535 5.7.8 Invalid credentials"),
        Unauthorized, InvalidCredentials),
    // ---------------------------------------------------------------- SMTP send
    // splitbrain/dokuwiki-plugin-smtp#38 (the answer to MAIL FROM:<>)
    row("Yandex", SmtpSend, smtp(S::MailFrom, "553 5.7.1 Sender address rejected: not owned by auth user."),
        TestEmailFailed, SenderRejected),
    // infertux/zeyple#49 (Postfix log, in reply to MAIL FROM; lines joined)
    row("GMX", SmtpSend, smtp(S::MailFrom, "550-Requested action not taken: mailbox unavailable\n550 Sender address is not allowed."),
        TestEmailFailed, SenderRejected),
    // nodemailer/nodemailer#145
    row("Microsoft Exchange", SmtpSend, smtp(S::MailFrom, "550 5.7.1 Client does not have permissions to send as this sender"),
        TestEmailFailed, SenderRejected),
    // swiftmailer/swiftmailer#1030 (after the message body, see swiftmailer/swiftmailer#1258)
    row("Microsoft 365", SmtpSend, smtp(S::DataEnd, "550 5.7.60 SMTP; Client does not have permissions to send as this sender [MW2PR1901MB2155.namprd19.prod.outlook.com]"),
        TestEmailFailed, SenderRejected),
    // MicrosoftDocs/OfficeDocs-Support#1187
    row("Microsoft 365", SmtpSend, smtp(S::DataEnd, "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message."),
        TestEmailFailed, SenderRejected),
    // getgrav/grav-plugin-email#77 (Zoho answers after the body, see mybb/mybb#2644)
    row("Zoho", SmtpSend, smtp(S::DataEnd, "553 Relaying disallowed as test@gmail.com"),
        TestEmailFailed, SenderRejected),
    // r-raymond/nixos-mailserver#9 (Postfix checks the sender at RCPT time)
    row("Postfix", SmtpSend, smtp(S::RcptTo, "553 5.7.1 <user2@example.com>: Sender address rejected: not owned by user user2@example.com"),
        TestEmailFailed, SenderRejected),
    // docker-mailserver/docker-mailserver#1633
    row("Postfix", SmtpSend, smtp(S::RcptTo, "550 5.1.1 <hello2@mail.benny.com>: Recipient address rejected: User unknown in local recipient table"),
        TestEmailFailed, RecipientRejected),
    // MISP/MISP#6481 (Exim bounce quoting Gmail's reply after RCPT TO)
    row("Gmail", SmtpSend, smtp(S::RcptTo, "550-5.1.1 The email account that you tried to reach does not exist. Please try\n550-5.1.1 double-checking the recipient's email address for typos or\n550-5.1.1 unnecessary spaces. Learn more at\n550 5.1.1  https://support.google.com/mail/?p=NoSuchUser s19si71853ejd.408 - gsmtp"),
        TestEmailFailed, RecipientRejected),
    // jstedfast/MailKit#968 (S: lines after RCPT TO, RecipientNotAccepted)
    row("GMX", SmtpSend, smtp(S::RcptTo, "550-Requested action not taken: mailbox unavailable\n550 Failure sending mail. Try again later"),
        TestEmailFailed, RecipientRejected),
    // gen-smtp/gen_smtp#140 (smtplib reports it as SMTPDataError in iiuni/projektzapisy#960)
    row("Gmail", SmtpSend, smtp(S::Data, "550 5.4.5 Daily user sending quota exceeded. o65sm25351206pga.71 - gsmtp"),
        TestEmailFailed, SendingLimitReached),
    // MicrosoftDocs/OfficeDocs-Support#1150 (quoting Microsoft's documented reply)
    row("Microsoft 365", SmtpSend, smtp(S::DataEnd, "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException"),
        TestEmailFailed, SendingLimitReached),
    // 2amigos/yii2-usuario#527
    row("Amazon SES", SmtpSend, smtp(S::MailFrom, "454 Throttling failure: Daily message quota exceeded."),
        TestEmailFailed, SendingLimitReached),
    // gophish/gophish#2921 (as Go's net/smtp printed it)
    row("Gmail", SmtpSend, smtp(S::DataEnd, "552 5.7.0 This message was blocked because its content presents a potential 5.7.0 security issue. Please visit 5.7.0 https://support.google.com/mail/?p=BlockedMessage to review our 5.7.0 message content and attachment content guidelines. l9-20020a170906a40900b00992b510089asm3696733ejz.84 - gsmtp"),
        TestEmailFailed, MessageRejected),
    // Youans/nodejs-nodemailer-outlook#11 (account not verified yet)
    row("Outlook.com", SmtpSend, smtp(S::DataEnd, "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message due to a permanent exception with message WASCL UserAction verdict is not None. Actual verdict is RefuseQuota, ShowTierUpgrade. OutboundSpamException: WASCL UserAction verdict is not None. Actual verdict is RefuseQuota, ShowTierUpgrade. [Hostname=VI1PR05MB5405.eurprd05.prod.outlook.com]"),
        TestEmailFailed, MessageRejected),
    // PHPMailer/PHPMailer#2685 (after DATA, RCPT TO was accepted)
    row("Yahoo", SmtpSend, smtp(S::DataEnd, "550 Request failed; Mailbox unavailable"),
        TestEmailFailed, MessageRejected),
    // minosiants/pencil#57
    row("iCloud", SmtpSend, smtp(S::DataEnd, "554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137"),
        TestEmailFailed, MessageRejected),
    // nextcloud/mail#6497
    row("GMX", SmtpSend, smtp(S::DataEnd, "554-Transaction failed\n554-Reject due to policy restrictions.\n554 For explanation visit https://www.gmx.net/mail/senderguidelines?ip=85.158.181.12&c=hi"),
        TestEmailFailed, MessageRejected),
    // homematic-community/hm_email#13 (smtp.ionos.de, after the body)
    row("IONOS (1&1)", SmtpSend, smtp(S::DataEnd, "554-Transaction failed\n554-Reject due to policy restrictions.\n554 For explanation visit https://www.ionos.com/help/index.php?id=2425&ip=141.64.50.178&c=hd"),
        TestEmailFailed, MessageRejected),
    // mandarons/icloud-docker#163 (smtplib, code restored)
    row("Posteo", SmtpSend, smtp(S::DataEnd, "550 5.7.1 message content rejected"),
        TestEmailFailed, MessageRejected),
    // root-io/vmail#68 (as Windows Live Mail quoted the server; the 4xx is still the recipient)
    row("vmail.me (Postfix)", SmtpSend, smtp(S::RcptTo, "454 4.7.1 <*@cnpd.pt>: Relay access denied"),
        TestEmailFailed, RecipientRejected),
    // nodemailer/nodemailer#190
    row("Sendmail", SmtpSend, smtp(S::RcptTo, "550 5.7.1 <bbb@qq.com>... Relaying denied. IP name lookup failed [222.66.4.242]"),
        TestEmailFailed, RecipientRejected),
    // anonaddy/anonaddy#749 (the <address> was lost in the Markdown)
    row("WEB.DE", SmtpSend, smtp(S::RcptTo, "552 5.2.2 : Recipient address rejected: User over quota"),
        TestEmailFailed, RecipientRejected),
    // chatmail/relay#21 (Dovecot LMTP as Postfix logged it, after the body) — a full mailbox, not a
    // sending limit, though the text says "Quota exceeded"
    row("Dovecot LMTP", SmtpSend, smtp(S::DataEnd, "552 5.2.2 <user1697413481.021437_1@c3.testrun.org> Quota exceeded (mailbox for user is full)"),
        TestEmailFailed, RecipientRejected),
    // ardifx01/presensi_pkl_wfh gmail_limit_solution.md (the first line of the reply, as quoted there)
    row("Google Workspace", SmtpSend, smtp(S::Data, "550-5.4.5 Daily user sending limit exceeded"),
        TestEmailFailed, SendingLimitReached),
    // ---------------------------------------------------------------- a greeting in the other protocol
    // nodemailer/nodemailer#456 (Zoho's SMTP banner), seen where an IMAP greeting belongs
    row("Zoho", ImapConnect, Observation::ForeignGreeting { text: "220 mx.zohomail.com SMTP Server ready July 7, 2015 8:18:44 AM PDT" },
        ImapSettingsIncorrect, NotImapServer),
    // jstedfast/MailKit#483 (Exchange's IMAP greeting), seen where an SMTP banner belongs
    row("Microsoft Exchange", SmtpConnect, Observation::ForeignGreeting { text: "* OK The Microsoft Exchange IMAP4 service is ready." },
        SmtpSettingsIncorrect, NotSmtpServer),
    // ---------------------------------------------------------------- logging in with an OAuth token
    // The final replies are real; what the token's claims showed is the row's (`TokenFacts`):
    // the same reply is a different cause depending on the token it refused.
    // jstedfast/MailKit#483
    row("Microsoft 365", ImapLogin, token("A00000001 NO AUTHENTICATE failed.", UNKNOWN),
        Unauthorized, TokenRejected),
    row("Microsoft 365", ImapLogin, token("A00000001 NO AUTHENTICATE failed.", TokenFacts { expired: Some(true), ..LOOKS_RIGHT }),
        Unauthorized, TokenExpired),
    row("Microsoft 365", ImapLogin, token("A00000001 NO AUTHENTICATE failed.", TokenFacts { user_ok: Some(false), ..LOOKS_RIGHT }),
        Unauthorized, TokenWrongUser),
    row("Microsoft 365", ImapLogin, token("A00000001 NO AUTHENTICATE failed.", TokenFacts { audience_ok: Some(false), ..LOOKS_RIGHT }),
        Unauthorized, TokenWrongAudience),
    row("Microsoft 365", ImapLogin, token("A00000001 NO AUTHENTICATE failed.", TokenFacts { scope_ok: Some(false), ..LOOKS_RIGHT }),
        Unauthorized, TokenScopeMissing),
    row("Microsoft 365", ImapLogin, token("A00000001 NO AUTHENTICATE failed.", LOOKS_RIGHT),
        Unauthorized, TokenRejected),
    // An expired token that is also another user's: the expiry is named first, since a fresh
    // token is needed either way.
    row("Microsoft 365", ImapLogin, token("A00000001 NO AUTHENTICATE failed.", TokenFacts { expired: Some(true), user_ok: Some(false), ..LOOKS_RIGHT }),
        Unauthorized, TokenExpired),
    // developers.google.com/workspace/gmail/imap/xoauth2-protocol (the SASL error
    // {"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"}, then the refusal)
    row("Gmail", ImapLogin, token("A01 NO SASL authentication failed", TokenFacts { status: Some(SaslStatus::InvalidToken), ..UNKNOWN }),
        Unauthorized, TokenRejected),
    // nodemailer/nodemailer#114 (XOAUTH2 over SMTP: the SASL error had status 400; lines joined)
    row("Gmail", SmtpLogin, token("535-5.7.1 Username and Password not accepted. Learn more at\n535 5.7.1 http://support.google.com/mail/bin/answer.py?answer=14257 v9sm1396104paz.6", TokenFacts { status: Some(SaslStatus::InvalidRequest), ..UNKNOWN }),
        Unauthorized, TokenRejected),
    // Dovecot 2.3's oauth2 passdb, seen here (tests/tests/suite/oauth.rs): the SASL error
    // {"status":"401","schemes":"bearer","scope":"mail"} (XOAUTH2; OAUTHBEARER's says
    // "invalid_token"), then the refusal; an expired token's claims
    row("Dovecot", ImapLogin, token("a1 NO [AUTHENTICATIONFAILED] Authentication failed.", TokenFacts { expired: Some(true), status: Some(SaslStatus::InvalidToken), ..LOOKS_RIGHT }),
        Unauthorized, TokenExpired),
    row("Dovecot", SmtpLogin, token("535 5.7.8 Authentication failed.", TokenFacts { scope_ok: Some(false), status: Some(SaslStatus::InvalidToken), ..LOOKS_RIGHT }),
        Unauthorized, TokenScopeMissing),
    // simonrob/email-oauth2-proxy#193 (an OAuth proxy's token): no token helps while SMTP AUTH
    // is off
    row("Microsoft 365", SmtpLogin, token("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]", LOOKS_RIGHT),
        Unauthorized, SmtpAuthDisabled),
    // tarickb/sasl-xoauth2#43 (an XOAUTH2 token over SMTP)
    row("Microsoft 365", SmtpLogin, token("535 5.7.3 Authentication unsuccessful [FR3P281CA0094.DEUP281.PROD.OUTLOOK.COM]", TokenFacts { scope_ok: Some(false), ..LOOKS_RIGHT }),
        Unauthorized, TokenScopeMissing),
    // nodemailer/nodemailer#1388: a limit is a limit, whatever the token
    row("Gmail", SmtpLogin, token("454 4.7.0 Too many login attempts, please try again later. 4-20020a056000154400b00203812ca383sm10857871wry.78 - gsmtp", LOOKS_RIGHT),
        SmtpSettingsIncorrect, TemporaryServerError),
    // ---------------------------------------------------------------- observations without server text
    row("any", ImapConnect, Observation::DnsNotFound, ImapSettingsIncorrect, DnsNameNotFound),
    row("any", SmtpConnect, Observation::DnsNotFound, SmtpSettingsIncorrect, DnsNameNotFound),
    row("any", Resolve, Observation::DnsFailed, ImapSettingsIncorrect, DnsLookupFailed),
    row("any", SmtpConnect, Observation::DnsFailed, SmtpSettingsIncorrect, DnsLookupFailed),
    row("any", ImapConnect, Observation::ConnectRefused, ImapSettingsIncorrect, ConnectionRefused),
    row("any", SmtpConnect, Observation::ConnectRefused, SmtpSettingsIncorrect, ConnectionRefused),
    row("any", ImapConnect, Observation::ConnectTimedOut, ImapSettingsIncorrect, NoAnswer),
    row("any", SmtpConnect, Observation::ConnectTimedOut, SmtpSettingsIncorrect, NoAnswer),
    row("any", ImapConnect, Observation::Unreachable, ImapSettingsIncorrect, NetworkUnreachable),
    row("any", SmtpConnect, Observation::Unreachable, SmtpSettingsIncorrect, NetworkUnreachable),
    row("any", ImapLogin, Observation::Closed, ImapSettingsIncorrect, ConnectionClosed),
    // An answer over our limits: another protocol before the session is set up, a reply no
    // client could use after.
    row("any", ImapConnect, Observation::ReplyTooLarge, ImapSettingsIncorrect, NotImapServer),
    row("any", SmtpTls, Observation::ReplyTooLarge, SmtpSettingsIncorrect, NotSmtpServer),
    row("any", ImapValidate, Observation::ReplyTooLarge, ImapValidationError, UnexpectedReply),
    row("any", SmtpSend, Observation::ReplyTooLarge, TestEmailFailed, UnexpectedReply),
    row("any", SmtpLogin, Observation::Closed, SmtpSettingsIncorrect, ConnectionClosed),
    // A challenge where a completion was due (the hostile-server suite plays these): the
    // server asks again after the credentials went out once, or after our cancel.
    row("hostile", ImapLogin, imap(I::Login, "+ go on"), ImapSettingsIncorrect, UnexpectedReply),
    row("hostile", SmtpLogin, smtp(S::Auth, "334 "), SmtpSettingsIncorrect, UnexpectedReply),
    // Plain spoken to 993/465: no greeting arrives (postalsys/emailengine#247).
    row("any", ImapConnect, Observation::ReplyTimedOut { awaiting_greeting: true, implicit_tls_port: true },
        ImapSettingsIncorrect, TlsModeMismatch),
    row("any", SmtpConnect, Observation::ReplyTimedOut { awaiting_greeting: true, implicit_tls_port: true },
        SmtpSettingsIncorrect, TlsModeMismatch),
    row("any", ImapConnect, Observation::ReplyTimedOut { awaiting_greeting: true, implicit_tls_port: false },
        ImapSettingsIncorrect, ServerTimeout),
    row("any", SmtpConnect, Observation::ReplyTimedOut { awaiting_greeting: true, implicit_tls_port: false },
        SmtpSettingsIncorrect, ServerTimeout),
    row("any", ImapLogin, Observation::ReplyTimedOut { awaiting_greeting: false, implicit_tls_port: true },
        ImapSettingsIncorrect, ServerTimeout),
    row("any", SmtpLogin, Observation::ReplyTimedOut { awaiting_greeting: false, implicit_tls_port: true },
        SmtpSettingsIncorrect, ServerTimeout),
    row("any", ImapLogin, Observation::ReplyTimedOut { awaiting_greeting: false, implicit_tls_port: false },
        ImapSettingsIncorrect, ServerTimeout),
    row("any", SmtpLogin, Observation::ReplyTimedOut { awaiting_greeting: false, implicit_tls_port: false },
        SmtpSettingsIncorrect, ServerTimeout),
    // After login a timeout belongs to the step's own category.
    row("any", ImapValidate, Observation::ReplyTimedOut { awaiting_greeting: false, implicit_tls_port: false },
        ImapValidationError, ServerTimeout),
    row("any", SmtpSend, Observation::ReplyTimedOut { awaiting_greeting: false, implicit_tls_port: false },
        TestEmailFailed, ServerTimeout),
    // Implicit TLS spoken to a STARTTLS/plain port (nodemailer/nodemailer#1154).
    row("any", ImapTls, Observation::TlsGotPlaintext, ImapSettingsIncorrect, TlsModeMismatch),
    row("any", SmtpTls, Observation::TlsGotPlaintext, SmtpSettingsIncorrect, TlsModeMismatch),
    row("any", ImapTls, Observation::TlsLegacyOnly, ImapSettingsIncorrect, OutdatedTlsOnly),
    row("any", SmtpTls, Observation::TlsLegacyOnly, SmtpSettingsIncorrect, OutdatedTlsOnly),
    row("any", ImapTls, Observation::TlsFailed, ImapSettingsIncorrect, TlsHandshakeFailed),
    row("any", SmtpTls, Observation::TlsFailed, SmtpSettingsIncorrect, TlsHandshakeFailed),
    row("any", ImapTls, Observation::StarttlsNotOffered, ImapSettingsIncorrect, StarttlsNotOffered),
    row("any", SmtpTls, Observation::StarttlsNotOffered, SmtpSettingsIncorrect, StarttlsNotOffered),
    // Certificate problems are their own category on either side.
    row("any", ImapTls, Observation::Certificate(CertVerdict::SelfSigned), UnauthorizedUntrustedCertificate, CertificateSelfSigned),
    row("any", SmtpTls, Observation::Certificate(CertVerdict::SelfSigned), UnauthorizedUntrustedCertificate, CertificateSelfSigned),
    row("any", ImapTls, Observation::Certificate(CertVerdict::UnknownIssuer), UnauthorizedUntrustedCertificate, CertificateUnknownIssuer),
    row("any", SmtpTls, Observation::Certificate(CertVerdict::UnknownIssuer), UnauthorizedUntrustedCertificate, CertificateUnknownIssuer),
    row("any", ImapTls, Observation::Certificate(CertVerdict::Expired), UnauthorizedUntrustedCertificate, CertificateExpired),
    row("any", SmtpTls, Observation::Certificate(CertVerdict::Expired), UnauthorizedUntrustedCertificate, CertificateExpired),
    row("any", ImapTls, Observation::Certificate(CertVerdict::NotYetValid), UnauthorizedUntrustedCertificate, CertificateNotYetValid),
    row("any", SmtpTls, Observation::Certificate(CertVerdict::NotYetValid), UnauthorizedUntrustedCertificate, CertificateNotYetValid),
    row("any", ImapTls, Observation::Certificate(CertVerdict::NameMismatch), UnauthorizedUntrustedCertificate, CertificateNameMismatch),
    row("any", SmtpTls, Observation::Certificate(CertVerdict::NameMismatch), UnauthorizedUntrustedCertificate, CertificateNameMismatch),
    row("any", ImapTls, Observation::Certificate(CertVerdict::Invalid), UnauthorizedUntrustedCertificate, CertificateInvalid),
    row("any", SmtpTls, Observation::Certificate(CertVerdict::Invalid), UnauthorizedUntrustedCertificate, CertificateInvalid),
    // A refusal without a verdict the verifier could name still counts as an invalid certificate.
    row("any", ImapTls, Observation::Certificate(CertVerdict::NotChecked), UnauthorizedUntrustedCertificate, CertificateInvalid),
    row("any", SmtpTls, Observation::Certificate(CertVerdict::Trusted), UnauthorizedUntrustedCertificate, CertificateInvalid),
    row("any", ImapLogin, Observation::NoAuthMechanism, ImapSettingsIncorrect, NoSupportedAuthMechanism),
    row("any", SmtpLogin, Observation::NoAuthMechanism, SmtpSettingsIncorrect, NoSupportedAuthMechanism),
    row("any", ImapLogin, Observation::NoOauthMechanism, Unauthorized, OauthNotOffered),
    // A password where the server offers only XOAUTH2/OAUTHBEARER (Dovecot with only its
    // oauth2 passdb, seen here): password login is off.
    row("any", ImapLogin, Observation::OnlyOauthOffered, Unauthorized, BasicAuthDisabled),
    row("any", SmtpLogin, Observation::OnlyOauthOffered, Unauthorized, BasicAuthDisabled),
    row("any", SmtpLogin, Observation::NoOauthMechanism, Unauthorized, OauthNotOffered),
    // The test email not arriving is a send failure whichever side noticed it.
    row("any", Roundtrip, Observation::NotDelivered, TestEmailFailed, TestMessageNotArriving),
    row("any", SmtpSend, Observation::NotDelivered, TestEmailFailed, TestMessageNotArriving),
];

/// NO PUBLIC SOURCE FOUND: replies constructed from the phrase (or the RFC code) a needle of
/// `classify::phrases` matches, one per needle that no real reply above decides.
///
/// These are not server replies. Each was written after a search of issue trackers, server source
/// code (Dovecot, Cyrus, Courier, Exim, Postfix, mox, Stalwart, WildDuck, Maddy, hMailServer,
/// Zimbra) and web pages found no reply that carries the needle without another needle of its
/// rule. They keep the needle tested until a real reply replaces them; a needle that stays here
/// for long may be one no server sends.
#[rustfmt::skip]
const CONSTRUCTED_ROWS: &[Row] = &[
    // ---------------------------------------------------------------- IMAP login
    // no public source found: constructed from the phrase "app password"
    row("constructed", ImapLogin, imap(I::Login, "a1 NO [AUTHENTICATIONFAILED] An app password is required"),
        UnauthorizedAppPasswordRequired, AppPasswordRequired),
    // no public source found: constructed from the phrase "app-specific password"
    row("constructed", ImapLogin, imap(I::Login, "a1 NO [AUTHENTICATIONFAILED] Use an app-specific password"),
        UnauthorizedAppPasswordRequired, AppPasswordRequired),
    // no public source found: constructed from Gmail's WEBALERT code without its usual
    // "Web login required" (every real WEBALERT reply found also carries that phrase)
    row("constructed", ImapLogin, imap(I::Login, "a1 NO [WEBALERT https://accounts.google.com/signin/continue] Sign in from a browser first"),
        Unauthorized, WebLoginRequired),
    // no public source found: constructed from the phrase "IMAP use is disabled"
    row("constructed", ImapLogin, imap(I::Login, "a1 NO [ALERT] IMAP use is disabled"),
        Unauthorized, ImapDisabled),
    // no public source found: constructed from RFC 3501's LOGINDISABLED capability name, which real
    // servers advertise in CAPABILITY rather than write into a refusal
    row("constructed", ImapLogin, imap(I::Login, "a1 BAD LOGIN not permitted: LOGINDISABLED"),
        ImapSettingsIncorrect, PlaintextLoginRefused),
    // no public source found: constructed from the phrase "too many connections"
    row("constructed", ImapLogin, imap(I::Login, "a1 NO Too many connections from your IP address"),
        ImapAuthenticationError, TooManyConnections),
    // no public source found: constructed from Microsoft's BasicAuthBlocked, which clients report
    // but no public transcript shows
    row("constructed", ImapLogin, imap(I::Login, "a1 NO LOGIN failed. BasicAuthBlocked"),
        Unauthorized, BasicAuthDisabled),
    // no public source found: constructed from the phrase "account is disabled"
    row("constructed", ImapLogin, imap(I::Login, "a1 NO Account is disabled"),
        Unauthorized, AccountDisabled),
    // no public source found: constructed from the phrase "account disabled"
    row("constructed", ImapLogin, imap(I::Login, "a1 NO Account disabled"),
        Unauthorized, AccountDisabled),
    // no public source found: constructed from the phrase "account is locked"
    row("constructed", ImapLogin, imap(I::Login, "a1 NO Account is locked"),
        Unauthorized, AccountDisabled),
    // no public source found: constructed from the phrase "account locked"
    row("constructed", ImapLogin, imap(I::Login, "a1 NO Account locked"),
        Unauthorized, AccountDisabled),
    // no public source found: constructed from the phrase "account has been locked" (lavabit/magma
    // src/servers/imap/imap.c sends "[CONTACTADMIN] This account has been locked.", which carries
    // two needles of the rule and so decides neither)
    row("constructed", ImapLogin, imap(I::Login, "a1 NO Your account has been locked"),
        Unauthorized, AccountDisabled),
    // no public source found: constructed from the phrase "server unavailable"
    row("constructed", ImapLogin, imap(I::Login, "a1 NO Server unavailable"),
        ImapAuthenticationError, TemporaryServerError),
    // no public source found: constructed from the phrase "invalid username or password" (Outlook's
    // reported "[AUTHENTICATIONFAILED] Invalid username or password." carries two needles)
    row("constructed", ImapLogin, imap(I::Login, "a1 NO Invalid username or password"),
        Unauthorized, InvalidCredentials),
    // no public source found: constructed from the phrase "incorrect password"
    row("constructed", ImapLogin, imap(I::Login, "a1 NO Incorrect password"),
        Unauthorized, InvalidCredentials),
    // no public source found: constructed from QQ Mail's reply (mscdex/node-imap#432) without its
    // "not enabled for IMAP" clause; the real reply always has it and is classified imap_disabled
    row("constructed", ImapLogin, imap(I::Login, "a1 NO [ALERT] Login failure. Incrrect passowd."),
        Unauthorized, InvalidCredentials),
    // ---------------------------------------------------------------- SMTP
    // no public source found: constructed from the phrase "app password"
    row("constructed", SmtpLogin, smtp(S::Auth, "535 5.7.0 Please use an app password"),
        UnauthorizedAppPasswordRequired, AppPasswordRequired),
    // no public source found: constructed from the phrase "app-specific password"
    row("constructed", SmtpLogin, smtp(S::Auth, "535 5.7.0 An app-specific password is required"),
        UnauthorizedAppPasswordRequired, AppPasswordRequired),
    // no public source found: constructed from the phrase "web login required" (Gmail's SMTP says
    // "log in with your web browser" and links "?p=WebLoginRequired", in one word)
    row("constructed", SmtpLogin, smtp(S::Auth, "534 5.7.0 Web login required"),
        Unauthorized, WebLoginRequired),
    // no public source found: constructed from the phrase "too many simultaneous"
    row("constructed", SmtpConnect, smtp(S::Greeting, "421 4.7.0 Too many simultaneous sessions"),
        SmtpSettingsIncorrect, TooManyConnections),
    // no public source found: constructed from the phrase "mailbox full" (after the body, where
    // without the phrase the reply would be a rejected message)
    row("constructed", SmtpSend, smtp(S::DataEnd, "552 Mailbox full"),
        TestEmailFailed, RecipientRejected),
    // no public source found: constructed from the phrase "mailbox is full" (Exim writes it into
    // bounces, src/src/transports/appendfile.c, not into an SMTP reply)
    row("constructed", SmtpSend, smtp(S::DataEnd, "552 Requested mail action aborted: mailbox is full"),
        TestEmailFailed, RecipientRejected),
    // no public source found: constructed from the phrase "sending quota" (Gmail's "Daily user
    // sending quota exceeded" carries "quota exceeded" too)
    row("constructed", SmtpSend, smtp(S::MailFrom, "550 Daily sending quota reached"),
        TestEmailFailed, SendingLimitReached),
    // no public source found: constructed from the phrase "not owned by user" (Postfix's
    // "Sender address rejected: not owned by user …", vdukhovni/postfix
    // postfix/src/smtpd/smtpd_check.c, always carries "sender address rejected" too)
    row("constructed", SmtpSend, smtp(S::DataEnd, "553 5.7.1 From address not owned by user"),
        TestEmailFailed, SenderRejected),
    // no public source found: constructed from the phrase "bad username or password"
    row("constructed", SmtpLogin, smtp(S::Auth, "535 Bad username or password"),
        Unauthorized, InvalidCredentials),
];

/// Every row, real and constructed.
fn all_rows() -> impl Iterator<Item = &'static Row> {
    ROWS.iter().chain(CONSTRUCTED_ROWS)
}

#[test]
fn real_replies_are_classified_as_documented() {
    let mismatches: Vec<String> = all_rows()
        .enumerate()
        .filter_map(|(index, row)| {
            let got = classify(row.step, &row.observation);
            (got.category != row.category || got.cause != row.cause).then(|| {
                format!(
                    "row {index} [{}] at {}: {:?}\n    expected {}/{}, got {}/{}",
                    row.provider,
                    row.step,
                    row.observation,
                    row.category,
                    row.cause,
                    got.category,
                    got.cause,
                )
            })
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} rows classified differently:\n{}",
        mismatches.len(),
        ROWS.len() + CONSTRUCTED_ROWS.len(),
        mismatches.join("\n"),
    );
}

// ------------------------------------------------------------------------------------ coverage

/// Every cause `classify` can return, read off `cause_of`, `imap_reply` and `smtp_reply` (and
/// `CertVerdict::cause`). A table that produces each of them shows that no branch of the
/// classifier is dead or untested. Listed by hand rather than derived, so that a cause the
/// classifier starts or stops returning is a decision someone writes down here;
/// `every_cause_is_listed_as_classified_or_not` makes sure no cause of the taxonomy is forgotten.
const CLASSIFIED: &[Cause] = &[
    // cause_of, observations without server text
    DnsNameNotFound,
    DnsLookupFailed,
    ConnectionRefused,
    NoAnswer,
    NetworkUnreachable,
    ConnectionClosed,
    ServerTimeout,
    TlsModeMismatch,
    NotImapServer,
    NotSmtpServer,
    OutdatedTlsOnly,
    TlsHandshakeFailed,
    StarttlsNotOffered,
    CertificateSelfSigned,
    CertificateUnknownIssuer,
    CertificateExpired,
    CertificateNotYetValid,
    CertificateNameMismatch,
    CertificateInvalid,
    NoSupportedAuthMechanism,
    OauthNotOffered,
    TestMessageNotArriving,
    // token_refused
    TokenExpired,
    TokenWrongAudience,
    TokenScopeMissing,
    TokenWrongUser,
    TokenRejected,
    SmtpAuthDisabled,
    // imap_reply and smtp_reply
    AppPasswordRequired,
    WebLoginRequired,
    ImapDisabled,
    PlaintextLoginRefused,
    TooManyConnections,
    BasicAuthDisabled,
    AccountDisabled,
    MailboxUnavailable,
    MailboxListFailed,
    InboxNotSelectable,
    TemporaryServerError,
    InvalidCredentials,
    AuthFailedUnspecified,
    UnexpectedReply,
    StarttlsRefused,
    SendingLimitReached,
    SenderRejected,
    RecipientRejected,
    MessageRejected,
];

/// The taxonomy's warnings: the engine raises them about a session that works; `classify` never
/// returns them.
const NOT_CLASSIFIED: &[Cause] = &[
    CertificateExpiringSoon,
    FewerSessionsThanTarget,
    AuthOfferedBeforeTls,
    WeakTlsAccepted,
    PlaintextSession,
    SentFolderNotFound,
    CapabilityMissing,
];

#[test]
fn every_cause_is_listed_as_classified_or_not() {
    let unlisted: Vec<String> = Cause::ALL
        .iter()
        .filter(|cause| !CLASSIFIED.contains(cause) && !NOT_CLASSIFIED.contains(cause))
        .map(|cause| cause.to_string())
        .collect();
    assert!(
        unlisted.is_empty(),
        "causes in neither CLASSIFIED nor NOT_CLASSIFIED (does classify return them?): {}",
        unlisted.join(", "),
    );
}

#[test]
fn every_classified_cause_is_produced_by_a_row() {
    let missing: Vec<String> = CLASSIFIED
        .iter()
        .filter(|&&cause| {
            !all_rows().any(|row| classify(row.step, &row.observation).cause == cause)
        })
        .map(|cause| cause.to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "no row is classified as: {}",
        missing.join(", "),
    );
}

/// The server text of a row, if it is a reply on the given side.
fn reply_text(row: &Row, smtp_side: bool) -> Option<&'static str> {
    match row.observation {
        Observation::ImapReply { text, .. } if !smtp_side => Some(text),
        Observation::SmtpReply { text, .. } if smtp_side => Some(text),
        _ => None,
    }
}

/// A needle *decides* a row when the row's text contains it and no other needle of its rule, and
/// the row is classified as the rule's cause: without that needle the rule would not have fired
/// on the strength of its words. A needle that decides no row is untested or dead.
#[test]
fn every_phrase_needle_decides_a_row() {
    let sides = [
        ("IMAP", false, phrases::IMAP),
        ("SMTP", true, phrases::SMTP),
    ];
    let mut undecided = Vec::new();
    for (side, smtp_side, rules) in sides {
        for rule in rules {
            // Matching ignores ASCII case, as `Phrases::matches` does.
            let lower: Vec<String> = rule
                .needles
                .iter()
                .map(|n| n.to_ascii_lowercase())
                .collect();
            for (index, needle) in lower.iter().enumerate() {
                let others = lower
                    .iter()
                    .enumerate()
                    .filter(move |&(other, _)| other != index)
                    .map(|(_, other)| other);
                let decided = all_rows().any(|row| {
                    let Some(text) = reply_text(row, smtp_side) else {
                        return false;
                    };
                    let text = text.to_ascii_lowercase();
                    text.contains(needle.as_str())
                        && !others.clone().any(|other| text.contains(other.as_str()))
                        && classify(row.step, &row.observation).cause == rule.cause
                });
                if !decided {
                    let within: Vec<&String> = others
                        .clone()
                        .filter(|other| needle.contains(other.as_str()))
                        .collect();
                    let why = if within.is_empty() {
                        String::new()
                    } else {
                        format!(" (it contains {within:?} of the same rule, so it never can)")
                    };
                    undecided.push(format!("{side} {} needle {needle:?}{why}", rule.cause));
                }
            }
        }
    }
    assert!(
        undecided.is_empty(),
        "{} phrase needles decide no row:\n{}",
        undecided.len(),
        undecided.join("\n"),
    );
}
