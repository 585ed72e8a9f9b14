//! Domain settings checked before they are stored: wrong settings disconnect every mailbox of
//! the domain at once. Each side is probed as discovery confirms a candidate (connect,
//! greeting, capabilities, TLS in the configured mode with the certificate's verdict; never a
//! login), and what fails is named as a diagnosis names it. Every change goes through
//! [`save`]: checked, diffed against what is stored, and stored only when the check passed or
//! the caller forced it (which the audit trail records), never on a dry run.

use inbox_doctor_errors::{
    classify, CheckFailure, DomainCheck, DomainSave, DomainSettings, Observation, ServerCheck,
    Side, StepId,
};

use super::{Author, Change, DomainStore, StoreError};
use crate::discover::{probe_server, DiscoverConfig, Probed};

/// How a change is to be made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct How {
    /// Store it even when the check fails (the trail says so).
    pub force: bool,
    /// Check and diff only; store nothing.
    pub dry_run: bool,
}

/// Checks both sides at once.
pub async fn check(settings: &DomainSettings, config: &DiscoverConfig) -> DomainCheck {
    let (imap, smtp) = tokio::join!(
        probe_server(config, Side::Imap, &settings.imap),
        probe_server(config, Side::Smtp, &settings.smtp),
    );
    let side = |side: Side, probed: Probed| ServerCheck {
        side,
        server: match side {
            Side::Imap => settings.imap.clone(),
            Side::Smtp => settings.smtp.clone(),
        },
        outcome: probed.outcome,
        failure: failure(side, probed.failure.as_ref(), settings.allow_insecure_cert),
        detail: probed.detail,
    };
    DomainCheck {
        imap: side(Side::Imap, imap),
        smtp: side(Side::Smtp, smtp),
    }
}

/// What a probe's failure means for stored settings: the diagnosis's category and cause, at
/// the step it stands for (a TLS failure at the TLS step, the rest at connecting). An
/// untrusted certificate is no failure where the settings allow it.
pub fn failure(
    side: Side,
    observed: Option<&Observation<String>>,
    allow_insecure_cert: bool,
) -> Option<CheckFailure> {
    let observed = observed?;
    if allow_insecure_cert && matches!(observed, Observation::Certificate(_)) {
        return None;
    }
    let tls = matches!(
        observed,
        Observation::Certificate(_)
            | Observation::TlsFailed
            | Observation::TlsLegacyOnly
            | Observation::TlsGotPlaintext
            | Observation::StarttlsNotOffered
    );
    let step = match (side, tls) {
        (Side::Imap, false) => StepId::ImapConnect,
        (Side::Imap, true) => StepId::ImapTls,
        (Side::Smtp, false) => StepId::SmtpConnect,
        (Side::Smtp, true) => StepId::SmtpTls,
    };
    let d = classify(step, observed);
    Some(CheckFailure {
        category: d.category,
        cause: d.cause,
    })
}

/// Checks `settings` for `domain`, diffs them against what is stored, and stores them when
/// the check passed or `how.force` (never on `how.dry_run`), recorded as `action`.
pub async fn save(
    store: &DomainStore,
    domain: &str,
    settings: &DomainSettings,
    author: &Author,
    config: &DiscoverConfig,
    action: &'static str,
    how: How,
) -> Result<DomainSave, StoreError> {
    let checked = check(settings, config).await;
    let before = store.get(domain).await?.map(|r| r.settings);
    let changes = settings.changes_from(before.as_ref());
    let passed = checked.passed();
    let store_it = !how.dry_run && (passed || how.force);
    if store_it {
        let change = Change {
            action,
            forced_past: (!passed).then(|| checked.failures()).flatten(),
        };
        store.set(domain, settings, author, &change).await?;
    }
    Ok(DomainSave {
        domain: domain.to_owned(),
        check: checked,
        changes,
        saved: store_it,
        forced: store_it && !passed,
        dry_run: how.dry_run,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use inbox_doctor_errors::{Category, Cause, CertVerdict};

    #[test]
    fn a_failure_is_named_as_the_diagnosis_names_it_at_its_step() {
        let refused = failure(Side::Smtp, Some(&Observation::ConnectRefused), false).unwrap();
        assert_eq!(
            (refused.category, refused.cause),
            (Category::SmtpSettingsIncorrect, Cause::ConnectionRefused)
        );
        let plaintext = failure(Side::Imap, Some(&Observation::TlsGotPlaintext), false).unwrap();
        assert_eq!(plaintext.cause, Cause::TlsModeMismatch);
        let foreign = Observation::ForeignGreeting {
            text: "220 smtp.example.com ESMTP".to_owned(),
        };
        assert_eq!(
            failure(Side::Imap, Some(&foreign), false).unwrap().cause,
            Cause::NotImapServer
        );
    }

    #[test]
    fn an_untrusted_certificate_fails_unless_the_settings_allow_it() {
        let cert = Observation::Certificate(CertVerdict::SelfSigned);
        let f = failure(Side::Imap, Some(&cert), false).unwrap();
        assert_eq!(
            (f.category, f.cause),
            (
                Category::UnauthorizedUntrustedCertificate,
                Cause::CertificateSelfSigned
            )
        );
        assert_eq!(failure(Side::Imap, Some(&cert), true), None);
        // Allowing a bad certificate does not excuse anything else.
        assert!(failure(Side::Imap, Some(&Observation::ConnectRefused), true).is_some());
        assert_eq!(failure(Side::Imap, None, false), None);
    }
}
