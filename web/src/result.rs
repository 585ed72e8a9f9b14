//! The result: the failure card (category in plain words, the cause, the server's own reply,
//! numbered steps to fix it), warnings, the TLS panel, the transcript, and the report to copy
//! or download. Texts are rendered from codes in the current language, so switching language
//! after a run re-words everything.

use inbox_doctor_errors::{CertVerdict, Failure, Lang, Report, TextBundle, TlsReport};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::use_lang;
use crate::i18n::{category_name, cause_explanation, cause_title, remediation, t, texts, tr, T};
use crate::socket::{Phase, Run};

#[component]
pub fn ResultView(run: Run) -> impl IntoView {
    let lang = use_lang();
    let first_failure = move || {
        run.report.get().and_then(|r| r.failure).or_else(|| {
            run.finished
                .with(|f| f.iter().find_map(|r| r.failure.clone()))
        })
    };
    let other_failures = move || {
        run.report
            .get()
            .map(|r| r.failures.into_iter().skip(1).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    view! {
        <Show when=move || run.error.get().is_some() || run.connection_lost.get()>
            <section class="idr-card idr-error" role="alert" id="idr-relay-error">
                <h2>{tr(T::RelayError)}</h2>
                <p>{move || run.error.get().map(|e| e.message).unwrap_or_else(|| t(lang.get(), T::ConnectionLost).to_owned())}</p>
                <p class="idr-code">{move || run.error.get().map(|e| e.code.code())}</p>
            </section>
        </Show>
        <Show when=move || run.phase.get() == Phase::Cancelled>
            <p class="idr-note" role="status">{tr(T::Cancelled)}</p>
        </Show>
        {move || first_failure().map(|f| view! { <FailureCard failure=f main=true /> })}
        {move || other_failures().into_iter().map(|f| view! { <FailureCard failure=f main=false /> }).collect_view()}
        <Show when=move || run.report.get().is_some_and(|r| r.failure.is_none())>
            <section class="idr-card idr-success" id="idr-success" role="status">
                <h2><span aria-hidden="true">"✓ "</span>{tr(T::AllGood)}</h2>
            </section>
        </Show>
        <Show when=move || !run.warnings.get().is_empty()>
            <section class="idr-card idr-warnings" id="idr-warnings">
                <h2>{tr(T::Warnings)}</h2>
                <ul>
                    {move || run.warnings.get().into_iter().map(|w| {
                        let cause = w.cause;
                        view! {
                            <li data-cause=cause.code()>
                                <strong>{move || cause_title(cause)}</strong>
                                " — " {move || cause_explanation(cause)}
                                {w.detail.map(|d| view! { <small>" (" {d} ")"</small> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
        {move || run.report.get().map(|r| view! { <Details report=r message=run.report_json.get_value() /> })}
    }
}

#[component]
fn FailureCard(failure: Failure, main: bool) -> impl IntoView {
    let (category, cause) = (failure.category, failure.cause);
    view! {
        <section class="idr-card idr-failure" class:idr-secondary=!main
            id=if main { "idr-failure" } else { "" }
            data-category=category.code() data-cause=cause.code()>
            <h2><span aria-hidden="true">"✗ "</span>{move || category_name(category)}</h2>
            <p class="idr-cause"><strong>{move || cause_title(cause)}</strong>
                " " <code>{cause.code()}</code></p>
            <p>{move || cause_explanation(cause)}</p>
            {failure.server_reply.clone().map(|reply| view! {
                <div class="idr-evidence">
                    <h3>{tr(T::ServerSaid)}</h3>
                    <pre class="idr-reply">{reply}</pre>
                </div>
            })}
            {failure.detail.clone().map(|d| view! {
                <p class="idr-detail"><strong>{tr(T::Detail)}": "</strong>{d}</p>
            })}
            <h3>{tr(T::WhatToDo)}</h3>
            <ol class="idr-remedy">
                {move || remediation(&failure).into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
            </ol>
        </section>
    }
}

/// Which certificate field the verdict is about, to highlight it.
fn bad_field(v: CertVerdict) -> &'static str {
    match v {
        CertVerdict::Expired => "not_after",
        CertVerdict::NotYetValid => "not_before",
        CertVerdict::NameMismatch => "sans",
        CertVerdict::SelfSigned | CertVerdict::UnknownIssuer => "issuer",
        _ => "",
    }
}

fn verdict_words(v: CertVerdict) -> String {
    match v.cause() {
        Some(c) => cause_title(c),
        None if v == CertVerdict::Trusted => "✓".to_owned(),
        None => "–".to_owned(),
    }
}

#[component]
fn TlsSide(name: &'static str, report: TlsReport) -> impl IntoView {
    let verdict = report.verdict;
    let bad = bad_field(verdict);
    let flag = move |field: &'static str| field == bad;
    view! {
        <div class="idr-tls-side" data-side=name data-verdict=format!("{verdict:?}").to_lowercase()>
            <h3>{name.to_uppercase()}</h3>
            <dl>
                <dt>{tr(T::Version)}</dt><dd>{report.version.clone().unwrap_or_default()}</dd>
                <dt>{tr(T::Cipher)}</dt><dd>{report.cipher_suite.clone().unwrap_or_default()}</dd>
                <dt>{tr(T::Verdict)}</dt>
                <dd class:idr-bad=verdict != CertVerdict::Trusted>{move || verdict_words(verdict)}</dd>
            </dl>
            {report.chain.into_iter().enumerate().map(|(i, c)| view! {
                <details class="idr-cert" open=i == 0>
                    <summary>{tr(T::Certificate)} " " {i + 1} ": " {c.subject.clone()}</summary>
                    <dl>
                        <dt>{tr(T::Subject)}</dt><dd>{c.subject.clone()}</dd>
                        <dt>{tr(T::Issuer)}</dt><dd class:idr-bad=i == 0 && flag("issuer")>{c.issuer.clone()}</dd>
                        <dt>{tr(T::Names)}</dt><dd class:idr-bad=i == 0 && flag("sans")>{c.sans.join(", ")}</dd>
                        <dt>{tr(T::ValidFrom)}</dt><dd class:idr-bad=i == 0 && flag("not_before")>{c.not_before.clone()}</dd>
                        <dt>{tr(T::ValidTo)}</dt><dd class:idr-bad=i == 0 && flag("not_after")>{c.not_after.clone()}</dd>
                        <dt>{tr(T::Key)}</dt><dd>{c.key.clone()}</dd>
                    </dl>
                </details>
            }).collect_view()}
        </div>
    }
}

/// The report as plain text for a support ticket. Built from the report, which never holds a
/// password.
pub fn report_text(r: &Report, words: &TextBundle, lang: Lang) -> String {
    let mut out = format!(
        "Inbox Doctor — {}\nIMAP {}:{} ({})  SMTP {}:{} ({})\n\n",
        r.email,
        r.imap.host,
        r.imap.port,
        r.imap.security.code(),
        r.smtp.host,
        r.smtp.port,
        r.smtp.security.code()
    );
    for s in &r.steps {
        out.push_str(&format!(
            "{:<14} {:<8} {:>6} ms  {}\n",
            s.step.code(),
            s.status.code(),
            s.elapsed_ms,
            words.step(s.step)
        ));
    }
    for f in &r.failures {
        out.push_str(&format!(
            "\n{} [{}] / {} [{}]\n{}\n",
            words.category(f.category),
            f.category.code(),
            words.cause(f.cause).map_or("", |w| w.title.as_str()),
            f.cause.code(),
            words.cause(f.cause).map_or("", |w| w.explanation.as_str())
        ));
        if let Some(reply) = &f.server_reply {
            out.push_str(&format!("{}: {reply}\n", t(lang, T::ServerSaid)));
        }
        if let Some(d) = &f.detail {
            out.push_str(&format!("{}: {d}\n", t(lang, T::Detail)));
        }
    }
    for w in &r.warnings {
        out.push_str(&format!(
            "\n! {} [{}]\n",
            words.cause(w.cause).map_or("", |x| x.title.as_str()),
            w.cause.code()
        ));
    }
    for s in &r.source_addresses {
        out.push_str(&format!(
            "\nsource {:?}: {} → {}",
            s.side, s.local, s.remote
        ));
    }
    out.push_str("\n\n--- transcript ---\n");
    out.push_str(&transcript_text(r));
    out
}

/// The transcript, one line each: time, side, who spoke (C: client, S: server, --: event).
fn transcript_text(r: &Report) -> String {
    let mut out = String::new();
    for l in &r.transcript {
        let dir = match l.dir {
            inbox_doctor_errors::Direction::Client => "C:",
            inbox_doctor_errors::Direction::Server => "S:",
            inbox_doctor_errors::Direction::Event => "--",
        };
        out.push_str(&format!("{:>6} {:?} {dir} {}\n", l.at_ms, l.side, l.text));
    }
    out
}

/// Downloads the report of the relay's `report` message, indented by the browser.
fn download_json(message: &str) {
    let get = |v: &wasm_bindgen::JsValue, key: &str| js_sys::Reflect::get(v, &key.into()).ok();
    let Some(json) = js_sys::JSON::parse(message)
        .ok()
        .and_then(|m| get(&m, "event"))
        .and_then(|e| get(&e, "report"))
        .and_then(|r| {
            js_sys::JSON::stringify_with_replacer_and_space(
                &r,
                &wasm_bindgen::JsValue::NULL,
                &2.into(),
            )
            .ok()
        })
    else {
        return;
    };
    let parts = js_sys::Array::of1(&json);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download("inbox-doctor-report.json");
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[component]
fn Details(report: Report, message: String) -> impl IntoView {
    let lang = use_lang();
    let copied = RwSignal::new(false);
    let for_copy = report.clone();
    let transcript = transcript_text(&report);
    view! {
        <section class="idr-card idr-tls" id="idr-tls">
            <h2>{tr(T::TlsPanel)}</h2>
            <div class="idr-tls-sides">
                {report.tls.imap.clone().map(|r| view! { <TlsSide name="imap" report=r /> })}
                {report.tls.smtp.clone().map(|r| view! { <TlsSide name="smtp" report=r /> })}
            </div>
        </section>
        <section class="idr-card">
            <details class="idr-transcript">
                <summary>{tr(T::Transcript)}</summary>
                <pre id="idr-transcript">{transcript}</pre>
            </details>
            <div class="idr-actions">
                <button id="copy-report" type="button" on:click=move |_| {
                    let text = report_text(&for_copy, &texts().get_untracked(), lang.get_untracked());
                    if let Some(w) = web_sys::window() {
                        let _ = w.navigator().clipboard().write_text(&text);
                        copied.set(true);
                    }
                }>{move || if copied.get() { t(lang.get(), T::Copied) } else { t(lang.get(), T::CopyReport) }}</button>
                <button id="download-report" type="button" on:click=move |_| download_json(&message)>
                    {tr(T::DownloadJson)}
                </button>
            </div>
        </section>
    }
}
