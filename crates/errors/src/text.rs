//! Explanations and remediation, in every language we support.
//!
//! Each language module matches exhaustively on the taxonomy, so a new cause does not compile
//! until every language has its words.

#[cfg(feature = "texts")]
mod de;
#[cfg(feature = "texts")]
mod en;
#[cfg(feature = "texts")]
mod nb;
#[cfg(feature = "texts")]
mod pl;

use serde::{Deserialize, Serialize};

use crate::step::{SkipReason, StepId};
use crate::taxonomy::{coded_enum, Category, Cause};

/// A language of the texts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    En,
    De,
    Nb,
    Pl,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::De, Lang::Nb, Lang::Pl];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Nb => "nb",
            Lang::Pl => "pl",
        }
    }

    /// Reads a BCP 47 tag as a browser or a user writes it (`de-AT`, `nb_NO`, `no`, `PL`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .split(['-', '_', '.'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            // Norwegian without a written standard and Nynorsk readers are best served by Bokmål.
            "nb" | "no" | "nn" => Some(Lang::Nb),
            "pl" => Some(Lang::Pl),
            _ => None,
        }
    }
}

/// The words for one cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CauseText {
    /// A few words, e.g. "Certificate expired".
    pub title: &'static str,
    /// One or two sentences saying what happened.
    pub explanation: &'static str,
    /// What to do, in order.
    pub remediation: &'static [&'static str],
}

/// Short interface phrases the front ends share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phrase {
    Passed,
    Failed,
    Skipped,
    Warning,
    WhatToDo,
    ServerSaid,
    AllPassed,
    Detail,
}

coded_enum! {
    /// Every word of the browser page's own (labels, buttons, messages), served with the rest
    /// of a language's texts (`TextBundle::labels`).
    pub enum Label {
        Title = "title",
        Intro = "intro",
        Language = "language",
        Email = "email",
        Password = "password",
        KeepPassword = "keep_password",
        Username = "username",
        UsernameHint = "username_hint",
        ImapServer = "imap_server",
        SmtpServer = "smtp_server",
        Host = "host",
        Port = "port",
        Security = "security",
        SecurityAuto = "security_auto",
        SecurityTls = "security_tls",
        SecurityStarttls = "security_starttls",
        SecurityPlain = "security_plain",
        SeparateSmtp = "separate_smtp",
        SmtpUsername = "smtp_username",
        SmtpPassword = "smtp_password",
        AllowInsecure = "allow_insecure",
        AllowInsecureHint = "allow_insecure_hint",
        TestRecipient = "test_recipient",
        Roundtrip = "roundtrip",
        Run = "run",
        Running = "running",
        Cancel = "cancel",
        Prefilled = "prefilled",
        Discovered = "discovered",
        LookingUp = "looking_up",
        ErrEmail = "err_email",
        ErrPassword = "err_password",
        ErrHost = "err_host",
        ErrPort = "err_port",
        Steps = "steps",
        Imap = "imap",
        Smtp = "smtp",
        Waiting = "waiting",
        InProgress = "in_progress",
        Passed = "passed",
        Failed = "failed",
        Skipped = "skipped",
        AllGood = "all_good",
        ServerSaid = "server_said",
        Detail = "detail",
        WhatToDo = "what_to_do",
        Warnings = "warnings",
        TlsPanel = "tls_panel",
        Version = "version",
        Cipher = "cipher",
        Certificate = "certificate",
        Subject = "subject",
        Issuer = "issuer",
        Names = "names",
        ValidFrom = "valid_from",
        ValidTo = "valid_to",
        Key = "key",
        Verdict = "verdict",
        Transcript = "transcript",
        CopyReport = "copy_report",
        Copied = "copied",
        DownloadJson = "download_json",
        RelayError = "relay_error",
        ConnectionLost = "connection_lost",
        Cancelled = "cancelled",
        NotRun = "not_run",
        Advice = "advice",
        AdviceIntro = "advice_intro",
        NotHere = "not_here",
        TechnicalDetails = "technical_details",
        Code = "code",
        Step = "step",
        BothSides = "both_sides",
        SameOnBoth = "same_on_both",
        RetryAllowingCertificate = "retry_allowing_certificate",
        RetypePassword = "retype_password",
        TrustedTypesRefused = "trusted_types_refused",
        SigninInstead = "signin_instead",
        SigninWith = "signin_with",
        SignedIn = "signed_in",
        SignOut = "sign_out",
        SigninFailed = "signin_failed",
        SigninOffer = "signin_offer",
        AdminOpen = "admin_open",
        AdminTitle = "admin_title",
        AdminIntro = "admin_intro",
        AdminToken = "admin_token",
        AdminTokenHint = "admin_token_hint",
        AdminEnter = "admin_enter",
        AdminRefused = "admin_refused",
        Domain = "domain",
        Domains = "domains",
        NoDomains = "no_domains",
        ChangedBy = "changed_by",
        Edit = "edit",
        History = "history",
        AddDomain = "add_domain",
        CheckSettings = "check_settings",
        SaveSettings = "save_settings",
        SaveAnyway = "save_anyway",
        SaveAnywayWarning = "save_anyway_warning",
        Saved = "saved",
        SavedForced = "saved_forced",
        NotSaved = "not_saved",
        AnswersAsConfigured = "answers_as_configured",
        Changes = "changes",
        Field = "field",
        Before = "before",
        After = "after",
        NoChanges = "no_changes",
        Restore = "restore",
        RestoreAnyway = "restore_anyway",
        ChangeAction = "change_action",
        StoredPast = "stored_past",
        EgressTitle = "egress_title",
        EgressIntro = "egress_intro",
        EgressNotPinned = "egress_not_pinned",
        Copy = "copy",
        Close = "close",
        UseStaticIps = "use_static_ips",
    }
}

/// The page's words for `label`.
#[cfg(feature = "texts")]
pub fn label(l: Label, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en::label(l),
        Lang::De => de::label(l),
        Lang::Nb => nb::label(l),
        Lang::Pl => pl::label(l),
    }
}

#[cfg(feature = "texts")]
pub fn cause_text(cause: Cause, lang: Lang) -> CauseText {
    match lang {
        Lang::En => en::cause(cause),
        Lang::De => de::cause(cause),
        Lang::Nb => nb::cause(cause),
        Lang::Pl => pl::cause(cause),
    }
}

#[cfg(feature = "texts")]
pub fn category_title(category: Category, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en::category(category),
        Lang::De => de::category(category),
        Lang::Nb => nb::category(category),
        Lang::Pl => pl::category(category),
    }
}

#[cfg(feature = "texts")]
pub fn step_title(step: StepId, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en::step(step),
        Lang::De => de::step(step),
        Lang::Nb => nb::step(step),
        Lang::Pl => pl::step(step),
    }
}

#[cfg(feature = "texts")]
pub fn skip_reason(r: SkipReason, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en::skip(r),
        Lang::De => de::skip(r),
        Lang::Nb => nb::skip(r),
        Lang::Pl => pl::skip(r),
    }
}

/// What a refusal (an [`crate::ErrorCode`]) means for the person in front of the page.
#[cfg(feature = "texts")]
pub fn refusal(code: crate::ErrorCode, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en::refusal(code),
        Lang::De => de::refusal(code),
        Lang::Nb => nb::refusal(code),
        Lang::Pl => pl::refusal(code),
    }
}

#[cfg(feature = "texts")]
pub fn phrase(p: Phrase, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en::phrase(p),
        Lang::De => de::phrase(p),
        Lang::Nb => nb::phrase(p),
        Lang::Pl => pl::phrase(p),
    }
}

#[cfg(feature = "texts")]
pub fn hint_template(h: crate::HintKind, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en::hint(h),
        Lang::De => de::hint(h),
        Lang::Nb => nb::hint(h),
        Lang::Pl => pl::hint(h),
    }
}

#[cfg(feature = "texts")]
pub fn finding_template(k: crate::FindingKind, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en::finding(k),
        Lang::De => de::finding(k),
        Lang::Nb => nb::finding(k),
        Lang::Pl => pl::finding(k),
    }
}

/// One language's words for every category, cause and step: what the relay serves the page
/// (`GET /api/texts/{lang}`), so a browser downloads only its user's language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextBundle {
    pub lang: Lang,
    pub categories: Vec<(Category, String)>,
    pub causes: Vec<CauseWords>,
    pub steps: Vec<(StepId, String)>,
    /// Templates of mailbox-specific advice ([`crate::hints`]).
    #[serde(default)]
    pub hints: Vec<(crate::HintKind, String)>,
    /// Why steps are skipped.
    #[serde(default)]
    pub skips: Vec<(SkipReason, String)>,
    /// What the relay's refusals mean.
    #[serde(default)]
    pub refusals: Vec<(crate::ErrorCode, String)>,
    /// Templates of what warnings found ([`crate::Finding::words`]).
    #[serde(default)]
    pub findings: Vec<(crate::FindingKind, String)>,
    /// The browser page's own words.
    #[serde(default)]
    pub labels: Vec<(Label, String)>,
}

/// [`CauseText`], owned, for the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CauseWords {
    pub cause: Cause,
    pub title: String,
    pub explanation: String,
    pub remediation: Vec<String>,
}

impl TextBundle {
    #[cfg(feature = "texts")]
    pub fn of(lang: Lang) -> TextBundle {
        TextBundle {
            lang,
            categories: Category::ALL
                .iter()
                .map(|&c| (c, category_title(c, lang).to_owned()))
                .collect(),
            causes: Cause::ALL
                .iter()
                .map(|&c| {
                    let t = cause_text(c, lang);
                    CauseWords {
                        cause: c,
                        title: t.title.to_owned(),
                        explanation: t.explanation.to_owned(),
                        remediation: t.remediation.iter().map(|s| (*s).to_owned()).collect(),
                    }
                })
                .collect(),
            steps: StepId::ALL
                .iter()
                .map(|&s| (s, step_title(s, lang).to_owned()))
                .collect(),
            hints: crate::HintKind::ALL
                .iter()
                .map(|&h| (h, hint_template(h, lang).to_owned()))
                .collect(),
            skips: SkipReason::ALL
                .iter()
                .map(|&r| (r, skip_reason(r, lang).to_owned()))
                .collect(),
            refusals: crate::ErrorCode::ALL
                .iter()
                .map(|&c| (c, refusal(c, lang).to_owned()))
                .collect(),
            findings: crate::FindingKind::ALL
                .iter()
                .map(|&k| (k, finding_template(k, lang).to_owned()))
                .collect(),
            labels: Label::ALL
                .iter()
                .map(|&l| (l, label(l, lang).to_owned()))
                .collect(),
        }
    }

    /// The page's words for `l`; empty until the words have arrived.
    pub fn label(&self, l: Label) -> &str {
        self.labels
            .iter()
            .find(|(k, _)| *k == l)
            .map_or("", |(_, t)| t.as_str())
    }

    /// What a refusal means; `None` until the words have arrived.
    pub fn refusal(&self, code: crate::ErrorCode) -> Option<&str> {
        self.refusals
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, t)| t.as_str())
    }

    /// Why a step was skipped; empty until the words have arrived.
    pub fn skip(&self, reason: SkipReason) -> String {
        self.skips
            .iter()
            .find(|(r, _)| *r == reason)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    }

    /// A finding's template; empty until the words have arrived.
    pub fn finding(&self, kind: crate::FindingKind) -> String {
        self.findings
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    }

    /// A hint template; empty until the words have arrived.
    pub fn hint(&self, kind: crate::HintKind) -> String {
        self.hints
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    }

    pub fn cause(&self, cause: Cause) -> Option<&CauseWords> {
        self.causes.iter().find(|w| w.cause == cause)
    }

    /// The category's title, or its code until the words have arrived.
    pub fn category(&self, category: Category) -> String {
        self.categories
            .iter()
            .find(|(c, _)| *c == category)
            .map_or_else(|| category.code().to_owned(), |(_, t)| t.clone())
    }

    /// The step's title, or its code until the words have arrived.
    pub fn step(&self, step: StepId) -> String {
        self.steps
            .iter()
            .find(|(s, _)| *s == step)
            .map_or_else(|| step.code().to_owned(), |(_, t)| t.clone())
    }
}

#[cfg(all(test, feature = "texts"))]
mod tests {
    use super::*;

    #[test]
    fn every_cause_has_words_in_every_language() {
        for &cause in Cause::ALL {
            let english = cause_text(cause, Lang::En);
            for lang in Lang::ALL {
                let t = cause_text(cause, lang);
                assert!(!t.title.trim().is_empty(), "{cause} {lang:?} title");
                assert!(!t.explanation.trim().is_empty(), "{cause} {lang:?}");
                assert!(!t.remediation.is_empty(), "{cause} {lang:?} remediation");
                assert!(t.remediation.iter().all(|s| !s.trim().is_empty()));
                if lang != Lang::En {
                    assert_ne!(
                        t.explanation, english.explanation,
                        "{cause} {lang:?} untranslated"
                    );
                }
            }
        }
    }

    #[test]
    fn every_hint_has_a_template_with_its_placeholders() {
        for lang in Lang::ALL {
            for &h in crate::HintKind::ALL {
                let t = hint_template(h, lang);
                assert!(!t.trim().is_empty(), "{h} {lang:?}");
                let needs: &[&str] = match h {
                    crate::HintKind::Alternative => &[
                        "{port}",
                        "{host}",
                        "{mode}",
                        "{entered_port}",
                        "{entered_mode}",
                    ],
                    crate::HintKind::AppPassword | crate::HintKind::ImapSwitch => {
                        &["{provider}", "{url}"]
                    }
                    crate::HintKind::AppPasswordNoUrl
                    | crate::HintKind::OauthOnly
                    | crate::HintKind::BridgeLocal => &["{provider}"],
                    _ => &[],
                };
                for n in needs {
                    assert!(t.contains(n), "{h} {lang:?} lacks {n}: {t}");
                }
            }
        }
    }

    #[test]
    fn every_category_and_step_has_a_title() {
        for lang in Lang::ALL {
            for &c in Category::ALL {
                assert!(!category_title(c, lang).is_empty());
            }
            for &s in StepId::ALL {
                assert!(!step_title(s, lang).is_empty());
            }
            for &r in SkipReason::ALL {
                assert!(!skip_reason(r, lang).is_empty());
                if lang != Lang::En {
                    assert_ne!(
                        skip_reason(r, lang),
                        skip_reason(r, Lang::En),
                        "{r} {lang:?}"
                    );
                }
            }
            for &c in crate::ErrorCode::ALL {
                assert!(!refusal(c, lang).is_empty());
                if lang != Lang::En {
                    assert_ne!(refusal(c, lang), refusal(c, Lang::En), "{c:?} {lang:?}");
                }
            }
        }
    }

    /// Derived from the type: a label added to [`Label`] fails here until every language has it.
    #[test]
    fn every_label_is_translated() {
        for &l in Label::ALL {
            for lang in Lang::ALL {
                let words = label(l, lang);
                assert!(!words.trim().is_empty(), "{l} {lang:?}");
                // Names and protocol words are the same everywhere; sentences are not.
                let same_everywhere = matches!(
                    l,
                    Label::Title
                        | Label::Imap
                        | Label::Smtp
                        | Label::SecurityTls
                        | Label::SecurityStarttls
                        | Label::Port
                        | Label::Code
                );
                if lang != Lang::En && !same_everywhere {
                    assert_ne!(words, label(l, Lang::En), "{l} {lang:?} untranslated");
                }
            }
        }
    }

    #[test]
    fn a_bundle_carries_every_word_of_its_language() {
        let b = TextBundle::of(Lang::Pl);
        assert_eq!(b.causes.len(), Cause::ALL.len());
        assert_eq!(
            b.category(Category::Unauthorized),
            category_title(Category::Unauthorized, Lang::Pl)
        );
        assert_eq!(
            b.cause(Cause::NoAnswer).unwrap().title,
            cause_text(Cause::NoAnswer, Lang::Pl).title
        );
        assert_eq!(TextBundle::default().step(StepId::ImapTls), "imap.tls");
        assert_eq!(b.label(Label::Run), label(Label::Run, Lang::Pl));
        assert_eq!(TextBundle::default().label(Label::Run), "");
        assert_eq!(
            b.refusal(crate::ErrorCode::AccountRateLimited),
            Some(refusal(crate::ErrorCode::AccountRateLimited, Lang::Pl))
        );
    }

    #[test]
    fn language_tags_as_browsers_send_them() {
        assert_eq!(Lang::from_tag("de-AT"), Some(Lang::De));
        assert_eq!(Lang::from_tag("nb_NO.UTF-8"), Some(Lang::Nb));
        assert_eq!(Lang::from_tag("no"), Some(Lang::Nb));
        assert_eq!(Lang::from_tag("PL"), Some(Lang::Pl));
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
