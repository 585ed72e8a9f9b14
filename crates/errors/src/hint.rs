//! Advice specific to one mailbox, on top of a cause's general remediation: the settings that
//! discovery found to work ("port 993 answers with implicit TLS; you entered 143 with
//! STARTTLS"), and what the mailbox's provider asks of mail programs. The words are templates
//! from the text bundle, so the page re-words them when the language changes.

use serde::{Deserialize, Serialize};

use crate::discovery::{AdminNote, AppPassword};
use crate::report::Failure;
use crate::step::{Security, Side};
use crate::taxonomy::coded_enum;

coded_enum! {
    /// A template of mailbox-specific advice.
    pub enum HintKind {
        /// `{port}`, `{host}`, `{mode}`; `{entered_port}`, `{entered_mode}`.
        Alternative = "alternative",
        /// `{provider}`, `{url}`.
        AppPassword = "app_password",
        /// `{provider}`.
        AppPasswordNoUrl = "app_password_no_url",
        /// `{provider}`.
        OauthOnly = "oauth_only",
        /// `{provider}`, `{url}`.
        ImapSwitch = "imap_switch",
        M365SmtpAuth = "m365_smtp_auth",
        WorkspaceAdminImap = "workspace_admin_imap",
        /// `{provider}`.
        BridgeLocal = "bridge_local",
        /// How the modes read inside `{mode}`.
        ModeTls = "mode_tls",
        ModeStarttls = "mode_starttls",
        ModePlain = "mode_plain",
    }
}

/// The mailbox-specific advice for `failure`, worded with `template` (one language's).
pub fn hints(failure: &Failure, template: impl Fn(HintKind) -> String) -> Vec<String> {
    let mut out = Vec::new();
    let side = failure.step.side();
    let mode = |s: Security| {
        template(match s {
            Security::Tls => HintKind::ModeTls,
            Security::Plain => HintKind::ModePlain,
            _ => HintKind::ModeStarttls,
        })
    };
    if let (Some(found), Some(entered)) = (&failure.alternative, &failure.entered) {
        out.push(
            template(HintKind::Alternative)
                .replace("{port}", &found.port.to_string())
                .replace("{host}", &found.host)
                .replace("{mode}", &mode(found.security))
                .replace("{entered_port}", &entered.port.to_string())
                .replace("{entered_mode}", &mode(entered.security)),
        );
    }
    if let Some(p) = &failure.provider {
        let fill = |kind: HintKind, url: Option<&str>| {
            template(kind)
                .replace("{provider}", &p.name)
                .replace("{url}", url.unwrap_or(""))
        };
        if p.oauth_only {
            out.push(fill(HintKind::OauthOnly, None));
        }
        if p.app_password != AppPassword::No {
            out.push(match &p.app_password_url {
                Some(url) => fill(HintKind::AppPassword, Some(url)),
                None => fill(HintKind::AppPasswordNoUrl, None),
            });
        }
        if let (Side::Imap, Some(url)) = (side, &p.imap_switch_url) {
            out.push(fill(HintKind::ImapSwitch, Some(url)));
        }
        match (p.admin_note, side) {
            (Some(AdminNote::M365SmtpAuth), Side::Smtp) => {
                out.push(fill(HintKind::M365SmtpAuth, None))
            }
            (Some(AdminNote::WorkspaceAdminImap), Side::Imap) => {
                out.push(fill(HintKind::WorkspaceAdminImap, None))
            }
            (Some(AdminNote::BridgeLocal), _) => out.push(fill(HintKind::BridgeLocal, None)),
            _ => {}
        }
    }
    out
}

#[cfg(all(test, feature = "texts"))]
mod tests {
    use super::*;
    use crate::discovery::{Candidate, ProbeOutcome, Provider, Source};
    use crate::text::{hint_template, Lang};
    use crate::{Category, Cause, ServerSettings, StepId};

    fn failure(step: StepId) -> Failure {
        Failure {
            category: Category::Unauthorized,
            cause: Cause::NoAnswer,
            step,
            server_reply: None,
            detail: None,
            title: String::new(),
            explanation: String::new(),
            remediation: Vec::new(),
            entered: None,
            alternative: None,
            provider: None,
        }
    }

    fn provider(note: Option<AdminNote>) -> Provider {
        Provider {
            id: "p".into(),
            name: "Post".into(),
            matched_by: "domain".into(),
            app_password: AppPassword::With2fa,
            app_password_url: Some("https://post.example/app".into()),
            oauth_only: false,
            oauth: None,
            imap_switch_url: Some("https://post.example/imap".into()),
            admin_note: note,
            help_url: None,
        }
    }

    #[test]
    fn hints_follow_the_side_and_the_provider() {
        let en = |k| hint_template(k, Lang::En).to_owned();
        let mut imap = failure(StepId::ImapLogin);
        imap.provider = Some(provider(Some(AdminNote::M365SmtpAuth)));
        let got = hints(&imap, en);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].contains("https://post.example/app"));
        assert!(got[1].contains("https://post.example/imap"));

        // The IMAP switch is not SMTP's business; the SMTP admin setting is.
        let mut smtp = failure(StepId::SmtpLogin);
        smtp.provider = Some(provider(Some(AdminNote::M365SmtpAuth)));
        let got = hints(&smtp, en);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[1].contains("authenticated SMTP"));

        let mut wrong_port = failure(StepId::ImapConnect);
        wrong_port.entered = Some(ServerSettings {
            host: "mail.example".into(),
            port: 143,
            security: Security::Tls,
        });
        wrong_port.alternative = Some(Candidate {
            side: Side::Imap,
            host: "mail.example".into(),
            port: 993,
            security: Security::Tls,
            sources: vec![Source::Entered],
            outcome: ProbeOutcome::Confirmed,
            detail: None,
        });
        assert_eq!(
            hints(&wrong_port, en),
            vec!["Port 993 on mail.example answers with implicit TLS; you entered port 143 with implicit TLS. Use those settings.".to_owned()]
        );
        assert!(hints(&failure(StepId::ImapLogin), en).is_empty());
    }
}
