//! The result: the failure card (category in plain words, the cause, the server's own reply,
//! numbered steps to fix it), warnings, the TLS panel, the transcript, and the report to copy
//! or download. Texts are rendered from codes in the current language, so switching language
//! after a run re-words everything.
//!
//! The panels are static once shown, so each is one piece of markup ([`crate::html`]), rebuilt
//! only when what it shows, the language or the texts change; only the two buttons are a view.
//! A rebuild keeps each `<details>` as the reader left it (`Opened`).

use inbox_doctor_errors::{Cause, CertVerdict, Failure, Lang, Report, Side, TextBundle, TlsReport};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::use_lang;
use crate::html::Html;
use crate::i18n::{
    category_name, cause_explanation, cause_title, remediation, t, texts, tr, warning_detail, T,
};
use crate::socket::{Phase, Run};

#[component]
pub fn ResultView(run: Run) -> impl IntoView {
    let lang = use_lang();
    let opened = Opened::new(Vec::new());
    // One memo per panel, so an event that changes one panel leaves the others' markup (an
    // opened `<details>`, a selection, the element the reader is on) alone.
    let panel = |build: fn(&mut Html, Run, Lang, Opened)| {
        let markup = Memo::new(move |_| {
            let mut h = Html::default();
            build(&mut h, run, lang.get(), opened);
            h.into_string()
        });
        view! { <div inner_html=move || markup.get()></div> }
    };
    view! {
        <div class="idr-result" on:click=move |ev| record_toggle(&ev, opened)>
            {panel(notices)}
            {panel(verdict)}
            {panel(warnings)}
            {panel(details)}
        </div>
        <Show when=move || run.report.with(Option::is_some)>
            {
                let copied = RwSignal::new(false);
                view! {
                    <div class="idr-actions">
                        <button id="copy-report" type="button" on:click=move |_| {
                            let text = run.report.with_untracked(|r| {
                                r.as_ref().map(|r| report_text(r, &texts().get_untracked(), lang.get_untracked()))
                            });
                            if let (Some(text), Some(w)) = (text, web_sys::window()) {
                                let _ = w.navigator().clipboard().write_text(&text);
                                copied.set(true);
                            }
                        }>{move || if copied.get() { t(lang.get(), T::Copied) } else { t(lang.get(), T::CopyReport) }}</button>
                        <button id="download-report" type="button" on:click=move |_| run.report_json.with_value(|m| download_json(m))>
                            {tr(T::DownloadJson)}
                        </button>
                    </div>
                }
            }
        </Show>
    }
}

/// The `<details>` the reader opened or closed, by their `data-key`, so that rebuilt markup
/// (after a language switch) shows them as the reader left them. Not reactive: a toggle
/// rebuilds nothing.
type Opened = StoredValue<Vec<(String, bool)>>;

/// Whether the `<details>` under `key` is open: as the reader left it, else `default`.
fn is_open(opened: Opened, key: &str, default: bool) -> bool {
    opened.with_value(|o| {
        o.iter()
            .find(|(k, _)| k == key)
            .map_or(default, |&(_, v)| v)
    })
}

/// Notes the state a click on a `<summary>` is about to give its `<details>` (the browser
/// toggles it after the handlers; Enter and Space on a summary are clicks too).
fn record_toggle(ev: &web_sys::Event, opened: Opened) {
    let Some(details) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("summary").ok().flatten())
        .and_then(|s| s.parent_element())
    else {
        return;
    };
    let Some(key) = details.get_attribute("data-key") else {
        return;
    };
    let open = !details.has_attribute("open");
    opened.update_value(|o| {
        o.retain(|(k, _)| *k != key);
        o.push((key, open));
    });
}

/// The relay's error or a lost connection, and a cancelled run.
fn notices(h: &mut Html, run: Run, lang: Lang, _: Opened) {
    let error = run.error.get();
    if error.is_some() || run.connection_lost.get() {
        // The relay's own sentence is English; the page says it in the reader's language.
        let localized = error.as_ref().and_then(|e| crate::i18n::refusal(e.code));
        let message = match (&localized, &error) {
            (Some(words), _) => words.as_str(),
            (None, Some(e)) => e.message.as_str(),
            (None, None) => t(lang, T::ConnectionLost),
        };
        h.open(
            "section",
            &[
                ("class", "idr-card idr-error"),
                ("role", "alert"),
                ("id", "idr-relay-error"),
            ],
        )
        .el("h2", &[], t(lang, T::RelayError))
        .el("p", &[], message)
        .el(
            "p",
            &[("class", "idr-code")],
            &error.map_or(String::new(), |e| {
                format!("{}: {}", e.code.code(), e.message)
            }),
        )
        .close("section");
    }
    if run.phase.get() == Phase::Cancelled {
        h.el(
            "p",
            &[("class", "idr-note"), ("role", "status")],
            t(lang, T::Cancelled),
        );
    }
}

/// The failure cards (the first failure as soon as a side finishes with one), or success.
fn verdict(h: &mut Html, run: Run, lang: Lang, _: Opened) {
    run.report.with(|report| {
        let first = match report {
            Some(r) => r.failure.clone(),
            None => run
                .finished
                .with(|f| f.iter().find_map(|r| r.failure.clone())),
        };
        if let Some(f) = &first {
            failure_card(h, f, true, lang);
        }
        for f in report.iter().flat_map(|r| r.failures.iter().skip(1)) {
            failure_card(h, f, false, lang);
        }
        if report.as_ref().is_some_and(|r| r.failure.is_none()) {
            h.open(
                "section",
                &[
                    ("class", "idr-card idr-success"),
                    ("id", "idr-success"),
                    ("role", "status"),
                ],
            )
            .open("h2", &[])
            .el("span", &[("aria-hidden", "true")], "✓ ")
            .text(t(lang, T::AllGood))
            .close("h2")
            .close("section");
        }
    });
}

/// The warnings: "worth fixing" beside a failure; on a run with none (yet), advice in the
/// accent colour, which does not read as a problem next to the green verdict.
fn warnings(h: &mut Html, run: Run, lang: Lang, _: Opened) {
    let failed = run.report.with(|r| match r {
        Some(r) => r.failure.is_some(),
        None => run.finished.with(|f| f.iter().any(|s| s.failure.is_some())),
    });
    run.warnings.with(|warnings| {
        if warnings.is_empty() {
            return;
        }
        let (class, title) = if failed {
            ("idr-card idr-warnings", T::Warnings)
        } else {
            ("idr-card idr-advice", T::Advice)
        };
        h.open("section", &[("class", class), ("id", "idr-warnings")])
            .el("h2", &[], t(lang, title));
        if !failed {
            h.el("p", &[], t(lang, T::AdviceIntro));
        }
        h.open("ul", &[]);
        for w in warnings {
            h.open("li", &[("data-cause", w.cause.code())])
                .el("strong", &[], &cause_title(w.cause))
                .text(" — ")
                .text(&cause_explanation(w.cause));
            if let Some(d) = warning_detail(w) {
                h.el("small", &[("class", "idr-finding")], &format!(" {d}"));
            }
            if let Some(reply) = &w.server_reply {
                h.open("div", &[("class", "idr-evidence")])
                    .el("h3", &[], t(lang, T::ServerSaid))
                    .el("pre", &[("class", "idr-reply")], reply)
                    .close("div");
            }
            h.close("li");
        }
        h.close("ul").close("section");
    });
}

/// The TLS panel and the transcript, once the report is in.
fn details(h: &mut Html, run: Run, lang: Lang, opened: Opened) {
    run.report.with(|report| {
        let Some(r) = report else { return };
        h.open(
            "section",
            &[("class", "idr-card idr-tls"), ("id", "idr-tls")],
        )
        .el("h2", &[], t(lang, T::TlsPanel))
        .open("div", &[("class", "idr-tls-sides")]);
        for (side, tls) in r.tls.each() {
            if let Some(tls) = tls {
                tls_side(h, side, tls, lang, opened);
            }
        }
        h.close("div").close("section");
        h.open("section", &[("class", "idr-card")])
            .open(
                "details",
                &[
                    ("class", "idr-transcript"),
                    ("data-key", "transcript"),
                    ("open", open_attr(is_open(opened, "transcript", false))),
                ],
            )
            .el("summary", &[], t(lang, T::Transcript))
            .el("pre", &[("id", "idr-transcript")], &transcript_text(r))
            .close("details")
            .close("section");
    });
}

fn failure_card(h: &mut Html, failure: &Failure, main: bool, lang: Lang) {
    let (category, cause) = (failure.category, failure.cause);
    let class = if main {
        "idr-card idr-failure"
    } else {
        "idr-card idr-failure idr-secondary"
    };
    let mut attrs = vec![
        ("class", class),
        ("data-category", category.code()),
        ("data-cause", cause.code()),
    ];
    if main {
        attrs.push(("id", "idr-failure"));
    }
    h.open("section", &attrs)
        .open("h2", &[])
        .el("span", &[("aria-hidden", "true")], "✗ ")
        .text(&category_name(category))
        .close("h2")
        .open("p", &[("class", "idr-cause")])
        .el("strong", &[], &cause_title(cause))
        .text(" ")
        .el("code", &[], cause.code())
        .close("p")
        .el("p", &[], &cause_explanation(cause));
    if let Some(reply) = &failure.server_reply {
        h.open("div", &[("class", "idr-evidence")])
            .el("h3", &[], t(lang, T::ServerSaid))
            .el("pre", &[("class", "idr-reply")], reply)
            .close("div");
    }
    if let Some(d) = &failure.detail {
        h.open("p", &[("class", "idr-detail")])
            .el("strong", &[], &format!("{}: ", t(lang, T::Detail)))
            .text(d)
            .close("p");
    }
    h.el("h3", &[], t(lang, T::WhatToDo))
        .open("ol", &[("class", "idr-remedy")]);
    for step in remediation(failure) {
        h.el("li", &[], &step);
    }
    h.close("ol").close("section");
}

/// The `open` attribute's value: an empty value leaves the attribute out.
fn open_attr(open: bool) -> &'static str {
    if open {
        "open"
    } else {
        ""
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

/// The verdict in words: the cause's `title`, ✓ when trusted, – when not checked.
fn verdict_words(v: CertVerdict, title: impl FnOnce(Cause) -> String) -> String {
    match v.cause() {
        Some(c) => title(c),
        None if v == CertVerdict::Trusted => "✓".to_owned(),
        None => "–".to_owned(),
    }
}

/// One side's TLS facts and certificate chain.
fn tls_side(h: &mut Html, side: Side, report: &TlsReport, lang: Lang, opened: Opened) {
    let name = side.code();
    let title = t(
        lang,
        match side {
            Side::Imap => T::Imap,
            Side::Smtp => T::Smtp,
        },
    );
    let verdict = report.verdict;
    let bad = bad_field(verdict);
    let class = |flagged: bool| if flagged { "idr-bad" } else { "" };
    let row = |h: &mut Html, key: T, class: &str, value: &str| {
        h.el("dt", &[], t(lang, key))
            .el("dd", &[("class", class)], value);
    };
    h.open(
        "div",
        &[
            ("class", "idr-tls-side"),
            ("data-side", name),
            ("data-verdict", verdict.code()),
        ],
    )
    .el("h3", &[], title)
    .open("dl", &[]);
    row(h, T::Version, "", report.version.as_deref().unwrap_or("–"));
    row(
        h,
        T::Cipher,
        "",
        report.cipher_suite.as_deref().unwrap_or("–"),
    );
    row(
        h,
        T::Verdict,
        class(verdict != CertVerdict::Trusted),
        &verdict_words(verdict, cause_title),
    );
    h.close("dl");
    for (i, c) in report.chain.iter().enumerate() {
        let leaf = i == 0;
        let key = format!("{name}-cert-{i}");
        h.open(
            "details",
            &[
                ("class", "idr-cert"),
                ("data-key", &key),
                ("open", open_attr(is_open(opened, &key, leaf))),
            ],
        );
        h.el(
            "summary",
            &[],
            &format!("{} {}: {}", t(lang, T::Certificate), i + 1, c.subject),
        )
        .open("dl", &[]);
        row(h, T::Subject, "", &c.subject);
        row(h, T::Issuer, class(leaf && bad == "issuer"), &c.issuer);
        row(
            h,
            T::Names,
            class(leaf && bad == "sans"),
            &c.sans.join(", "),
        );
        row(
            h,
            T::ValidFrom,
            class(leaf && bad == "not_before"),
            &c.not_before,
        );
        row(
            h,
            T::ValidTo,
            class(leaf && bad == "not_after"),
            &c.not_after,
        );
        row(h, T::Key, "", &c.key);
        h.close("dl").close("details");
    }
    h.close("div");
}

/// The report as plain text for a support ticket. Built from the report, which never holds a
/// password.
pub fn report_text(r: &Report, words: &TextBundle, lang: Lang) -> String {
    // The mode asked for, and the one used when `auto` chose it.
    let mode = |s: &inbox_doctor_errors::Endpoint| match s.security_used {
        Some(used) if used != s.security => format!("{} → {}", s.security.code(), used.code()),
        _ => s.security.code().to_owned(),
    };
    let mut out = format!(
        "Inbox Doctor — {}\nIMAP {}:{} ({})  SMTP {}:{} ({})\n\n",
        r.email,
        r.imap.host,
        r.imap.port,
        mode(&r.imap),
        r.smtp.host,
        r.smtp.port,
        mode(&r.smtp)
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
            out.push_str(&format!(
                "{}: {}\n",
                t(lang, T::ServerSaid),
                reply.trim_end()
            ));
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
        let detail = match &w.finding {
            Some(f) => Some(f.words(|k| words.finding(k))),
            None => w.detail.clone(),
        };
        if let Some(d) = detail {
            out.push_str(&format!("  {}: {d}\n", t(lang, T::Detail)));
        }
        if let Some(reply) = &w.server_reply {
            out.push_str(&format!(
                "  {}: {}\n",
                t(lang, T::ServerSaid),
                reply.trim_end()
            ));
        }
    }
    if r.tls.each().iter().any(|(_, tls)| tls.is_some()) {
        out.push_str(&format!("\n--- {} ---\n", t(lang, T::TlsPanel)));
    }
    for (side, tls) in r.tls.each() {
        let Some(tls) = tls else { continue };
        out.push_str(&format!(
            "{}: {} · {} · {} [{}]{}\n",
            side.code(),
            tls.version.as_deref().unwrap_or("–"),
            tls.cipher_suite.as_deref().unwrap_or("–"),
            verdict_words(tls.verdict, |c| {
                words.cause(c).map_or_else(String::new, |w| w.title.clone())
            }),
            tls.verdict.code(),
            if tls.insecure_allowed {
                " insecure_allowed"
            } else {
                ""
            }
        ));
        if let Some(d) = &tls.verdict_detail {
            out.push_str(&format!("  {}: {d}\n", t(lang, T::Detail)));
        }
        for (i, c) in tls.chain.iter().enumerate() {
            out.push_str(&format!(
                "  {} {}: {}\n    {}: {}\n    {}: {}\n    {}: {} – {}\n    {}: {}  SHA-256 {}\n",
                t(lang, T::Certificate),
                i + 1,
                c.subject,
                t(lang, T::Issuer),
                c.issuer,
                t(lang, T::Names),
                c.sans.join(", "),
                t(lang, T::ValidFrom),
                c.not_before,
                c.not_after,
                t(lang, T::Key),
                c.key,
                c.sha256
            ));
        }
    }
    for s in &r.source_addresses {
        out.push_str(&format!(
            "\nsource {}: {} → {}",
            s.side.code(),
            s.local,
            s.remote
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
        out.push_str(&format!(
            "{:>6} {} {dir} {}\n",
            l.at_ms,
            l.side.code(),
            l.text
        ));
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

#[cfg(test)]
mod tests {
    use inbox_doctor_errors::{ServerMessage, StepEvent};

    use super::*;

    #[test]
    fn the_text_report_has_the_failure_the_tls_facts_and_the_transcript() {
        let Some(ServerMessage::Event(StepEvent::Report(mut r))) =
            crate::json::decode(crate::json::tests::REPORT)
        else {
            panic!("the sample report decodes")
        };
        r.failures.extend(r.steps[0].failure.clone());
        let words = TextBundle::of(Lang::En);
        let text = report_text(&r, &words, Lang::En);
        let self_signed = &words.cause(Cause::CertificateSelfSigned).unwrap().title;
        for expected in [
            "IMAP mail.example.com:993 (auto → tls)  SMTP mail.example.com:587 (starttls)",
            "imap.login     failed",
            "[unauthorized]",
            "[invalid_credentials]",
            "The server said: a1 NO [AUTHENTICATIONFAILED] Authentication failed.\n",
            "[invalid_credentials]\n  Detail: x\n",
            "--- Encryption and certificates ---",
            &format!("imap: TLSv1.3 · TLS13_AES_256_GCM_SHA384 · {self_signed} [self_signed]"),
            "Certificate 1: CN=mail",
            "Issuer: CN=mail",
            "Names: mail.example.com, *.example.com",
            "Valid from: 2026-01-01T00:00:00Z – 2027-01-01T00:00:00Z",
            "Key: EC P-256  SHA-256 ab:cd",
            "source imap: 127.0.0.1:40000 → [::1]:993",
            "6 imap C: a1 LOGIN jørn [redacted]",
        ] {
            assert!(text.contains(expected), "{expected:?} in:\n{text}");
        }
        assert!(
            !text.contains("smtp: "),
            "no TLS line for a side without TLS"
        );

        // A certificate nobody checked is not called good.
        r.tls.imap.as_mut().unwrap().verdict = CertVerdict::NotChecked;
        let text = report_text(&r, &words, Lang::En);
        assert!(
            text.contains("TLS13_AES_256_GCM_SHA384 · – [not_checked]"),
            "{text}"
        );
    }
}
