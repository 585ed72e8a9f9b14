//! The result: failure cards (the category in plain words, which side, the cause, the server's
//! own reply, numbered steps to fix it), warnings, the TLS panel, the transcript, and the report
//! to copy or download. Every text is a reactive view of the current language, so switching
//! language re-words a finished run in place: no card is rebuilt under the reader, and a
//! `<details>` stays as the reader left it. Codes and our side's raw observations stay in a
//! folded "technical details" part (and in the report); the cards speak plain words.

use inbox_doctor_errors::{
    Category, Cause, CertVerdict, Failure, Label, ProtocolError, Report, Side, TextBundle,
    TlsReport, Warning,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::{finding_words, remediation, say, texts, tr, word, Sides, Text};
use crate::socket::{Phase, Run};

/// What a failure card offers to run again with, when the form has it (the app provides it;
/// a result shown on its own has none).
#[derive(Clone, Copy)]
pub struct Retry(pub Callback<()>);

#[component]
pub fn ResultView(run: Run) -> impl IntoView {
    view! {
        <div class="idr-result">
            <Notices run />
            <Verdict run />
            <Warnings run />
            {move || (run.report.with(Option::is_some)).then(|| view! {
                <TlsPanel run />
                <TranscriptPanel run />
                <ReportActions run />
            })}
        </div>
    }
}

/// A folded part for IT: codes and our side's technical words.
#[component]
fn TechnicalDetails(children: Children) -> impl IntoView {
    view! {
        <details class="idr-tech">
            <summary>{tr(Label::TechnicalDetails)}</summary>
            <dl>{children()}</dl>
        </details>
    }
}

/// The relay's refusal or a lost connection, and a cancelled run.
#[component]
fn Notices(run: Run) -> impl IntoView {
    // `Some(None)`: the connection broke without a word from the relay.
    let problem = Memo::new(move |_| match run.error.get() {
        Some(e) => Some(Some(e)),
        None => run.connection_lost.get().then_some(None),
    });
    let notice = move |error: Option<ProtocolError>| {
        // The relay's own sentence is English; the page says it in the reader's language.
        let message = say(error
            .as_ref()
            .map_or(Text::Label(Label::ConnectionLost), |e| {
                Text::Refusal(e.code)
            }));
        view! {
            <section class="idr-card idr-error" role="alert" id="idr-relay-error">
                <h2>{tr(Label::RelayError)}</h2>
                <p>{message}</p>
                {error.map(|e| view! {
                    <TechnicalDetails>
                        <dt>{tr(Label::Code)}</dt>
                        <dd><code class="idr-code">{e.code.code()}</code></dd>
                        <dt>{tr(Label::Detail)}</dt>
                        <dd class="idr-detail">{e.message}</dd>
                    </TechnicalDetails>
                })}
            </section>
        }
    };
    view! {
        {move || problem.get().map(notice)}
        {move || (run.phase.get() == Phase::Cancelled).then(|| view! {
            <p class="idr-note" role="status">{tr(Label::Cancelled)}</p>
        })}
    }
}

/// One failure card: one cause, on one side or on both.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Card {
    /// One per side, in flow order.
    pub failures: Vec<Failure>,
}

impl Card {
    fn key(&self) -> (Category, Cause) {
        let f = &self.failures[0];
        (f.category, f.cause)
    }

    fn sides(&self) -> Sides {
        match self.failures.as_slice() {
            [one] => Sides::One(one.step.side()),
            _ => Sides::Both,
        }
    }

    /// The sides as codes (`imap`, `smtp`, `imap smtp`), for the `data-sides` attribute.
    fn sides_code(&self) -> String {
        self.failures
            .iter()
            .map(|f| f.step.side().code())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The cards for `failures`: a cause that both sides failed with is said once, in one card that
/// names both sides and carries both servers' words, IMAP's first whichever side finished
/// first (so the card is the same during the run and in the report).
pub fn cards(failures: impl IntoIterator<Item = Failure>) -> Vec<Card> {
    let mut cards: Vec<Card> = Vec::new();
    for f in failures {
        match cards.iter_mut().find(|c| c.key() == (f.category, f.cause)) {
            Some(card) => {
                card.failures.push(f);
                card.failures.sort_by_key(|f| f.step.side() == Side::Smtp);
            }
            None => cards.push(Card { failures: vec![f] }),
        }
    }
    cards
}

/// The failure cards (each as soon as its side finishes with it), or the success. A card is
/// built again only when the other side's failure joins it.
#[component]
fn Verdict(run: Run) -> impl IntoView {
    let all = Memo::new(move |_| {
        run.report.with(|report| match report {
            Some(r) => cards(r.failures.iter().cloned()),
            None => run
                .finished
                .with(|f| cards(f.iter().filter_map(|r| r.failure.clone()))),
        })
    });
    let keys = move || {
        all.with(|c| {
            c.iter()
                .map(|c| (c.key(), c.failures.len()))
                .collect::<Vec<_>>()
        })
    };
    let first = move || all.with(|c| c.first().map(Card::key));
    let success = move || {
        run.report
            .with(|r| r.as_ref().is_some_and(|r| r.failure.is_none()))
    };
    view! {
        <For each=keys key=|k| *k children=move |(k, _)| {
            let card = all.with_untracked(|c| c.iter().find(|c| c.key() == k).cloned());
            card.map(|card| view! { <FailureCard card main=Signal::derive(move || first() == Some(k)) /> })
        } />
        {move || success().then(|| view! {
            <section class="idr-card idr-success" id="idr-success" role="status">
                <h2><span aria-hidden="true">"✓ "</span>{tr(Label::AllGood)}</h2>
            </section>
        })}
    }
}

#[component]
fn FailureCard(card: Card, main: Signal<bool>) -> impl IntoView {
    let (category, cause) = card.key();
    let sides = card.sides();
    let both = sides == Sides::Both;
    let retry =
        use_context::<Retry>().filter(|_| category == Category::UnauthorizedUntrustedCertificate);
    let sides_code = card.sides_code();
    // A mailbox that takes no password (or a token that was refused): the route that would
    // work, where the relay offers it.
    let signin = use_context::<crate::signin::Providers>().filter(|_| offers_signin(cause));
    let replies = card
        .failures
        .iter()
        .filter_map(|f| {
            let heading = say(Text::ServerSaid(both.then_some(f.step.side())));
            let reply = f.server_reply.clone()?;
            Some(view! { <Evidence heading reply /> })
        })
        .collect_view();
    let tech = card
        .failures
        .iter()
        .map(|f| {
            view! {
                <dt>{tr(Label::Step)}</dt>
                <dd><code>{f.step.code()}</code></dd>
                {f.detail.clone().map(|d| view! {
                    <dt>{tr(Label::Detail)}</dt>
                    <dd class="idr-detail">{d}</dd>
                })}
            }
        })
        .collect_view();
    let failures = card.failures;
    view! {
        <section
            class=move || if main.get() { "idr-card idr-failure" } else { "idr-card idr-failure idr-secondary" }
            id=move || main.get().then_some("idr-failure")
            data-category=category.code()
            data-cause=cause.code()
            data-sides=sides_code
        >
            <h2><span aria-hidden="true">"✗ "</span>{say(Text::Category(category))}</h2>
            <p class="idr-side">{say(Text::Sides(sides))}</p>
            <p class="idr-cause"><strong>{say(Text::CauseTitle(cause))}</strong></p>
            <p>{say(Text::CauseExplanation(cause))}</p>
            {both.then(|| view! { <p class="idr-same">{tr(Label::SameOnBoth)}</p> })}
            {replies}
            <h3>{tr(Label::WhatToDo)}</h3>
            <ol class="idr-remedy">
                {move || remediation(&failures).into_iter()
                    .map(|step| view! { <li>{step}</li> }).collect_view()}
            </ol>
            {retry.map(|Retry(again)| view! {
                <button type="button" class="idr-retry" on:click=move |_| again.run(())>
                    {tr(Label::RetryAllowingCertificate)}
                </button>
            })}
            {signin.map(|p| view! {
                <crate::signin::SigninButtons relay=p.relay providers=p.list offer=Label::SigninOffer
                    ids="card-signin" />
            })}
            <TechnicalDetails>
                <dt>{tr(Label::Code)}</dt>
                <dd><code class="idr-code">{format!("{category} / {cause}")}</code></dd>
                {tech}
            </TechnicalDetails>
        </section>
    }
}

/// Whether a failure with `cause` is one a sign-in with the provider would get past: password
/// login switched off, or a token that needs replacing.
fn offers_signin(cause: Cause) -> bool {
    matches!(
        cause,
        Cause::BasicAuthDisabled
            | Cause::TokenExpired
            | Cause::TokenWrongAudience
            | Cause::TokenScopeMissing
            | Cause::TokenWrongUser
            | Cause::TokenRejected
    )
}

/// The server's own words, shown as said.
#[component]
fn Evidence(
    heading: impl Fn() -> String + Copy + Send + Sync + 'static,
    reply: String,
) -> impl IntoView {
    view! {
        <div class="idr-evidence">
            <h3>{heading}</h3>
            <pre class="idr-reply">{reply}</pre>
        </div>
    }
}

/// The warnings: "worth fixing" beside a failure; on a run with none (yet), advice in the
/// accent colour, which does not read as a problem next to the green verdict.
#[component]
fn Warnings(run: Run) -> impl IntoView {
    let failed = move || {
        run.report.with(|r| match r {
            Some(r) => r.failure.is_some(),
            None => run.finished.with(|f| f.iter().any(|s| s.failure.is_some())),
        })
    };
    let count = move || run.warnings.with(Vec::len);
    view! {
        <Show when=move || count() != 0>
            <section
                class=move || if failed() { "idr-card idr-warnings" } else { "idr-card idr-advice" }
                id="idr-warnings"
            >
                <h2>{move || word(if failed() { Label::Warnings } else { Label::Advice })}</h2>
                <Show when=move || !failed()>
                    <p>{tr(Label::AdviceIntro)}</p>
                </Show>
                <ul>
                    <For each=move || 0..count() key=|i| *i children=move |i| {
                        let w = run.warnings.with_untracked(|w| w[i].clone());
                        view! { <WarningItem w /> }
                    } />
                </ul>
            </section>
        </Show>
    }
}

#[component]
fn WarningItem(w: Warning) -> impl IntoView {
    let cause = w.cause;
    let side = w.side;
    let found = w.finding.is_some().then(|| {
        let w = w.clone();
        view! { <p class="idr-finding">{move || finding_words(&w)}</p> }
    });
    view! {
        <li data-cause=cause.code() data-side=side.code()>
            <p>
                <strong>{say(Text::CauseTitle(cause))}</strong>
                <span class="idr-side">" · "{say(Text::Sides(Sides::One(side)))}</span>
            </p>
            <p>{say(Text::CauseExplanation(cause))}</p>
            {found}
            {w.server_reply.map(|reply| view! { <Evidence heading=tr(Label::ServerSaid) reply /> })}
            <TechnicalDetails>
                <dt>{tr(Label::Code)}</dt>
                <dd><code class="idr-code">{cause.code()}</code></dd>
                <dt>{tr(Label::Step)}</dt>
                <dd><code>{w.step.code()}</code></dd>
                {w.detail.filter(|_| w.finding.is_none()).map(|d| view! {
                    <dt>{tr(Label::Detail)}</dt>
                    <dd class="idr-detail">{d}</dd>
                })}
            </TechnicalDetails>
        </li>
    }
}

/// The TLS facts and certificate chains of both sides, once the report is in.
#[component]
fn TlsPanel(run: Run) -> impl IntoView {
    let sides = run.report.with_untracked(|r| {
        r.as_ref().map_or_else(Vec::new, |r| {
            r.tls
                .each()
                .into_iter()
                .filter_map(|(side, tls)| Some((side, tls?.clone())))
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="idr-card idr-tls" id="idr-tls">
            <h2>{tr(Label::TlsPanel)}</h2>
            <div class="idr-tls-sides">
                {sides.into_iter().map(|(side, tls)| view! { <TlsSide side tls /> }).collect_view()}
            </div>
        </section>
    }
}

/// Which certificate field the verdict is about, to highlight it.
fn bad_field(v: CertVerdict) -> Option<Label> {
    match v {
        CertVerdict::Expired => Some(Label::ValidTo),
        CertVerdict::NotYetValid => Some(Label::ValidFrom),
        CertVerdict::NameMismatch => Some(Label::Names),
        CertVerdict::SelfSigned | CertVerdict::UnknownIssuer => Some(Label::Issuer),
        _ => None,
    }
}

/// One row of a TLS fact list; `bad` highlights the value the verdict is about.
#[component]
fn Row(label: Label, value: String, #[prop(optional)] bad: bool) -> impl IntoView {
    view! {
        <dt>{tr(label)}</dt>
        <dd class:idr-bad=bad>{value}</dd>
    }
}

#[component]
fn TlsSide(side: Side, tls: TlsReport) -> impl IntoView {
    let verdict = tls.verdict;
    let bad = bad_field(verdict);
    let name = match side {
        Side::Imap => Label::Imap,
        Side::Smtp => Label::Smtp,
    };
    let detail = tls.verdict_detail.clone();
    let chain = tls.chain.into_iter().enumerate().map(move |(i, c)| {
        let leaf = i == 0;
        let flag = move |field: Label| leaf && bad == Some(field);
        let summary = format!(" {}: {}", i + 1, c.subject);
        view! {
            // The leaf is open at first; afterwards each stays as the reader leaves it.
            <details class="idr-cert" open=leaf>
                <summary>{tr(Label::Certificate)}{summary}</summary>
                <dl>
                    <Row label=Label::Subject value=c.subject />
                    <Row label=Label::Issuer value=c.issuer bad=flag(Label::Issuer) />
                    <Row label=Label::Names value=c.sans.join(", ") bad=flag(Label::Names) />
                    <Row label=Label::ValidFrom value=c.not_before bad=flag(Label::ValidFrom) />
                    <Row label=Label::ValidTo value=c.not_after bad=flag(Label::ValidTo) />
                    <Row label=Label::Key value=c.key />
                </dl>
            </details>
        }
    });
    view! {
        <div class="idr-tls-side" data-side=side.code() data-verdict=verdict.code()>
            <h3>{tr(name)}</h3>
            <dl>
                <Row label=Label::Version value=tls.version.unwrap_or_else(|| "–".to_owned()) />
                <Row label=Label::Cipher value=tls.cipher_suite.unwrap_or_else(|| "–".to_owned()) />
                <dt>{tr(Label::Verdict)}</dt>
                <dd class:idr-bad=verdict != CertVerdict::Trusted>{say(Text::Verdict(verdict))}</dd>
            </dl>
            {detail.map(|d| view! {
                <TechnicalDetails>
                    <dt>{tr(Label::Detail)}</dt>
                    <dd class="idr-detail">{d}</dd>
                </TechnicalDetails>
            })}
            {chain.collect_view()}
        </div>
    }
}

#[component]
fn TranscriptPanel(run: Run) -> impl IntoView {
    let text = run
        .report
        .with_untracked(|r| r.as_ref().map(transcript_text).unwrap_or_default());
    view! {
        <section class="idr-card">
            <details class="idr-transcript">
                <summary>{tr(Label::Transcript)}</summary>
                <pre id="idr-transcript">{text}</pre>
            </details>
        </section>
    }
}

#[component]
fn ReportActions(run: Run) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let text = run.report.with_untracked(|r| {
            r.as_ref()
                .map(|r| texts().with_untracked(|words| report_text(r, words)))
        });
        if let (Some(text), Some(w)) = (text, web_sys::window()) {
            let _ = w.navigator().clipboard().write_text(&text);
            copied.set(true);
        }
    };
    view! {
        <div class="idr-actions">
            <button id="copy-report" type="button" on:click=copy>
                {move || word(if copied.get() { Label::Copied } else { Label::CopyReport })}
            </button>
            <button id="download-report" type="button"
                on:click=move |_| run.report_json.with_value(|m| download_json(m))>
                {tr(Label::DownloadJson)}
            </button>
        </div>
    }
}

/// The report as plain text for a support ticket, in the language of `words`. Built from the
/// report, which never holds a password; codes beside the words, for whoever reads the ticket.
pub fn report_text(r: &Report, words: &TextBundle) -> String {
    let w = |l: Label| words.label(l);
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
            "\n{} [{}] / {} [{}] ({})\n{}\n",
            words.category(f.category),
            f.category.code(),
            words.cause(f.cause).map_or("", |w| w.title.as_str()),
            f.cause.code(),
            f.step.code(),
            words.cause(f.cause).map_or("", |w| w.explanation.as_str())
        ));
        if let Some(reply) = &f.server_reply {
            out.push_str(&format!("{}: {}\n", w(Label::ServerSaid), reply.trim_end()));
        }
        if let Some(d) = &f.detail {
            out.push_str(&format!("{}: {d}\n", w(Label::Detail)));
        }
    }
    for warning in &r.warnings {
        out.push_str(&format!(
            "\n! {} [{}] ({})\n",
            words.cause(warning.cause).map_or("", |x| x.title.as_str()),
            warning.cause.code(),
            warning.step.code()
        ));
        let detail = match &warning.finding {
            Some(f) => Some(f.words(|k| words.finding(k))),
            None => warning.detail.clone(),
        };
        if let Some(d) = detail {
            out.push_str(&format!("  {}: {d}\n", w(Label::Detail)));
        }
        if let Some(reply) = &warning.server_reply {
            out.push_str(&format!(
                "  {}: {}\n",
                w(Label::ServerSaid),
                reply.trim_end()
            ));
        }
    }
    if r.tls.each().iter().any(|(_, tls)| tls.is_some()) {
        out.push_str(&format!("\n--- {} ---\n", w(Label::TlsPanel)));
    }
    for (side, tls) in r.tls.each() {
        let Some(tls) = tls else { continue };
        out.push_str(&format!(
            "{}: {} · {} · {} [{}]{}\n",
            side.code(),
            tls.version.as_deref().unwrap_or("–"),
            tls.cipher_suite.as_deref().unwrap_or("–"),
            Text::Verdict(tls.verdict).in_words(words),
            tls.verdict.code(),
            if tls.insecure_allowed {
                " insecure_allowed"
            } else {
                ""
            }
        ));
        if let Some(d) = &tls.verdict_detail {
            out.push_str(&format!("  {}: {d}\n", w(Label::Detail)));
        }
        for (i, c) in tls.chain.iter().enumerate() {
            out.push_str(&format!(
                "  {} {}: {}\n    {}: {}\n    {}: {}\n    {}: {} – {}\n    {}: {}  SHA-256 {}\n",
                w(Label::Certificate),
                i + 1,
                c.subject,
                w(Label::Issuer),
                c.issuer,
                w(Label::Names),
                c.sans.join(", "),
                w(Label::ValidFrom),
                c.not_before,
                c.not_after,
                w(Label::Key),
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
    use inbox_doctor_errors::{Lang, ServerMessage, StepEvent, StepId};

    use super::*;

    /// The sample report the component tests use too, with both sides' login failures.
    fn sample() -> Report {
        let message: ServerMessage =
            serde_json::from_str(include_str!("../tests/report-message.json")).unwrap();
        let ServerMessage::Event(StepEvent::Report(mut r)) = message else {
            panic!("the sample is a report")
        };
        r.failures.extend(r.steps[0].failure.clone());
        r
    }

    #[test]
    fn the_text_report_has_the_failure_the_tls_facts_and_the_transcript() {
        let mut r = sample();
        let words = TextBundle::of(Lang::En);
        let text = report_text(&r, &words);
        let self_signed = &words.cause(Cause::CertificateSelfSigned).unwrap().title;
        for expected in [
            "IMAP mail.example.com:993 (auto → tls)  SMTP mail.example.com:587 (starttls)",
            "imap.login     failed",
            "[unauthorized]",
            "[invalid_credentials] (imap.login)",
            "The server said: a1 NO [AUTHENTICATIONFAILED] Authentication failed.\n",
            "[invalid_credentials] (smtp.tls)\n  Detail: x\n",
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
        let text = report_text(&r, &words);
        assert!(
            text.contains("TLS13_AES_256_GCM_SHA384 · – [not_checked]"),
            "{text}"
        );
    }

    #[test]
    fn a_cause_both_sides_failed_with_is_one_card_naming_both() {
        let imap = sample().failures[0].clone();
        assert_eq!(imap.step, StepId::ImapLogin);
        let smtp = Failure {
            step: StepId::SmtpLogin,
            server_reply: Some("535 5.7.8 Error: authentication failed".into()),
            ..imap.clone()
        };
        let other = Failure {
            cause: Cause::ConnectionRefused,
            category: Category::SmtpSettingsIncorrect,
            step: StepId::SmtpConnect,
            ..imap.clone()
        };

        let merged = cards([imap.clone(), smtp.clone()]);
        assert_eq!(merged.len(), 1, "one card for one reason");
        assert_eq!(merged[0].failures, [imap.clone(), smtp.clone()]);
        assert_eq!(merged[0].sides_code(), "imap smtp");
        // The same card when SMTP's failure came first (it is no later in the run).
        assert_eq!(cards([smtp.clone(), imap.clone()]), merged);

        let apart = cards([imap.clone(), other.clone()]);
        assert_eq!(apart.len(), 2, "different reasons, different cards");
        assert_eq!(apart[0].sides_code(), "imap");
        assert_eq!(apart[1].sides_code(), "smtp");
        assert!(cards([]).is_empty());
    }
}
