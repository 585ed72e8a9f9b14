//! The administrators' view of the page: a domain's stored settings listed, added and changed
//! with the relay's check and the change shown field by field before anything is stored, a
//! refused change stored only through a second, explicit step, each domain's history with a
//! way back to an earlier version, and the relay's addresses for allowlists.
//!
//! The admin token is typed into the view and kept in its memory only: it goes out in the
//! `Authorization` header of each request, never in an address, and is gone with the page.

use inbox_doctor_errors::{
    DomainChange, DomainCheck, DomainRecord, DomainRevert, DomainSave, DomainSettings, EgressIps,
    Label, ServerCheck, ServerSettings, Side,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;

use crate::api::{call, get_json};
use crate::form::{Checkbox, FormState, ServerBox, TextField};
use crate::i18n::{say, tr, word, Text};
use crate::validate::FieldId;

/// What the view shows under the list: the outcome of the last check, change or restore.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Checked(DomainCheck),
    /// `retry`: how to store it anyway, when the check refused it.
    Changed {
        save: DomainSave,
        retry: Option<Retry>,
    },
}

/// A refused change, to be made again past the check.
#[derive(Clone, Debug, PartialEq)]
enum Retry {
    Save(String, DomainSettings),
    Restore(String, i64),
}

/// The view's state; a `Copy` handle like [`FormState`].
#[derive(Clone, Copy)]
struct Admin {
    relay: StoredValue<String>,
    token: RwSignal<String>,
    open: RwSignal<bool>,
    refused: RwSignal<bool>,
    domains: RwSignal<Vec<DomainRecord>>,
    /// Whether the editor is open, and its domain (the servers are in the view's own
    /// [`FormState`]).
    editing: RwSignal<bool>,
    domain: RwSignal<String>,
    history: RwSignal<Option<(String, Vec<DomainChange>)>>,
    outcome: RwSignal<Option<Outcome>>,
    egress: RwSignal<Option<EgressIps>>,
    use_static_ips: RwSignal<bool>,
    form: FormState,
}

/// A domain's two servers on one line: `IMAP host:993 tls · SMTP host:465 tls`.
fn servers(s: &DomainSettings) -> String {
    format!("IMAP {} · SMTP {}", s.imap, s.smtp)
}

/// `s` made safe as one path segment.
fn segment(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s.trim()))
}

impl Admin {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.relay.get_value())
    }

    /// Sends a request with the token; the status and the decoded answer.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Option<(u16, Option<T>)> {
        let body = match body {
            Some(b) => Some(crate::json::encode(b)?),
            None => None,
        };
        let token = self.token.get_untracked();
        let answer = call(method, &self.url(path), body.as_deref(), Some(token.trim())).await?;
        if matches!(answer.status, 401 | 403 | 429) {
            self.refused.set(true);
            self.open.set(false);
        }
        Some((answer.status, answer.json.and_then(crate::json::from_js)))
    }

    fn load(self) {
        spawn_local(async move {
            match self
                .send::<Vec<DomainRecord>>("GET", "/api/domains", None::<&()>)
                .await
            {
                Some((200, Some(list))) => {
                    self.refused.set(false);
                    self.open.set(true);
                    self.domains.set(list);
                }
                _ => self.refused.set(true),
            }
            let egress = get_json::<EgressIps>(&self.url("/api/egress-ips")).await;
            self.egress.set(egress);
        });
    }

    fn edit(self, record: Option<DomainRecord>) {
        self.outcome.set(None);
        self.history.set(None);
        let blank = |port| ServerSettings {
            host: String::new(),
            port,
            security: inbox_doctor_errors::Security::Tls,
        };
        let (domain, settings) = match record {
            Some(r) => (r.domain, r.settings),
            None => (
                String::new(),
                DomainSettings {
                    imap: blank(993),
                    smtp: blank(465),
                    allow_insecure_cert: false,
                    use_static_ips: false,
                },
            ),
        };
        self.form.imap.fill(&settings.imap);
        self.form.smtp.fill(&settings.smtp);
        self.form.allow_insecure.set(settings.allow_insecure_cert);
        self.use_static_ips.set(settings.use_static_ips);
        self.domain.set(domain);
        self.editing.set(true);
    }

    /// The editor's settings, or the fields to fix.
    fn settings(self) -> Option<DomainSettings> {
        let values = self.form.values(Default::default());
        let server = |v: &crate::validate::ServerValues, side: Side| {
            let port = v.port.trim().parse().ok().filter(|p| *p > 0);
            if port.is_none() {
                self.form
                    .problems
                    .update(|p| p.push((FieldId::Port(side), Label::ErrPort)));
            }
            if v.host.trim().is_empty() {
                self.form
                    .problems
                    .update(|p| p.push((FieldId::Host(side), Label::ErrHost)));
            }
            Some(ServerSettings {
                host: v.host.trim().to_owned(),
                port: port?,
                security: v.security,
            })
        };
        self.form.problems.set(Vec::new());
        let imap = server(&values.imap, Side::Imap);
        let smtp = server(&values.smtp, Side::Smtp);
        let domain = self.domain.get_untracked();
        if domain.trim().is_empty() || !domain.contains('.') {
            self.form
                .problems
                .update(|p| p.push((FieldId::AdminDomain, Label::ErrHost)));
        }
        if !self.form.problems.with_untracked(Vec::is_empty) {
            return None;
        }
        Some(DomainSettings {
            imap: imap?,
            smtp: smtp?,
            allow_insecure_cert: values.allow_insecure,
            use_static_ips: self.use_static_ips.get_untracked(),
        })
    }

    fn check(self) {
        let Some(settings) = self.settings() else {
            return;
        };
        let domain = self.domain.get_untracked();
        spawn_local(async move {
            let path = format!("/api/domains/{}/check", segment(&domain));
            if let Some((200, Some(checked))) = self
                .send::<DomainCheck>("POST", &path, Some(&settings))
                .await
            {
                self.outcome.set(Some(Outcome::Checked(checked)));
            }
        });
    }

    fn save(self, force: bool) {
        let Some(settings) = self.settings() else {
            return;
        };
        let domain = self.domain.get_untracked();
        self.change(Retry::Save(domain, settings), force);
    }

    fn restore(self, domain: String, seq: i64, force: bool) {
        self.change(Retry::Restore(domain, seq), force);
    }

    /// Makes a change (a save or a restore), past the check when `force`, and shows what it
    /// did; a refused one can be made again, forced, from the outcome.
    fn change(self, what: Retry, force: bool) {
        let query = if force { "?force=true" } else { "" };
        spawn_local(async move {
            let answer = match &what {
                Retry::Save(domain, settings) => {
                    let path = format!("/api/domains/{}{query}", segment(domain));
                    self.send::<DomainSave>("PUT", &path, Some(settings)).await
                }
                Retry::Restore(domain, seq) => {
                    let path = format!("/api/domains/{}/revert{query}", segment(domain));
                    self.send::<DomainSave>("POST", &path, Some(&DomainRevert { seq: *seq }))
                        .await
                }
            };
            let Some((_, Some(save))) = answer else {
                return;
            };
            let retry = (!save.saved).then_some(what);
            if save.saved {
                self.history.set(None);
                self.load();
            }
            self.outcome.set(Some(Outcome::Changed { save, retry }));
        });
    }

    fn show_history(self, domain: String) {
        spawn_local(async move {
            let path = format!("/api/domains/{}/changes", segment(&domain));
            if let Some((200, Some(mut changes))) = self
                .send::<Vec<DomainChange>>("GET", &path, None::<&()>)
                .await
            {
                changes.reverse();
                self.history.set(Some((domain, changes)));
            }
        });
    }
}

/// The administrators' view; `close` goes back to the diagnosis.
#[component]
pub fn AdminView(relay: String, close: Callback<()>) -> impl IntoView {
    let form = FormState::new();
    provide_context(form);
    let admin = Admin {
        relay: StoredValue::new(relay),
        token: RwSignal::new(String::new()),
        open: RwSignal::new(false),
        refused: RwSignal::new(false),
        domains: RwSignal::new(Vec::new()),
        editing: RwSignal::new(false),
        domain: RwSignal::new(String::new()),
        history: RwSignal::new(None),
        outcome: RwSignal::new(None),
        egress: RwSignal::new(None),
        use_static_ips: RwSignal::new(false),
        form,
    };
    let enter = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        admin.load();
    };
    view! {
        <section class="idr-admin" aria-labelledby="admin-title">
            <header class="idr-header">
                <h1 id="admin-title">{tr(Label::AdminTitle)}</h1>
                <button type="button" id="admin-close" on:click=move |_| close.run(())>{tr(Label::Close)}</button>
            </header>
            <p class="idr-intro">{tr(Label::AdminIntro)}</p>
            {move || (!admin.open.get()).then(|| view! {
                <form class="idr-form" on:submit=enter>
                    <div class="idr-field">
                        <label for="admin-token">{tr(Label::AdminToken)}</label>
                        <input id="admin-token" type="password" autocomplete="off"
                            aria-describedby="admin-token-hint"
                            prop:value=move || admin.token.get()
                            on:input=move |ev| admin.token.set(event_target_value(&ev)) />
                        <small id="admin-token-hint">{tr(Label::AdminTokenHint)}</small>
                    </div>
                    {move || admin.refused.get().then(|| view! {
                        <p class="idr-problem" id="admin-refused" role="alert">{tr(Label::AdminRefused)}</p>
                    })}
                    <div class="idr-actions">
                        <button type="submit" class="idr-primary" id="admin-enter">{tr(Label::AdminEnter)}</button>
                    </div>
                </form>
            })}
            {move || admin.open.get().then(|| view! {
                <DomainList admin />
                <Editor admin />
                <OutcomeView admin />
                <History admin />
                <Egress admin />
            })}
        </section>
    }
}

#[component]
fn DomainList(admin: Admin) -> impl IntoView {
    view! {
        <section class="idr-card" aria-labelledby="admin-domains">
            <h2 id="admin-domains">{tr(Label::Domains)}</h2>
            {move || admin.domains.with(Vec::is_empty).then(|| view! { <p>{tr(Label::NoDomains)}</p> })}
            <ul class="idr-domains">
                <For each=move || admin.domains.get() key=|r| (r.domain.clone(), r.updated_at.clone()) let:record>
                    <DomainRow admin record />
                </For>
            </ul>
            <button type="button" id="admin-add" on:click=move |_| admin.edit(None)>{tr(Label::AddDomain)}</button>
        </section>
    }
}

#[component]
fn DomainRow(admin: Admin, record: DomainRecord) -> impl IntoView {
    let summary = servers(&record.settings);
    let by = format!("{} · {}", record.updated_by, record.updated_at);
    let domain = record.domain.clone();
    let name = record.domain.clone();
    let for_history = record.domain.clone();
    let edit = StoredValue::new(record);
    view! {
        <li data-domain=domain>
            <strong>{name}</strong>
            <span>{summary}</span>
            <small>{move || word(Label::ChangedBy)}": "{by}</small>
            <button type="button" class="idr-edit" on:click=move |_| admin.edit(Some(edit.get_value()))>{tr(Label::Edit)}</button>
            <button type="button" class="idr-history" on:click=move |_| admin.show_history(for_history.clone())>{tr(Label::History)}</button>
        </li>
    }
}

#[component]
fn Editor(admin: Admin) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        admin.save(false);
    };
    move || {
        admin.editing.get().then(|| view! {
            <form class="idr-card idr-form" id="admin-editor" novalidate on:submit=submit>
                <TextField id=FieldId::AdminDomain label=Label::Domain value=admin.domain />
                <div class="idr-servers">
                    <ServerBox side=Side::Imap />
                    <ServerBox side=Side::Smtp />
                </div>
                <Checkbox id=FieldId::AllowInsecure label=Label::AllowInsecure checked=admin.form.allow_insecure />
                <Checkbox id=FieldId::UseStaticIps label=Label::UseStaticIps checked=admin.use_static_ips />
                <div class="idr-actions">
                    <button type="button" id="admin-check" on:click=move |_| admin.check()>{tr(Label::CheckSettings)}</button>
                    <button type="submit" class="idr-primary" id="admin-save">{tr(Label::SaveSettings)}</button>
                </div>
            </form>
        })
    }
}

/// One side's check: the server, and whether it answers as configured or why not.
#[component]
fn SideCheck(check: ServerCheck) -> impl IntoView {
    let side = match check.side {
        Side::Imap => Label::ImapServer,
        Side::Smtp => Label::SmtpServer,
    };
    let server = check.server.to_string();
    let passed = check.passed();
    let verdict = say(match check.failure {
        Some(f) => Text::CauseTitle(f.cause),
        None if passed => Text::Label(Label::AnswersAsConfigured),
        None => Text::Label(Label::NotSaved),
    });
    view! {
        <li class=if passed { "idr-pass" } else { "idr-fail" }
            data-side=check.side.code() data-cause=check.failure.map(|f| f.cause.code())>
            <strong>{tr(side)}</strong>" "<code>{server}</code>": "<span>{verdict}</span>
            {check.detail.map(|d| view! { <pre class="idr-detail">{d}</pre> })}
        </li>
    }
}

#[component]
fn OutcomeView(admin: Admin) -> impl IntoView {
    move || {
        let outcome = admin.outcome.get()?;
        let (check, save, retry) = match outcome {
            Outcome::Checked(check) => (check, None, None),
            Outcome::Changed { save, retry } => (save.check.clone(), Some(save), retry),
        };
        let status = save.as_ref().map(|s| match (s.saved, s.forced) {
            (true, false) => Label::Saved,
            (true, true) => Label::SavedForced,
            (false, _) => Label::NotSaved,
        });
        let changes = save.map(|s| s.changes).unwrap_or_default();
        let retry = StoredValue::new(retry);
        Some(view! {
            <section class="idr-card" id="admin-outcome" aria-live="polite">
                {status.map(|l| view! {
                    <p id="admin-status" role=if l == Label::NotSaved { "alert" } else { "status" }>{tr(l)}</p>
                })}
                <ul class="idr-checks">
                    <SideCheck check=check.imap />
                    <SideCheck check=check.smtp />
                </ul>
                {(!changes.is_empty()).then(|| view! {
                    <table class="idr-diff" id="admin-diff">
                        <caption>{tr(Label::Changes)}</caption>
                        <thead><tr>
                            <th scope="col">{tr(Label::Field)}</th>
                            <th scope="col">{tr(Label::Before)}</th>
                            <th scope="col">{tr(Label::After)}</th>
                        </tr></thead>
                        <tbody>
                            {changes.into_iter().map(|c| view! {
                                <tr data-field=c.field.clone()>
                                    <th scope="row"><code>{c.field.clone()}</code></th>
                                    <td>{c.before.unwrap_or_else(|| "–".into())}</td>
                                    <td>{c.after.unwrap_or_else(|| "–".into())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
                {retry.get_value().map(|r| {
                    let label = match r {
                        Retry::Save(..) => Label::SaveAnyway,
                        Retry::Restore(..) => Label::RestoreAnyway,
                    };
                    view! {
                        <p class="idr-warning">{tr(Label::SaveAnywayWarning)}</p>
                        <button type="button" id="admin-force" on:click=move |_| {
                            if let Some(r) = retry.get_value() {
                                admin.change(r, true);
                            }
                        }>{tr(label)}</button>
                    }
                })}
            </section>
        })
    }
}

#[component]
fn History(admin: Admin) -> impl IntoView {
    move || {
        let (domain, changes) = admin.history.get()?;
        Some(view! {
            <section class="idr-card" id="admin-history" aria-labelledby="admin-history-title">
                <h2 id="admin-history-title">{tr(Label::History)}": "{domain.clone()}</h2>
                <ol class="idr-changes">
                    {changes.into_iter().map(|c| {
                        let domain = domain.clone();
                        let seq = c.seq;
                        let after = c.after.as_ref().map(servers);
                        let restorable = after.is_some();
                        view! {
                            <li data-seq=seq>
                                <strong>{format!("#{seq} · {}", c.action)}</strong>
                                " "<span>{format!("{} · {}", c.at, c.actor)}</span>
                                {after.map(|a| view! { <div><code>{a}</code></div> })}
                                {c.forced_past.map(|f| view! {
                                    <div class="idr-warning">{move || word(Label::StoredPast)}": "{f}</div>
                                })}
                                {restorable.then(|| view! {
                                    <button type="button" class="idr-restore"
                                        on:click=move |_| admin.restore(domain.clone(), seq, false)>
                                        {tr(Label::Restore)}
                                    </button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
        })
    }
}

#[component]
fn Egress(admin: Admin) -> impl IntoView {
    move || {
        let egress = admin.egress.get()?;
        let addresses: Vec<String> = egress.ipv4.iter().chain(&egress.ipv6).cloned().collect();
        Some(view! {
            <section class="idr-card" id="admin-egress" aria-labelledby="admin-egress-title">
                <h2 id="admin-egress-title">{tr(Label::EgressTitle)}</h2>
                <p>{tr(if egress.pinned { Label::EgressIntro } else { Label::EgressNotPinned })}</p>
                <ul>
                    {addresses.into_iter().map(|a| {
                        let copied = RwSignal::new(false);
                        let text = a.clone();
                        view! {
                            <li>
                                <code>{a}</code>" "
                                <button type="button" class="idr-copy" on:click=move |_| {
                                    if let Some(w) = web_sys::window() {
                                        let _ = w.navigator().clipboard().write_text(&text);
                                        copied.set(true);
                                    }
                                }>{move || word(if copied.get() { Label::Copied } else { Label::Copy })}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })
    }
}
