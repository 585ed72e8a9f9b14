//! The page: the form, the live steps, and the result. State lives in signals; the WebSocket is
//! behind [`crate::socket::Run`].

use inbox_doctor_errors::{
    DiagnosisRequest, Discovery, DomainRecord, ErrorCode, Lang, RelayInfo, Secret, Security,
    ServerSettings, TextBundle, DEFAULT_SESSION_TARGET,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::get_json;
use crate::i18n::{refusal, t, tr, Texts, T};
use crate::result::ResultView;
use crate::socket::{Phase, Run};
use crate::steps::StepsView;

/// Where the relay is and which language to start in.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `https://relay.example.com` (no trailing slash).
    pub relay: String,
    pub lang: Lang,
}

/// The current language, shared by every component.
#[derive(Clone, Copy)]
pub struct Language(pub RwSignal<Lang>);

pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<Language>().0
}

fn ws_url(relay: &str) -> String {
    let base = relay
        .replacen("https://", "wss://", 1)
        .replacen("http://", "ws://", 1);
    format!("{base}/ws")
}

/// One server's fields.
#[derive(Clone, Copy)]
struct ServerFields {
    host: RwSignal<String>,
    port: RwSignal<String>,
    security: RwSignal<Security>,
}

impl ServerFields {
    fn new(port: u16) -> ServerFields {
        ServerFields {
            host: RwSignal::new(String::new()),
            port: RwSignal::new(port.to_string()),
            security: RwSignal::new(Security::Auto),
        }
    }

    fn fill(&self, s: &ServerSettings) {
        self.host.set(s.host.clone());
        self.port.set(s.port.to_string());
        self.security.set(s.security);
    }

    fn settings(&self) -> Option<ServerSettings> {
        Some(ServerSettings {
            host: self.host.get_untracked().trim().to_owned(),
            port: self
                .port
                .get_untracked()
                .trim()
                .parse()
                .ok()
                .filter(|p| *p > 0)?,
            security: self.security.get_untracked(),
        })
    }
}

/// The field names a validation message belongs to.
type Problems = Vec<(&'static str, T)>;

fn valid_email(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// The current language and its words from `relay` (fetched again when the language changes),
/// provided to every component below.
fn provide_words(relay: &str, lang: Lang) -> RwSignal<Lang> {
    let lang = RwSignal::new(lang);
    provide_context(Language(lang));
    let words = RwSignal::new(TextBundle::default());
    provide_context(Texts(words));
    let relay = relay.to_owned();
    Effect::new(move |_| {
        let code = lang.get().code();
        let url = format!("{relay}/api/texts/{code}");
        spawn_local(async move {
            if let Some(bundle) = get_json::<TextBundle>(&url).await {
                words.set(bundle);
            }
        });
    });
    lang
}

/// What a page the relay refuses (`RelayInfo::origin_allowed`) shows in place of the form: why,
/// in its reader's language. The form would take a password only to be refused at the button.
#[component]
pub fn Refused(settings: Settings) -> impl IntoView {
    let lang = provide_words(&settings.relay, settings.lang);
    view! {
        <div class="idr" lang=move || lang.get().code()>
            <h1>{tr(T::Title)}</h1>
            <section class="idr-card idr-error" role="alert" id="idr-origin-refused">
                <h2>{tr(T::NotHere)}</h2>
                <p>{move || refusal(ErrorCode::OriginNotAllowed)}</p>
            </section>
        </div>
    }
}

/// The form, the steps and the result, for a page the relay admits; `info` is what the relay
/// said about itself when the page loaded.
#[component]
pub fn App(settings: Settings, info: RelayInfo) -> impl IntoView {
    let lang = provide_words(&settings.relay, settings.lang);
    let relay = settings.relay.clone();
    let run = Run::new();

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let keep_password = RwSignal::new(false);
    let username = RwSignal::new(String::new());
    let imap = ServerFields::new(993);
    let smtp = ServerFields::new(587);
    let separate_smtp = RwSignal::new(false);
    let smtp_username = RwSignal::new(String::new());
    let smtp_password = RwSignal::new(String::new());
    let allow_insecure = RwSignal::new(false);
    let test_recipient = RwSignal::new(String::new());
    let roundtrip = RwSignal::new(true);
    let problems = RwSignal::new(Problems::new());
    let prefilled = RwSignal::new(None::<T>);
    let recipients = info.test_recipients_allowed;

    // Pre-fill the servers: the domain's stored settings when there are any; otherwise what
    // discovery finds, first from the relay's tables (at once), then confirmed by probing.
    // The relay's address as a stored value, so the handlers below are `Copy`: the form is
    // rendered again when the relay's answer about this page's origin arrives.
    let relay_at = StoredValue::new(relay.clone());
    let prefill = {
        move || {
            let relay = relay_at.get_value();
            let address = email.get_untracked().trim().to_owned();
            let Some((_, domain)) = address.rsplit_once('@') else {
                return;
            };
            // ASCII letters, digits, dots and hyphens; any non-ASCII character is left to the
            // relay's IDNA check (internationalised domains), which keeps Unicode's tables out
            // of the page.
            if domain.is_empty()
                || !domain
                    .chars()
                    .all(|c| !c.is_ascii() || c.is_ascii_alphanumeric() || c == '.' || c == '-')
            {
                return;
            }
            let stored_url = format!(
                "{relay}/api/domains/{}",
                String::from(js_sys::encode_uri_component(domain))
            );
            let discover_url = format!(
                "{relay}/api/discover?email={}",
                String::from(js_sys::encode_uri_component(&address))
            );
            spawn_local(async move {
                if let Some(record) = get_json::<DomainRecord>(&stored_url).await {
                    imap.fill(&record.settings.imap);
                    smtp.fill(&record.settings.smtp);
                    allow_insecure.set(record.settings.allow_insecure_cert);
                    prefilled.set(Some(T::Prefilled));
                    return;
                }
                prefilled.set(Some(T::LookingUp));
                let mut filled = false;
                for url in [format!("{discover_url}&offline=true"), discover_url] {
                    let Some(found) = get_json::<Discovery>(&url).await else {
                        continue;
                    };
                    // The user moved on, or typed servers of their own meanwhile.
                    if email.get_untracked().trim() != address
                        || (!filled && !imap.host.get_untracked().trim().is_empty())
                    {
                        prefilled.set(None);
                        return;
                    }
                    for (fields, best) in [(imap, &found.imap), (smtp, &found.smtp)] {
                        if let Some(c) = best {
                            fields.fill(&ServerSettings {
                                host: c.host.clone(),
                                port: c.port,
                                security: c.security,
                            });
                            filled = true;
                        }
                    }
                    if let Some(u) = &found.username {
                        if username.get_untracked().is_empty() {
                            username.set(u.clone());
                        }
                    }
                }
                prefilled.set(filled.then_some(T::Discovered));
            });
        }
    };

    // The password leaves the page's state after a run, unless the user keeps it.
    Effect::new(move |_| {
        let phase = run.phase.get();
        if matches!(phase, Phase::Done | Phase::Cancelled | Phase::Stopped)
            && !keep_password.get_untracked()
        {
            password.set(String::new());
            smtp_password.set(String::new());
        }
    });

    let submit = {
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let mut found = Problems::new();
            if !valid_email(&email.get_untracked()) {
                found.push(("email", T::ErrEmail));
            }
            if password.get_untracked().is_empty() {
                found.push(("password", T::ErrPassword));
            }
            for (name, side) in [("imap", imap), ("smtp", smtp)] {
                if side.host.get_untracked().trim().is_empty() {
                    found.push((
                        if name == "imap" {
                            "imap-host"
                        } else {
                            "smtp-host"
                        },
                        T::ErrHost,
                    ));
                }
                let port_ok = side
                    .port
                    .get_untracked()
                    .trim()
                    .parse::<u16>()
                    .is_ok_and(|p| p > 0);
                if !port_ok {
                    found.push((
                        if name == "imap" {
                            "imap-port"
                        } else {
                            "smtp-port"
                        },
                        T::ErrPort,
                    ));
                }
            }
            if separate_smtp.get_untracked() && smtp_password.get_untracked().is_empty() {
                found.push(("smtp-password", T::ErrPassword));
            }
            let recipient = test_recipient.get_untracked().trim().to_owned();
            if !recipient.is_empty() && !valid_email(&recipient) {
                found.push(("test-recipient", T::ErrEmail));
            }
            let ready = found.is_empty();
            problems.set(found);
            if !ready {
                return;
            }
            let (Some(imap_settings), Some(smtp_settings)) = (imap.settings(), smtp.settings())
            else {
                return;
            };
            let optional = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
            let request = DiagnosisRequest {
                email: email.get_untracked().trim().to_owned(),
                password: Secret::new(password.get_untracked()),
                username: optional(username.get_untracked()),
                imap: imap_settings,
                smtp: smtp_settings,
                smtp_username: separate_smtp
                    .get_untracked()
                    .then(|| optional(smtp_username.get_untracked()))
                    .flatten(),
                smtp_password: separate_smtp
                    .get_untracked()
                    .then(|| Secret::new(smtp_password.get_untracked())),
                allow_insecure_cert: allow_insecure.get_untracked(),
                test_recipient: optional(recipient),
                send: true,
                roundtrip: roundtrip.get_untracked(),
                lang: lang.get_untracked(),
                session_target: DEFAULT_SESSION_TARGET,
            };
            run.start(&ws_url(&relay_at.get_value()), request);
        }
    };

    let problem = move |field: &'static str| {
        move || {
            problems
                .get()
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, key)| t(lang.get(), *key))
        }
    };
    let running = move || run.phase.get() == Phase::Running;

    view! {
        <div class="idr" lang=move || lang.get().code()>
            <header class="idr-header">
                <h1>{tr(T::Title)}</h1>
                <label class="idr-lang">
                    <span>{tr(T::Language)}</span>
                    <select id="lang" on:change=move |ev| {
                        if let Some(l) = Lang::from_tag(&event_target_value(&ev)) {
                            lang.set(l);
                        }
                    }>
                        {Lang::ALL.iter().map(|l| {
                            let l = *l;
                            view! { <option value=l.code() selected=move || lang.get() == l>{language_name(l)}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </header>
            <p class="idr-intro">{tr(T::Intro)}</p>
            <form class="idr-form" novalidate on:submit=submit>
                <Field id="email" label=T::Email problem=Signal::derive(problem("email"))>
                    <input id="email" name="email" type="email" autocomplete="email" required
                        aria-describedby="email-problem"
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                        on:change=move |_| prefill() />
                </Field>
                <Field id="password" label=T::Password problem=Signal::derive(problem("password"))>
                    <input id="password" name="password" type="password" autocomplete="current-password" required
                        aria-describedby="password-problem"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev)) />
                </Field>
                <label class="idr-check">
                    <input id="keep-password" type="checkbox" prop:checked=move || keep_password.get()
                        on:change=move |ev| keep_password.set(event_target_checked(&ev)) />
                    <span>{tr(T::KeepPassword)}</span>
                </label>
                <Field id="username" label=T::Username problem=Signal::derive(|| None::<&'static str>)>
                    <input id="username" name="username" type="text" autocomplete="username"
                        placeholder=tr(T::UsernameHint)
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev)) />
                </Field>
                {move || prefilled.get().map(|note| view! { <p class="idr-note" role="status">{tr(note)}</p> })}
                <div class="idr-servers">
                    <ServerBox side="imap" legend=T::ImapServer fields=imap problem_host=Signal::derive(problem("imap-host")) problem_port=Signal::derive(problem("imap-port")) />
                    <ServerBox side="smtp" legend=T::SmtpServer fields=smtp problem_host=Signal::derive(problem("smtp-host")) problem_port=Signal::derive(problem("smtp-port")) />
                </div>
                <details class="idr-more" prop:open=move || separate_smtp.get()>
                    <summary>{tr(T::SeparateSmtp)}</summary>
                    <label class="idr-check">
                        <input id="separate-smtp" type="checkbox" prop:checked=move || separate_smtp.get()
                            on:change=move |ev| separate_smtp.set(event_target_checked(&ev)) />
                        <span>{tr(T::SeparateSmtp)}</span>
                    </label>
                    <Field id="smtp-username" label=T::SmtpUsername problem=Signal::derive(|| None::<&'static str>)>
                        <input id="smtp-username" type="text" autocomplete="off"
                            prop:value=move || smtp_username.get()
                            on:input=move |ev| smtp_username.set(event_target_value(&ev)) />
                    </Field>
                    <Field id="smtp-password" label=T::SmtpPassword problem=Signal::derive(problem("smtp-password"))>
                        <input id="smtp-password" type="password" autocomplete="off"
                            prop:value=move || smtp_password.get()
                            on:input=move |ev| smtp_password.set(event_target_value(&ev)) />
                    </Field>
                </details>
                <label class="idr-check">
                    <input id="allow-insecure" type="checkbox" prop:checked=move || allow_insecure.get()
                        on:change=move |ev| allow_insecure.set(event_target_checked(&ev)) />
                    <span>{tr(T::AllowInsecure)}</span>
                    <small>{tr(T::AllowInsecureHint)}</small>
                </label>
                <label class="idr-check">
                    <input id="roundtrip" type="checkbox" prop:checked=move || roundtrip.get()
                        on:change=move |ev| roundtrip.set(event_target_checked(&ev)) />
                    <span>{tr(T::Roundtrip)}</span>
                </label>
                <Show when=move || recipients>
                    <Field id="test-recipient" label=T::TestRecipient problem=Signal::derive(problem("test-recipient"))>
                        <input id="test-recipient" type="email"
                            prop:value=move || test_recipient.get()
                            on:input=move |ev| test_recipient.set(event_target_value(&ev)) />
                    </Field>
                </Show>
                <div class="idr-actions">
                    <button id="run" type="submit" class="idr-primary" prop:disabled=running>
                        {move || if running() { t(lang.get(), T::Running) } else { t(lang.get(), T::Run) }}
                    </button>
                    <Show when=running>
                        <button id="cancel" type="button" on:click=move |_| run.cancel()>{tr(T::Cancel)}</button>
                    </Show>
                </div>
            </form>
            <StepsView run=run />
            <ResultView run=run />
        </div>
    }
}

fn language_name(l: Lang) -> &'static str {
    match l {
        Lang::En => "English",
        Lang::De => "Deutsch",
        Lang::Nb => "Norsk bokmål",
        Lang::Pl => "Polski",
    }
}

/// A labelled field with its validation message, announced to screen readers.
#[component]
fn Field(
    id: &'static str,
    label: T,
    problem: Signal<Option<&'static str>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="idr-field" class:idr-invalid=move || problem.get().is_some()>
            <label for=id>{tr(label)}</label>
            {children()}
            <p class="idr-problem" id=format!("{id}-problem") role="alert">{move || problem.get()}</p>
        </div>
    }
}

#[component]
fn ServerBox(
    side: &'static str,
    legend: T,
    fields: ServerFields,
    problem_host: Signal<Option<&'static str>>,
    problem_port: Signal<Option<&'static str>>,
) -> impl IntoView {
    let host_id = if side == "imap" {
        "imap-host"
    } else {
        "smtp-host"
    };
    let port_id = if side == "imap" {
        "imap-port"
    } else {
        "smtp-port"
    };
    let sec_id = if side == "imap" {
        "imap-security"
    } else {
        "smtp-security"
    };
    let options = [
        (Security::Auto, T::SecurityAuto),
        (Security::Tls, T::SecurityTls),
        (Security::Starttls, T::SecurityStarttls),
        (Security::Plain, T::SecurityPlain),
    ];
    view! {
        <fieldset class="idr-server">
            <legend>{tr(legend)}</legend>
            <Field id=host_id label=T::Host problem=problem_host>
                <input id=host_id type="text" autocomplete="off" spellcheck="false"
                    prop:value=move || fields.host.get()
                    on:input=move |ev| fields.host.set(event_target_value(&ev)) />
            </Field>
            <Field id=port_id label=T::Port problem=problem_port>
                <input id=port_id type="text" inputmode="numeric"
                    prop:value=move || fields.port.get()
                    on:input=move |ev| fields.port.set(event_target_value(&ev)) />
            </Field>
            <div class="idr-field">
                <label for=sec_id>{tr(T::Security)}</label>
                <select id=sec_id on:change=move |ev| {
                    if let Some(s) = Security::from_code(&event_target_value(&ev)) {
                        fields.security.set(s);
                    }
                }>
                    {options.into_iter().map(|(s, key)| view! {
                        <option value=s.code() selected=move || fields.security.get() == s>{tr(key)}</option>
                    }).collect_view()}
                </select>
            </div>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_as_the_form_accepts_them() {
        for good in ["a@b.co", " name@example.com ", "x.y+z@mail.example.org"] {
            assert!(valid_email(good), "{good}");
        }
        for bad in ["", "a", "a@b", "@b.com", "a@.com", "a@b.com.", "a b@c.com"] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn the_socket_url_follows_the_relays_scheme() {
        assert_eq!(
            ws_url("https://relay.example.com"),
            "wss://relay.example.com/ws"
        );
        assert_eq!(ws_url("http://127.0.0.1:8080"), "ws://127.0.0.1:8080/ws");
    }
}
