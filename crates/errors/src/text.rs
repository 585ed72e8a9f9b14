//! Explanations and remediation, in every language we support.
//!
//! Each language module matches exhaustively on the taxonomy, so a new cause does not compile
//! until every language has its words.

mod de;
mod en;
mod nb;
mod pl;

use serde::{Deserialize, Serialize};

use crate::step::StepId;
use crate::taxonomy::{Category, Cause};

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

pub fn cause_text(cause: Cause, lang: Lang) -> CauseText {
    match lang {
        Lang::En => en::cause(cause),
        Lang::De => de::cause(cause),
        Lang::Nb => nb::cause(cause),
        Lang::Pl => pl::cause(cause),
    }
}

pub fn category_title(category: Category, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en::category(category),
        Lang::De => de::category(category),
        Lang::Nb => nb::category(category),
        Lang::Pl => pl::category(category),
    }
}

pub fn step_title(step: StepId, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en::step(step),
        Lang::De => de::step(step),
        Lang::Nb => nb::step(step),
        Lang::Pl => pl::step(step),
    }
}

pub fn phrase(p: Phrase, lang: Lang) -> &'static str {
    match lang {
        Lang::En => en::phrase(p),
        Lang::De => de::phrase(p),
        Lang::Nb => nb::phrase(p),
        Lang::Pl => pl::phrase(p),
    }
}

#[cfg(test)]
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
    fn every_category_and_step_has_a_title() {
        for lang in Lang::ALL {
            for &c in Category::ALL {
                assert!(!category_title(c, lang).is_empty());
            }
            for &s in StepId::ALL {
                assert!(!step_title(s, lang).is_empty());
            }
        }
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
