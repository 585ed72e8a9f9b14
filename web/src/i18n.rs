//! Every word the page shows comes from one place: the relay's `GET /api/texts/{lang}`, one
//! language at a time ([`TextBundle`]: the page's labels, category and cause texts, step names,
//! refusals, findings). The wasm carries no sentence of any language, and the check that every
//! word is translated runs over the [`Label`] type in `inbox_doctor_errors`.

use inbox_doctor_errors::{
    hints, Category, Cause, CertVerdict, ErrorCode, Failure, Label, Lang, Side, SkipReason, StepId,
    TextBundle, Warning,
};
use leptos::prelude::*;

use crate::api::get_json;

/// The current language, shared by every component.
#[derive(Clone, Copy)]
pub struct Language(pub RwSignal<Lang>);

pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<Language>().0
}

/// The current language's words (empty until they have arrived).
#[derive(Clone, Copy)]
pub struct Texts(pub RwSignal<TextBundle>);

pub fn texts() -> RwSignal<TextBundle> {
    expect_context::<Texts>().0
}

/// Whether the words of the language chosen first have arrived (`Some(true)`), could not be
/// fetched (`Some(false)`), or are on their way (`None`).
pub type WordsLoaded = Signal<Option<bool>>;

/// Provides [`Language`] and [`Texts`] to every component below, and fetches the words of
/// `relay` for each language chosen. A [`LocalResource`]: when the reader switches twice quickly,
/// the answer for the older choice never overwrites the newer one; the words shown stay those of
/// the previous language until the new ones are in.
pub fn provide_words(relay: &str, lang: Lang) -> (RwSignal<Lang>, WordsLoaded) {
    let lang = RwSignal::new(lang);
    provide_context(Language(lang));
    let words = RwSignal::new(TextBundle::default());
    provide_context(Texts(words));
    let relay = relay.to_owned();
    let fetched = LocalResource::new(move || {
        let url = format!("{relay}/api/texts/{}", lang.get().code());
        async move { get_json::<TextBundle>(&url).await }
    });
    Effect::new(move |_| {
        if let Some(Some(bundle)) = fetched.get() {
            words.set(bundle);
        }
    });
    let loaded = Signal::derive(move || {
        if !words.with(|w| w.labels.is_empty()) {
            Some(true)
        } else {
            fetched.with(|f| f.as_ref().map(Option::is_some))
        }
    });
    (lang, loaded)
}

/// The page's words for `label` in the current language (reactive): [`say`] at once.
pub fn word(label: Label) -> String {
    say(Text::Label(label))()
}

/// Which side something is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sides {
    One(Side),
    Both,
}

/// Anything the page says that follows the language: a value, so that every reactive text of
/// the page is one closure type ([`say`]), which keeps the wasm small (one render function for
/// all of them instead of one per text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    Label(Label),
    Category(Category),
    CauseTitle(Cause),
    CauseExplanation(Cause),
    Step(StepId),
    Skip(SkipReason),
    /// A refusal's meaning; its code until the words arrive.
    Refusal(ErrorCode),
    Sides(Sides),
    /// "The server said", naming the side when a card holds both.
    ServerSaid(Option<Side>),
    /// A certificate verdict: its cause's title, ✓ when trusted, – when not checked.
    Verdict(CertVerdict),
}

impl Text {
    pub fn in_words(self, t: &TextBundle) -> String {
        match self {
            Text::Label(l) => t.label(l).to_owned(),
            Text::Category(c) => t.category(c),
            Text::CauseTitle(c) => t
                .cause(c)
                .map_or_else(|| c.code().to_owned(), |w| w.title.clone()),
            Text::CauseExplanation(c) => t
                .cause(c)
                .map(|w| w.explanation.clone())
                .unwrap_or_default(),
            Text::Step(s) => t.step(s),
            Text::Skip(r) => t.skip(r),
            Text::Refusal(code) => t.refusal(code).unwrap_or(code.code()).to_owned(),
            Text::Sides(Sides::One(Side::Imap)) => t.label(Label::ImapServer).to_owned(),
            Text::Sides(Sides::One(Side::Smtp)) => t.label(Label::SmtpServer).to_owned(),
            Text::Sides(Sides::Both) => t.label(Label::BothSides).to_owned(),
            Text::ServerSaid(None) => t.label(Label::ServerSaid).to_owned(),
            Text::ServerSaid(Some(side)) => format!(
                "{} ({})",
                t.label(Label::ServerSaid),
                Text::Sides(Sides::One(side)).in_words(t)
            ),
            Text::Verdict(v) => match v.cause() {
                Some(c) => Text::CauseTitle(c).in_words(t),
                None if v == CertVerdict::Trusted => "✓".to_owned(),
                None => "–".to_owned(),
            },
        }
    }
}

/// A reactive view of `text` in the current language.
pub fn say(text: Text) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let words = texts();
    move || words.with(|t| text.in_words(t))
}

/// A reactive view of `label`.
pub fn tr(label: Label) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    say(Text::Label(label))
}

/// What to do about `failures` (one cause, on one side or both): the advice for this mailbox
/// first, side by side, then the cause's steps; each once.
pub fn remediation(failures: &[Failure]) -> Vec<String> {
    texts().with(|t| {
        let mut steps: Vec<String> = Vec::new();
        for f in failures {
            for s in hints(f, |k| t.hint(k)) {
                if !steps.contains(&s) {
                    steps.push(s);
                }
            }
        }
        if let Some(w) = failures.first().and_then(|f| t.cause(f.cause)) {
            steps.extend(w.remediation.iter().cloned());
        }
        steps
    })
}

/// What a warning found, in the current language, worded from the language's template; `None`
/// when the warning carries no finding (its detail is our side's technical words, for the
/// technical details).
pub fn finding_words(w: &Warning) -> Option<String> {
    let f = w.finding.as_ref()?;
    Some(texts().with(|t| f.words(|k| t.finding(k))))
}

/// A language's name in that language (the picker's options, the same in every language).
pub fn language_name(l: Lang) -> &'static str {
    match l {
        Lang::En => "English",
        Lang::De => "Deutsch",
        Lang::Nb => "Norsk bokmål",
        Lang::Pl => "Polski",
    }
}
