//! The form: its state as signals ([`FormState`]), and its few kinds of control, each written
//! once ([`TextField`], [`Checkbox`], [`ServerBox`]). What the form asks before a run is in
//! [`crate::validate`]; what fills it in for an address is in [`crate::prefill`].

use inbox_doctor_errors::{Label, Lang, Secret, Security, ServerSettings, Side};
use leptos::html::Input;
use leptos::prelude::*;

use crate::i18n::tr;
use crate::validate::{FieldId, FormValues, Problems, ServerValues};

/// One server's fields.
#[derive(Clone, Copy)]
pub struct ServerFields {
    pub host: RwSignal<String>,
    pub port: RwSignal<String>,
    pub security: RwSignal<Security>,
}

impl ServerFields {
    fn new(port: u16) -> ServerFields {
        ServerFields {
            host: RwSignal::new(String::new()),
            port: RwSignal::new(port.to_string()),
            security: RwSignal::new(Security::Auto),
        }
    }

    pub fn fill(&self, s: &ServerSettings) {
        self.host.set(s.host.clone());
        self.port.set(s.port.to_string());
        self.security.set(s.security);
    }

    fn values(&self) -> ServerValues {
        ServerValues {
            host: self.host.get_untracked(),
            port: self.port.get_untracked(),
            security: self.security.get_untracked(),
        }
    }
}

/// Everything typed and chosen, and what the form says about it. Provided as context to the
/// controls, which find their own problem by their [`FieldId`].
#[derive(Clone, Copy)]
pub struct FormState {
    pub email: RwSignal<String>,
    pub password: RwSignal<String>,
    pub keep_password: RwSignal<bool>,
    pub username: RwSignal<String>,
    pub imap: ServerFields,
    pub smtp: ServerFields,
    pub separate_smtp: RwSignal<bool>,
    pub smtp_username: RwSignal<String>,
    pub smtp_password: RwSignal<String>,
    pub allow_insecure: RwSignal<bool>,
    pub test_recipient: RwSignal<String>,
    pub roundtrip: RwSignal<bool>,
    pub problems: RwSignal<Problems>,
    /// Where the servers came from, when the form filled them in.
    pub prefilled: RwSignal<Option<Label>>,
    /// The password was removed after a run: the form says it must be typed again.
    pub password_cleared: RwSignal<bool>,
    pub password_input: NodeRef<Input>,
    /// A sign-in with a provider, whose token the run logs in with instead of a password.
    pub signed_in: RwSignal<Option<crate::signin::SignedIn>>,
    /// A sign-in came back without a token.
    pub signin_failed: RwSignal<bool>,
}

impl FormState {
    pub fn new() -> FormState {
        FormState {
            email: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            keep_password: RwSignal::new(false),
            username: RwSignal::new(String::new()),
            imap: ServerFields::new(993),
            smtp: ServerFields::new(587),
            separate_smtp: RwSignal::new(false),
            smtp_username: RwSignal::new(String::new()),
            smtp_password: RwSignal::new(String::new()),
            allow_insecure: RwSignal::new(false),
            test_recipient: RwSignal::new(String::new()),
            roundtrip: RwSignal::new(true),
            problems: RwSignal::new(Problems::new()),
            prefilled: RwSignal::new(None),
            password_cleared: RwSignal::new(false),
            password_input: NodeRef::new(),
            signed_in: RwSignal::new(None),
            signin_failed: RwSignal::new(false),
        }
    }

    pub fn side(&self, side: Side) -> ServerFields {
        match side {
            Side::Imap => self.imap,
            Side::Smtp => self.smtp,
        }
    }

    /// What is typed now, for [`crate::validate::request`].
    pub fn values(&self, lang: Lang) -> FormValues {
        FormValues {
            email: self.email.get_untracked(),
            password: Secret::new(self.password.get_untracked()),
            username: self.username.get_untracked(),
            imap: self.imap.values(),
            smtp: self.smtp.values(),
            separate_smtp: self.separate_smtp.get_untracked(),
            smtp_username: self.smtp_username.get_untracked(),
            smtp_password: Secret::new(self.smtp_password.get_untracked()),
            allow_insecure: self.allow_insecure.get_untracked(),
            test_recipient: self.test_recipient.get_untracked(),
            roundtrip: self.roundtrip.get_untracked(),
            oauth_token: self
                .signed_in
                .with_untracked(|s| s.as_ref().map(|s| s.token.clone())),
            lang,
        }
    }

    /// Takes the passwords out of the page's state (after a run, unless the reader keeps them).
    pub fn forget_passwords(&self) {
        if !self.password.get_untracked().is_empty() {
            self.password.set(String::new());
            self.password_cleared.set(true);
        }
        self.smtp_password.set(String::new());
    }

    /// What to say about `field`, if anything (reactive).
    fn problem(&self, field: FieldId) -> Option<Label> {
        self.problems
            .with(|p| p.iter().find(|(f, _)| *f == field).map(|(_, l)| *l))
    }
}

impl Default for FormState {
    fn default() -> FormState {
        FormState::new()
    }
}

/// A labelled text field bound to `value`, with its problem announced to screen readers.
#[component]
pub fn TextField(
    id: FieldId,
    label: Label,
    value: RwSignal<String>,
    /// The input's `type`.
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] placeholder: Option<Label>,
    /// The on-screen keyboard to offer (`numeric` for a port).
    #[prop(optional)]
    inputmode: Option<&'static str>,
    #[prop(optional)] node_ref: NodeRef<Input>,
    /// Runs when the reader leaves a changed field.
    #[prop(optional)]
    on_change: Option<Callback<()>>,
) -> impl IntoView {
    let form = expect_context::<FormState>();
    let problem = move || form.problem(id);
    let problem_id = id.problem_id();
    view! {
        <div class="idr-field" class:idr-invalid=move || problem().is_some()>
            <label for=id.id()>{tr(label)}</label>
            <input id=id.id() name=id.id() type=kind autocomplete=autocomplete spellcheck="false"
                aria-describedby=problem_id.clone()
                aria-invalid=move || problem().map(|_| "true")
                placeholder=placeholder.map(tr)
                inputmode=inputmode
                node_ref=node_ref
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:change=move |_| if let Some(f) = on_change { f.run(()) } />
            <p class="idr-problem" id=problem_id role="alert">
                {move || problem().map(|l| tr(l)())}
            </p>
        </div>
    }
}

/// A checkbox bound to `checked`, with an optional line of explanation.
#[component]
pub fn Checkbox(
    id: FieldId,
    label: Label,
    checked: RwSignal<bool>,
    #[prop(optional)] hint: Option<Label>,
) -> impl IntoView {
    view! {
        <label class="idr-check">
            <input id=id.id() type="checkbox" prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev)) />
            <span>{tr(label)}</span>
            {hint.map(|h| view! { <small>{tr(h)}</small> })}
        </label>
    }
}

/// Host, port and security of one side.
#[component]
pub fn ServerBox(side: Side) -> impl IntoView {
    let fields = expect_context::<FormState>().side(side);
    let legend = match side {
        Side::Imap => Label::ImapServer,
        Side::Smtp => Label::SmtpServer,
    };
    let options = [
        (Security::Auto, Label::SecurityAuto),
        (Security::Tls, Label::SecurityTls),
        (Security::Starttls, Label::SecurityStarttls),
        (Security::Plain, Label::SecurityPlain),
    ];
    let security = FieldId::Security(side).id();
    view! {
        <fieldset class="idr-server">
            <legend>{tr(legend)}</legend>
            <TextField id=FieldId::Host(side) label=Label::Host value=fields.host />
            <TextField id=FieldId::Port(side) label=Label::Port value=fields.port inputmode="numeric" />
            <div class="idr-field">
                <label for=security>{tr(Label::Security)}</label>
                <select id=security on:change=move |ev| {
                    if let Some(s) = Security::from_code(&event_target_value(&ev)) {
                        fields.security.set(s);
                    }
                }>
                    {options.into_iter().map(|(s, label)| view! {
                        <option value=s.code() selected=move || fields.security.get() == s>{tr(label)}</option>
                    }).collect_view()}
                </select>
            </div>
        </fieldset>
    }
}
