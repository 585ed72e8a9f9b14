//! Component tests in a real browser (wasm-bindgen-test in headless Chromium; `scripts/test`
//! runs them). They check what the native tests cannot see: the browser's own HTML parser
//! reading our markup, and the run's views updated from relay messages.
#![cfg(target_arch = "wasm32")]

use inbox_doctor_errors::{Lang, TextBundle};
use inbox_doctor_web::i18n::{Language, Texts};
use inbox_doctor_web::result::ResultView;
use inbox_doctor_web::socket::{Phase, Run};
use inbox_doctor_web::steps::StepsView;
use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// What a hostile server might answer.
const HOSTILE: &str =
    r#"NO <img src=x onerror="window.pwned=1"><script>window.pwned=2</script> & 'so' "on""#;

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn host() -> web_sys::HtmlElement {
    use wasm_bindgen::JsCast;
    let el = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el.dyn_into().unwrap()
}

fn find(host: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} on screen: {:?}", host.text_content()))
}

/// The steps and result views of a running diagnosis, mounted in `el` in `lang`: the run,
/// the language to switch and its words (as the relay would send them).
fn mount_run(el: &web_sys::HtmlElement, lang: Lang) -> (Run, RwSignal<Lang>, RwSignal<TextBundle>) {
    let run = Run::new();
    let language = RwSignal::new(lang);
    let texts = RwSignal::new(TextBundle::of(lang));
    leptos::mount::mount_to(el.clone(), move || {
        provide_context(Language(language));
        provide_context(Texts(texts));
        view! { <StepsView run=run /> <ResultView run=run /> }
    })
    .forget();
    run.phase.set(Phase::Running);
    (run, language, texts)
}

/// Lets pending effects run (microtasks, before the browser's next frame).
async fn settle() {
    leptos::task::tick().await;
}

const FAILED_LOGIN: &str = r#"{"event":{"finished":{"step":"imap.login","status":"failed","started_ms":10,"elapsed_ms":20,
  "failure":{"category":"unauthorized","cause":"invalid_credentials","step":"imap.login",
  "server_reply":"REPLY","detail":null,"title":"","explanation":"","remediation":[]}}}}"#;

#[wasm_bindgen_test]
async fn relay_messages_reach_the_steps_and_the_failure_card_before_the_next_frame() {
    let el = host();
    let (run, _, _) = mount_run(&el, Lang::De);
    run.receive(r#"{"event":{"started":{"step":"imap.login","started_ms":10}}}"#);
    settle().await;
    let row = find(&el, "li[data-step='imap.login']");
    assert_eq!(row.get_attribute("data-status").as_deref(), Some("running"));

    let reply = serde_json::to_string(HOSTILE).unwrap();
    run.receive(&FAILED_LOGIN.replace("\"REPLY\"", &reply));
    settle().await;
    assert_eq!(row.get_attribute("data-status").as_deref(), Some("failed"));
    let card = find(&el, "#idr-failure");
    assert_eq!(
        card.get_attribute("data-cause").as_deref(),
        Some("invalid_credentials")
    );
    let text = card.text_content().unwrap();
    assert!(text.contains("Nicht autorisiert"), "German words: {text}");
    assert_eq!(
        find(&el, "#idr-failure .idr-reply")
            .text_content()
            .as_deref(),
        Some(HOSTILE),
        "the server's words, as text"
    );
    assert!(el
        .query_selector("#idr-failure img, #idr-failure script")
        .unwrap()
        .is_none());
    assert!(
        el.query_selector("#idr-failure ol.idr-remedy li")
            .unwrap()
            .is_some(),
        "numbered steps"
    );

    // A warning shows in its own panel and leaves the card's element alone (no rebuilt
    // markup under the reader).
    run.receive(
        r#"{"event":{"warning":{"cause":"sent_folder_not_found","side":"imap","step":"imap.validate",
          "detail":null,"explanation":"","remediation":[]}}}"#,
    );
    settle().await;
    assert!(find(&el, "#idr-warnings li[data-cause='sent_folder_not_found']").is_connected());
    assert!(card.is_connected(), "the failure card was not rebuilt");

    // A message that is not the protocol changes nothing and breaks nothing.
    run.receive(r#"{"event":{"finished":{"step":"imap.login","status":"#);
    run.receive("\u{0}");
    settle().await;
    assert_eq!(row.get_attribute("data-status").as_deref(), Some("failed"));

    run.receive(r#"{"error":{"code":"busy","message":"The relay is busy."}}"#);
    settle().await;
    assert_eq!(run.phase.get_untracked(), Phase::Stopped);
    assert!(find(&el, "#idr-relay-error")
        .text_content()
        .unwrap()
        .contains("The relay is busy."));
}

#[wasm_bindgen_test]
async fn a_cause_both_sides_fail_with_is_said_once_naming_both_sides() {
    let el = host();
    let (run, _, _) = mount_run(&el, Lang::En);
    run.receive(&FAILED_LOGIN.replace("\"REPLY\"", "\"a1 NO [AUTHENTICATIONFAILED]\""));
    run.receive(
        &FAILED_LOGIN
            .replace("imap.login", "smtp.login")
            .replace("\"REPLY\"", "\"535 5.7.8 Error: authentication failed\""),
    );
    settle().await;
    assert_eq!(
        el.query_selector_all(".idr-failure").unwrap().length(),
        1,
        "one card: {}",
        el.text_content().unwrap_or_default()
    );
    let card = find(&el, "#idr-failure");
    assert_eq!(
        card.get_attribute("data-sides").as_deref(),
        Some("imap smtp")
    );
    let text = card.text_content().unwrap();
    for expected in [
        "Incoming and outgoing mail (IMAP and SMTP)",
        "for the same reason",
        "The server said (Incoming mail (IMAP))",
        "a1 NO [AUTHENTICATIONFAILED]",
        "535 5.7.8 Error: authentication failed",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    // Codes and steps are for IT: folded away, there when asked for.
    let tech = find(&el, "#idr-failure details.idr-tech");
    assert!(!tech.has_attribute("open"));
    let tech = tech.text_content().unwrap();
    assert!(
        tech.contains("unauthorized / invalid_credentials"),
        "{tech}"
    );
    assert!(
        tech.contains("imap.login") && tech.contains("smtp.login"),
        "{tech}"
    );
    let visible = find(&el, "#idr-failure .idr-cause").text_content().unwrap();
    assert!(!visible.contains("invalid_credentials"), "{visible}");
}

/// A host inside an open shadow root, as the widget mounts.
fn shadow_host() -> web_sys::HtmlElement {
    use wasm_bindgen::JsCast;
    let root = host()
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    let el = document().create_element("div").unwrap();
    root.append_child(&el).unwrap();
    el.dyn_into().unwrap()
}

#[wasm_bindgen_test]
async fn a_language_switch_keeps_the_details_the_reader_opened_or_closed() {
    // On the page, and in the widget's shadow root.
    for el in [host(), shadow_host()] {
        details_survive_a_language_switch(el).await;
    }
}

async fn details_survive_a_language_switch(el: web_sys::HtmlElement) {
    use wasm_bindgen::JsCast;
    let (run, lang, texts) = mount_run(&el, Lang::En);
    run.receive(include_str!("report-message.json"));
    settle().await;
    const TRANSCRIPT: &str = "details.idr-transcript";
    const LEAF: &str = ".idr-tls-side[data-side='imap'] details.idr-cert";
    let open = |selector: &str| find(&el, selector).has_attribute("open");
    assert!(!open(TRANSCRIPT), "the transcript starts folded");
    assert!(open(LEAF), "the leaf certificate starts open");

    // The reader opens the transcript and folds the certificate, by mouse or keyboard alike.
    for selector in [TRANSCRIPT, LEAF] {
        find(&el, &format!("{selector} > summary"))
            .dyn_into::<web_sys::HtmlElement>()
            .unwrap()
            .click();
    }
    assert!(open(TRANSCRIPT) && !open(LEAF));

    lang.set(Lang::Nb);
    texts.set(TextBundle::of(Lang::Nb));
    settle().await;
    let summary = find(&el, &format!("{LEAF} > summary"));
    assert!(
        summary.text_content().unwrap().starts_with("Sertifikat 1"),
        "re-worded in Norwegian"
    );
    assert!(open(TRANSCRIPT), "still open after the switch");
    assert!(!open(LEAF), "still folded after the switch");
}
