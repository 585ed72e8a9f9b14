//! The page: what the relay says about it and its words first ([`Root`]), then the form, the
//! live steps and the result ([`App`]), or the reason it may not run here ([`Refused`]).

use inbox_doctor_errors::{ErrorCode, Label, Lang, RelayInfo, Side};
use leptos::prelude::*;

use crate::api::get_json;
use crate::form::{Checkbox, FormState, ServerBox, TextField};
use crate::i18n::{language_name, provide_words, say, tr, Text};
use crate::result::{ResultView, Retry};
use crate::signin::Signin;
use crate::socket::{Phase, Run};
use crate::steps::StepsView;
use crate::validate::FieldId;

/// Where the relay is and which language to start in.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `https://relay.example.com` (no trailing slash).
    pub relay: String,
    pub lang: Lang,
    /// The relay's own page (not a widget): it also offers the administrators' view.
    pub page: bool,
}

fn ws_url(relay: &str) -> String {
    let base = relay
        .replacen("https://", "wss://", 1)
        .replacen("http://", "ws://", 1);
    format!("{base}/ws")
}

/// What the page can show yet.
#[derive(Clone, PartialEq)]
enum Stage {
    Loading,
    Ready(RelayInfo),
    /// The relay's words could not be fetched: nothing can be said in the reader's language,
    /// and no check could run.
    Unreachable,
}

/// Asks the relay about this page (`/api/info`) and for the reader's words, then shows the form,
/// or the reason it may not run here. Both are [`LocalResource`]s; a page the relay refuses
/// never shows a password field.
#[component]
pub fn Root(settings: Settings) -> impl IntoView {
    let (lang, loaded) = provide_words(&settings.relay, settings.lang);
    let info_url = format!("{}/api/info", settings.relay);
    let info = LocalResource::new(move || {
        let url = info_url.clone();
        // Without an answer the form shows, and a run says what went wrong.
        async move { get_json::<RelayInfo>(&url).await.unwrap_or_default() }
    });
    // A memo: the stage changes twice at most, not with each language's words.
    let stage = Memo::new(move |_| match (info.get(), loaded.get()) {
        (_, Some(false)) => Stage::Unreachable,
        (Some(info), Some(true)) => Stage::Ready(info),
        _ => Stage::Loading,
    });
    let relay = StoredValue::new(settings.relay);
    let page = settings.page;
    view! {
        <div class="idr" lang=move || lang.get().code()>
            {move || match stage.get() {
                Stage::Loading => None,
                Stage::Ready(info) if info.origin_allowed => {
                    Some(view! { <App relay=relay.get_value() info lang page /> }.into_any())
                }
                Stage::Ready(_) => Some(view! { <Refused /> }.into_any()),
                Stage::Unreachable => Some(view! {
                    // No words of the reader's language could be fetched: the one sentence
                    // the page carries, in English.
                    <p class="idr-card idr-error" role="alert" id="idr-unreachable">
                        "Inbox Doctor cannot reach its checking service. Try again later."
                    </p>
                }.into_any()),
            }}
        </div>
    }
}

/// What a page the relay refuses (`RelayInfo::origin_allowed`) shows in place of the form: why,
/// in its reader's language. The form would take a password only to be refused at the button.
#[component]
fn Refused() -> impl IntoView {
    view! {
        <h1>{tr(Label::Title)}</h1>
        <section class="idr-card idr-error" role="alert" id="idr-origin-refused">
            <h2>{tr(Label::NotHere)}</h2>
            <p>{say(Text::Refusal(ErrorCode::OriginNotAllowed))}</p>
        </section>
    }
}

#[component]
fn LanguagePicker(lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <label class="idr-lang">
            <span>{tr(Label::Language)}</span>
            <select id="lang" on:change=move |ev| {
                if let Some(l) = Lang::from_tag(&event_target_value(&ev)) {
                    lang.set(l);
                }
            }>
                {Lang::ALL.iter().map(|&l| view! {
                    <option value=l.code() selected=move || lang.get() == l>{language_name(l)}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The form, the steps and the result, for a page the relay admits.
#[component]
pub fn App(
    relay: String,
    info: RelayInfo,
    lang: RwSignal<Lang>,
    /// Whether to offer the administrators' view (the relay's own page).
    #[prop(default = false)]
    page: bool,
) -> impl IntoView {
    // The administrators' view, in place of the diagnosis; `#admin` opens it at once.
    let admin = RwSignal::new(
        page && web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .is_some_and(|h| h == "#admin"),
    );
    let relay = StoredValue::new(relay);
    let info = StoredValue::new(info);
    // One or the other: the editor's fields have the form's ids.
    move || match admin.get() {
        false => view! {
            <Diagnosis relay=relay.get_value() info=info.get_value() lang page admin />
        }
        .into_any(),
        true => view! {
            <crate::admin::AdminView relay=relay.get_value()
                close=Callback::new(move |()| admin.set(false)) />
        }
        .into_any(),
    }
}

/// The form, the steps and the result; with the way to the administrators' view on the page.
#[component]
fn Diagnosis(
    relay: String,
    info: RelayInfo,
    lang: RwSignal<Lang>,
    page: bool,
    admin: RwSignal<bool>,
) -> impl IntoView {
    let run = Run::new();
    let form = FormState::new();
    provide_context(form);
    let relay = StoredValue::new(relay);

    // The password leaves the page's state after a run, unless the reader keeps it.
    Effect::new(move |_| {
        let phase = run.phase.get();
        if matches!(phase, Phase::Done | Phase::Cancelled | Phase::Stopped)
            && !form.keep_password.get_untracked()
        {
            form.forget_passwords();
        }
    });

    let start = move || match crate::validate::request(form.values(lang.get_untracked())) {
        Ok(request) => {
            form.problems.set(Vec::new());
            form.password_cleared.set(false);
            run.start(&ws_url(&relay.get_value()), request);
        }
        Err(problems) => form.problems.set(problems),
    };
    // A failure card's "check again, going on past this certificate": at once when the
    // password is still here, else at the password field, which says to type it again.
    provide_context(Retry(Callback::new(move |()| {
        form.allow_insecure.set(true);
        if form.password.get_untracked().is_empty() {
            if let Some(input) = form.password_input.get_untracked() {
                let _ = input.focus();
            }
        } else {
            start();
        }
    })));

    let running = move || run.phase.get() == Phase::Running;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        start();
    };
    let prefill = Callback::new(move |()| crate::prefill::prefill(&relay.get_value(), form));
    // Back from a provider's sign-in: the form as it was, and the token.
    crate::signin::finish(relay.get_value(), form);
    let providers = info.oauth_providers.clone();
    provide_context(crate::signin::Providers {
        relay: relay.get_value(),
        list: providers.clone(),
    });

    // For the speed measurement: the form is on screen and its handlers are attached.
    Effect::new(|_| {
        if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
            let _ = perf.mark("inbox-doctor-interactive");
        }
    });

    view! {
        <header class="idr-header">
            <h1>{tr(Label::Title)}</h1>
            <LanguagePicker lang />
        </header>
        <p class="idr-intro">{tr(Label::Intro)}</p>
        <form class="idr-form" novalidate on:submit=submit>
            <TextField id=FieldId::Email label=Label::Email value=form.email kind="email"
                autocomplete="email" on_change=prefill />
            <TextField id=FieldId::Password label=Label::Password value=form.password
                kind="password" autocomplete="current-password" node_ref=form.password_input />
            {move || (form.password_cleared.get()).then(|| view! {
                <p class="idr-note" id="password-note" role="status">{tr(Label::RetypePassword)}</p>
            })}
            <Signin relay=relay.get_value() providers />
            <Checkbox id=FieldId::KeepPassword label=Label::KeepPassword checked=form.keep_password />
            <TextField id=FieldId::Username label=Label::Username value=form.username
                autocomplete="username" placeholder=Label::UsernameHint />
            {move || form.prefilled.get().map(|note| view! { <p class="idr-note" role="status">{tr(note)}</p> })}
            <div class="idr-servers">
                <ServerBox side=Side::Imap />
                <ServerBox side=Side::Smtp />
            </div>
            <details class="idr-more" prop:open=move || form.separate_smtp.get()>
                <summary>{tr(Label::SeparateSmtp)}</summary>
                <Checkbox id=FieldId::SeparateSmtp label=Label::SeparateSmtp checked=form.separate_smtp />
                <TextField id=FieldId::SmtpUsername label=Label::SmtpUsername value=form.smtp_username />
                <TextField id=FieldId::SmtpPassword label=Label::SmtpPassword value=form.smtp_password
                    kind="password" />
            </details>
            <Checkbox id=FieldId::AllowInsecure label=Label::AllowInsecure checked=form.allow_insecure
                hint=Label::AllowInsecureHint />
            <Checkbox id=FieldId::Roundtrip label=Label::Roundtrip checked=form.roundtrip />
            {move || (info.test_recipients_allowed).then(|| view! {
                <TextField id=FieldId::TestRecipient label=Label::TestRecipient
                    value=form.test_recipient kind="email" />
            })}
            <div class="idr-actions">
                <button id="run" type="submit" class="idr-primary" prop:disabled=running>
                    {move || if running() { tr(Label::Running)() } else { tr(Label::Run)() }}
                </button>
                {move || running().then(|| view! {
                    <button id="cancel" type="button" on:click=move |_| run.cancel()>{tr(Label::Cancel)}</button>
                })}
            </div>
        </form>
        <StepsView run />
        <ResultView run />
        {page.then(|| view! {
            <footer class="idr-footer">
                <button type="button" id="admin-open" on:click=move |_| admin.set(true)>{tr(Label::AdminOpen)}</button>
            </footer>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_socket_url_follows_the_relays_scheme() {
        assert_eq!(
            ws_url("https://relay.example.com"),
            "wss://relay.example.com/ws"
        );
        assert_eq!(ws_url("http://127.0.0.1:8080"), "ws://127.0.0.1:8080/ws");
    }
}
