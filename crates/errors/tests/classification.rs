//! Classification checked against replies that real mail servers sent.
//!
//! Every server text below was found in a public source, named in the comment above its row
//! (`owner/repo#issue` for an issue or pull request, `owner/repo path` for a file, or
//! PROVIDER-REPLIES.md). Texts are copied as the source shows them. Two kinds of reconstruction
//! are marked in the comments:
//! - "tag ours": the source shows the server's words without the IMAP tag the client chose, so
//!   the row puts one in front (`a1`), as a server would echo it;
//! - "lines joined": the source printed a multi-line SMTP reply on one line (a Postfix log, a
//!   Python tuple); the row restores the reply code and joins the lines with "\n".
//!
//! The second half checks the observations that carry no server text, on both sides: before
//! login the category follows the side (`imap_settings_incorrect` / `smtp_settings_incorrect`).

use inbox_doctor_errors::Category::*;
use inbox_doctor_errors::Cause::*;
use inbox_doctor_errors::StepId::*;
use inbox_doctor_errors::{
    classify, Category, Cause, CertVerdict, ImapCommand, Observation, SmtpCommand, StepId,
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
    // ---------------------------------------------------------------- a greeting in the other protocol
    // nodemailer/nodemailer#456 (Zoho's SMTP banner), seen where an IMAP greeting belongs
    row("Zoho", ImapConnect, Observation::ForeignGreeting { text: "220 mx.zohomail.com SMTP Server ready July 7, 2015 8:18:44 AM PDT" },
        ImapSettingsIncorrect, NotImapServer),
    // jstedfast/MailKit#483 (Exchange's IMAP greeting), seen where an SMTP banner belongs
    row("Microsoft Exchange", SmtpConnect, Observation::ForeignGreeting { text: "* OK The Microsoft Exchange IMAP4 service is ready." },
        SmtpSettingsIncorrect, NotSmtpServer),
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
    row("any", SmtpLogin, Observation::Closed, SmtpSettingsIncorrect, ConnectionClosed),
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
    // The test email not arriving is a send failure whichever side noticed it.
    row("any", Roundtrip, Observation::NotDelivered, TestEmailFailed, TestMessageNotArriving),
    row("any", SmtpSend, Observation::NotDelivered, TestEmailFailed, TestMessageNotArriving),
];

#[test]
fn real_replies_are_classified_as_documented() {
    let mismatches: Vec<String> = ROWS
        .iter()
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
        ROWS.len(),
        mismatches.join("\n"),
    );
}
