//! What a warning found, as values rather than a sentence. The words around the values are a
//! template in every language (`TextBundle::findings`), like the mailbox-specific hints, so the
//! page says them in its reader's language and re-words them when the language changes. The
//! server's own words are never part of a finding: they travel apart
//! ([`crate::Warning::server_reply`]) and are shown as the server said them.

use serde::{Deserialize, Serialize};

use crate::taxonomy::coded_enum;

coded_enum! {
    /// The template a [`Finding`] is worded with.
    pub enum FindingKind {
        /// `{capabilities}`.
        CapabilitiesMissing = "capabilities_missing",
        /// `{allowed}`, `{wanted}`.
        Sessions = "sessions",
        /// `{days}`.
        ExpiresIn = "expires_in",
        /// `{version}`.
        AlsoAccepts = "also_accepts",
        /// `{mechanisms}`.
        OfferedInClear = "offered_in_clear",
    }
}

/// What a warning found: protocol names and numbers, no sentence of ours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// Capabilities a connected product relies on that the server does not announce.
    CapabilitiesMissing { capabilities: Vec<String> },
    /// How many simultaneous sessions the server let in, of how many were wanted.
    Sessions { allowed: u32, wanted: u32 },
    /// Days until the server's certificate expires.
    ExpiresIn { days: i64 },
    /// A legacy protocol version the server also accepts (`TLSv1.0`).
    AlsoAccepts { version: String },
    /// The password mechanisms the server offered before the connection was encrypted.
    OfferedInClear { mechanisms: String },
}

impl Finding {
    pub fn kind(&self) -> FindingKind {
        match self {
            Finding::CapabilitiesMissing { .. } => FindingKind::CapabilitiesMissing,
            Finding::Sessions { .. } => FindingKind::Sessions,
            Finding::ExpiresIn { .. } => FindingKind::ExpiresIn,
            Finding::AlsoAccepts { .. } => FindingKind::AlsoAccepts,
            Finding::OfferedInClear { .. } => FindingKind::OfferedInClear,
        }
    }

    /// The finding in words, from `template` (one language's).
    pub fn words(&self, template: impl Fn(FindingKind) -> String) -> String {
        let t = template(self.kind());
        match self {
            Finding::CapabilitiesMissing { capabilities } => {
                t.replace("{capabilities}", &capabilities.join(", "))
            }
            Finding::Sessions { allowed, wanted } => t
                .replace("{allowed}", &allowed.to_string())
                .replace("{wanted}", &wanted.to_string()),
            Finding::ExpiresIn { days } => t.replace("{days}", &days.to_string()),
            Finding::AlsoAccepts { version } => t.replace("{version}", version),
            Finding::OfferedInClear { mechanisms } => t.replace("{mechanisms}", mechanisms),
        }
    }
}

#[cfg(all(test, feature = "texts"))]
mod tests {
    use super::*;
    use crate::text::{finding_template, Lang};

    #[test]
    fn every_template_has_its_placeholders_in_every_language() {
        for lang in Lang::ALL {
            for &kind in FindingKind::ALL {
                let t = finding_template(kind, lang);
                let needs: &[&str] = match kind {
                    FindingKind::CapabilitiesMissing => &["{capabilities}"],
                    FindingKind::Sessions => &["{allowed}", "{wanted}"],
                    FindingKind::ExpiresIn => &["{days}"],
                    FindingKind::AlsoAccepts => &["{version}"],
                    FindingKind::OfferedInClear => &["{mechanisms}"],
                };
                for n in needs {
                    assert!(t.contains(n), "{kind} {lang:?} lacks {n}: {t}");
                }
                if lang != Lang::En {
                    assert_ne!(t, finding_template(kind, Lang::En), "{kind} {lang:?}");
                }
            }
        }
    }

    #[test]
    fn a_finding_is_worded_from_its_languages_template() {
        let f = Finding::Sessions {
            allowed: 3,
            wanted: 5,
        };
        assert_eq!(
            f.words(|k| finding_template(k, Lang::Pl).to_owned()),
            "Dozwolone jednoczesne sesje: 3 z 5."
        );
        let f = Finding::CapabilitiesMissing {
            capabilities: vec!["IDLE".into(), "UIDPLUS".into()],
        };
        assert_eq!(
            f.words(|k| finding_template(k, Lang::De).to_owned()),
            "Der Server kündigt nicht an: IDLE, UIDPLUS."
        );
    }
}
