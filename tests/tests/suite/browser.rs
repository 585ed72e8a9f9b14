//! The page and the widget in a real browser (headless Chromium over WebDriver), against the
//! real relay and the harness's real mail servers. Screenshots of the main states are saved in
//! target/screenshots/.

use std::time::Duration;

use inbox_doctor::config::Config;
use inbox_doctor_errors::{Label, Lang};
use inbox_doctor_tests::browser::{dist, Browser};
use inbox_doctor_tests::host_page::HostPage;
use inbox_doctor_tests::net::free_port;
use inbox_doctor_tests::relay::{config_for, Relay};
use inbox_doctor_tests::{Harness, EMAIL, PASSWORD};

async fn relay_with_ui(h: &Harness) -> Relay {
    let mut config = config_for(h);
    config.static_dir = Some(dist());
    Relay::start(config).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_good_mailbox_goes_green_and_the_report_downloads() {
    let h = Harness::start();
    let relay = relay_with_ui(&h).await;
    let b = Browser::start("en-US", 1200, 1600).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    b.screenshot("form").await;
    b.fill_mailbox(&h, "127.0.0.1", PASSWORD).await;
    b.click("#run").await;
    b.wait_for("#idr-success").await;
    for step in [
        "resolve",
        "imap.connect",
        "imap.tls",
        "imap.login",
        "imap.validate",
        "smtp.connect",
        "smtp.tls",
        "smtp.login",
        "smtp.send",
    ] {
        assert_eq!(
            b.attr(&format!("li[data-step='{step}']"), "data-status")
                .await
                .as_deref(),
            Some("passed"),
            "{step}"
        );
    }
    assert!(b.text("#idr-success").await.contains("Everything works"));
    let live = b
        .client
        .find(fantoccini::Locator::Css("#idr-live"))
        .await
        .unwrap();
    let said = live.prop("textContent").await.unwrap().unwrap_or_default();
    assert!(
        said.contains("passed"),
        "the live region announces steps: {said:?}"
    );
    // The password is gone from the form after the run.
    let password = b
        .client
        .find(fantoccini::Locator::Css("#password"))
        .await
        .unwrap();
    assert_eq!(password.prop("value").await.unwrap().as_deref(), Some(""));
    b.screenshot_of("passed", ".idr-steps").await;

    b.click("#download-report").await;
    let file = b.downloads.path().join("inbox-doctor-report.json");
    for _ in 0..50 {
        if file.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let json = std::fs::read_to_string(&file).expect("the report was downloaded");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["outcome"], "passed");
    assert!(!json.contains(PASSWORD), "no password in the report");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_shows_the_failure_card_in_german() {
    let h = Harness::start();
    let relay = relay_with_ui(&h).await;
    let b = Browser::start("de-DE", 1200, 1600).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    // The browser's language was chosen.
    assert_eq!(
        b.text("#run").await,
        "Mein Postfach prüfen",
        "German from the browser"
    );
    b.fill_mailbox(&h, "127.0.0.1", "falsch").await;
    b.run_diagnosis().await;
    let card = b.wait_for("#idr-failure").await;
    assert_eq!(
        card.attr("data-category").await.unwrap().as_deref(),
        Some("unauthorized")
    );
    assert_eq!(
        card.attr("data-cause").await.unwrap().as_deref(),
        Some("invalid_credentials")
    );
    let text = card.text().await.unwrap();
    assert!(text.contains("Nicht autorisiert"), "{text}");
    assert!(
        text.contains("[AUTHENTICATIONFAILED]"),
        "the server's words: {text}"
    );
    assert!(b
        .client
        .find(fantoccini::Locator::Css("#idr-failure ol.idr-remedy li"))
        .await
        .is_ok());
    // Both sides refused the password: one card says so once, naming both sides, with both
    // servers' words.
    assert_eq!(
        card.attr("data-sides").await.unwrap().as_deref(),
        Some("imap smtp")
    );
    let cards = b
        .client
        .find_all(fantoccini::Locator::Css(".idr-failure"))
        .await
        .unwrap();
    assert_eq!(cards.len(), 1, "one card for one reason");
    assert!(
        text.contains("Eingehende und ausgehende E-Mails (IMAP und SMTP)"),
        "{text}"
    );
    assert!(text.contains("535"), "Postfix's words too: {text}");
    // The plain words carry no internal codes; IT finds them folded away.
    assert!(!text.contains("invalid_credentials"), "{text}");
    b.click("#idr-failure details.idr-tech > summary").await;
    let tech = b.text("#idr-failure details.idr-tech").await;
    for code in [
        "unauthorized / invalid_credentials",
        "imap.login",
        "smtp.login",
    ] {
        assert!(tech.contains(code), "{code} in {tech}");
    }
    b.screenshot_of("wrong-password-de", "#idr-failure").await;
    // Switching the language re-words the result.
    b.select("#lang", "pl").await;
    let text = b.text("#idr-failure").await;
    assert!(text.contains("Brak autoryzacji"), "{text}");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paused_account_is_explained_in_the_readers_language() {
    let h = Harness::start();
    let mut config = config_for(&h);
    config.static_dir = Some(dist());
    config.limits.failed_logins_per_account = 2;
    let relay = Relay::start(config).await;
    let b = Browser::start("de-DE", 1200, 1600).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    b.fill_mailbox(&h, "127.0.0.1", "").await;
    // Two refused logins, then the relay pauses checks of this account. (The page forgets
    // the password after each check: it is typed again.)
    for refused in 1..=2 {
        b.wait_for("#run:enabled").await;
        b.fill("#password", "falsch").await;
        b.click("#run").await;
        let counted = format!("inbox_doctor_refused_logins_total {refused}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !relay.metrics().await.contains(&counted) {
            assert!(
                std::time::Instant::now() < deadline,
                "run {refused} never ended"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        b.wait_for("#idr-failure").await;
    }
    b.wait_for("#run:enabled").await;
    b.fill("#password", "falsch").await;
    b.click("#run").await;
    let refusal = b.wait_for("#idr-relay-error").await;
    let text = refusal.text().await.unwrap();
    assert!(
        text.contains("zu oft abgelehnt"),
        "the refusal in German: {text}"
    );
    assert!(
        !text.contains("account_rate_limited"),
        "the code is not in the plain words: {text}"
    );
    // It is for IT, in the folded technical details.
    b.click("#idr-relay-error details.idr-tech > summary").await;
    let tech = b.text("#idr-relay-error details.idr-tech").await;
    assert!(tech.contains("account_rate_limited"), "{tech}");
    b.screenshot_of("account-paused-de", "#idr-relay-error")
        .await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_self_signed_certificate_is_shown_with_the_chain_in_polish() {
    let h = Harness::start();
    let relay = relay_with_ui(&h).await;
    let b = Browser::start("pl", 1200, 1800).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    b.fill_mailbox(&h, "127.0.0.2", PASSWORD).await;
    b.run_diagnosis().await;
    let card = b.wait_for("#idr-failure").await;
    assert_eq!(
        card.attr("data-category").await.unwrap().as_deref(),
        Some("unauthorized_untrusted_certificate")
    );
    assert_eq!(
        card.attr("data-cause").await.unwrap().as_deref(),
        Some("certificate_self_signed")
    );
    b.wait_for("#idr-tls .idr-tls-side[data-side='imap'] .idr-bad")
        .await;
    let tls = b.text("#idr-tls").await;
    assert!(tls.contains("self-signed.test"), "{tls}");
    // The verifier's own words ("invalid peer certificate: ...") are for IT, not the card.
    let text = card.text().await.unwrap();
    assert!(!text.contains("invalid peer certificate"), "{text}");
    assert!(!text.contains("certificate_self_signed"), "{text}");
    b.screenshot_of("self-signed-pl", "#idr-failure").await;
    b.screenshot_of("self-signed-pl-tls", "#idr-tls").await;

    // "Check again, going on past this certificate": the password is gone after the run, so the
    // button ticks the box and sends the reader to the password field, which says to type it
    // again; nothing runs without it.
    assert_eq!(b.value("#password").await, "");
    b.click("#idr-failure .idr-retry").await;
    let note = b.wait_for("#password-note").await;
    assert!(
        note.text().await.unwrap().contains("Wpisz je ponownie"),
        "said plainly, in Polish"
    );
    let state = b
        .client
        .execute(
            "return [document.querySelector('#allow-insecure').checked, document.activeElement.id];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(state, serde_json::json!([true, "password"]));
    b.fill("#password", PASSWORD).await;
    b.run_diagnosis().await;
    b.wait_for("#idr-success").await;

    // With the password kept, the same button runs again at once.
    b.click("#keep-password").await;
    b.click("#allow-insecure").await;
    b.fill("#password", PASSWORD).await;
    b.run_diagnosis().await;
    b.wait_for("#idr-failure .idr-retry").await;
    assert_eq!(b.value("#password").await, PASSWORD, "kept as asked");
    b.click("#idr-failure .idr-retry").await;
    b.wait_for("#idr-success").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_port_is_named_on_a_phone_in_norwegian() {
    let h = Harness::start();
    let closed = free_port();
    let mut config = config_for(&h);
    config.static_dir = Some(dist());
    config.egress.ports.push(closed);
    let relay = Relay::start(config).await;
    let b = Browser::start("nb-NO", 390, 1400).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    b.fill_mailbox(&h, "127.0.0.1", PASSWORD).await;
    b.fill("#imap-port", &closed.to_string()).await;
    b.run_diagnosis().await;
    let card = b.wait_for("#idr-failure").await;
    assert_eq!(
        card.attr("data-category").await.unwrap().as_deref(),
        Some("imap_settings_incorrect")
    );
    assert_eq!(
        card.attr("data-cause").await.unwrap().as_deref(),
        Some("connection_refused")
    );
    assert!(card
        .text()
        .await
        .unwrap()
        .contains("IMAP-innstillingene er feil"));
    b.screenshot_of("closed-port-nb-phone", "#idr-failure")
        .await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn entering_the_address_prefills_the_domains_servers() {
    let h = Harness::start();
    let relay = relay_with_ui(&h).await;
    let body = format!(
        r#"{{"imap":{{"host":"127.0.0.1","port":{},"security":"tls"}},
            "smtp":{{"host":"127.0.0.1","port":{},"security":"starttls"}}}}"#,
        h.dovecot.imaps, h.dovecot.submission
    );
    let put = ureq::put(&relay.url("/api/domains/inbox-doctor.test")).set(
        "Authorization",
        &format!("Bearer {}", inbox_doctor_tests::relay::ADMIN_TOKEN),
    );
    assert_eq!(
        inbox_doctor_tests::relay::http(put, Some(body)).await.0,
        200
    );
    let b = Browser::start("en", 1200, 1400).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    b.fill("#email", EMAIL).await;
    b.click("#password").await; // leaving the address field looks the domain up
    b.wait_for(".idr-note").await;
    assert_eq!(b.value("#imap-port").await, h.dovecot.imaps.to_string());
    assert_eq!(b.value("#imap-security").await, "tls");
    assert_eq!(b.value("#smtp-security").await, "starttls");
    // Pre-filled settings are enough to run.
    b.fill("#password", PASSWORD).await;
    b.click("#run").await;
    b.wait_for("#idr-success").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_stored_settings_the_form_is_filled_from_discovery() {
    use inbox_doctor_tests::discovery::DnsServer;
    let h = Harness::start();
    let dns = DnsServer::start(&[(
        "inbox-doctor.test",
        &format!(
            "imap IN A 127.0.0.1\nsmtp IN A 127.0.0.1\n_imaps._tcp IN SRV 0 1 {} imap\n_submission._tcp IN SRV 0 1 {} smtp\n",
            h.dovecot.imaps, h.dovecot.submission
        ),
    )]);
    let mut config = config_for(&h);
    config.static_dir = Some(dist());
    config.engine.resolver = Some(dns.addr);
    let relay = Relay::start(config).await;
    let b = Browser::start("nb", 1200, 1400).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    b.fill("#email", EMAIL).await;
    b.click("#password").await;
    b.wait_for(".idr-note").await;
    // The SRV records' servers, confirmed by the relay, arrive after the instant answer.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while b.value("#imap-port").await != h.dovecot.imaps.to_string() {
        assert!(
            std::time::Instant::now() < deadline,
            "the IMAP port was never filled in"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(b.value("#imap-host").await, "imap.inbox-doctor.test");
    assert_eq!(b.value("#imap-security").await, "tls");
    assert_eq!(
        b.value("#smtp-port").await,
        h.dovecot.submission.to_string()
    );
    assert_eq!(b.value("#smtp-security").await, "starttls");
    assert!(
        b.text(".idr-note")
            .await
            .contains("innstillingene som ble funnet"),
        "{}",
        b.text(".idr-note").await
    );
    b.screenshot("discovered-settings").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_explains_bad_input_before_anything_is_sent() {
    let h = Harness::start();
    let relay = relay_with_ui(&h).await;
    let b = Browser::start("en", 1200, 1400).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    b.fill("#email", "not-an-address").await;
    b.fill("#imap-port", "99999").await;
    b.click("#run").await;
    assert!(b.text("#email-problem").await.contains("email address"));
    assert!(b.text("#password-problem").await.contains("password"));
    assert!(b.text("#imap-port-problem").await.contains("1 to 65535"));
    assert!(
        b.client
            .find(fantoccini::Locator::Css("li[data-step]"))
            .await
            .is_err(),
        "nothing ran"
    );
    b.screenshot("validation").await;
    b.close().await;
}

/// A help-center page on another origin embeds the widget with one snippet.
#[tokio::test(flavor = "multi_thread")]
async fn the_widget_runs_a_diagnosis_from_another_origin() {
    let h = Harness::start();
    // The host page, served from an origin of its own.
    let host = HostPage::start().await;
    let mut config = config_for(&h);
    config.static_dir = Some(dist());
    config.limits.allowed_origins = vec![host.origin()];
    let relay = Relay::start(config).await;
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../web/examples/embed.html"
    ))
    .unwrap()
    .replace("https://relay.example.com", &relay.url(""));
    host.set(page);

    let b = Browser::start("en", 1200, 1600).await;
    b.client.goto(&format!("{}/", host.origin())).await.unwrap();
    // The widget lives in a shadow root: reach into it as the page's own script would.
    let in_widget = |js: &str| {
        format!("const root = document.querySelector('[data-inbox-doctor]').shadowRoot; {js}")
    };
    let mut ready = false;
    for _ in 0..100 {
        let v = b
            .client
            .execute(
                &in_widget("return !!(root && root.querySelector('#run'));"),
                vec![],
            )
            .await
            .unwrap();
        if v == serde_json::Value::Bool(true) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the widget mounted");
    // The host page's styles do not leak in: the host paints headings red.
    let color = b
        .client
        .execute(
            &in_widget("return getComputedStyle(root.querySelector('h1')).color;"),
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(color, serde_json::json!("rgb(255, 0, 0)"));
    let set = |id: &str, value: &str| {
        in_widget(&format!(
            "const e = root.querySelector('#{id}'); e.value = {value:?}; e.dispatchEvent(new Event(e.tagName === 'SELECT' ? 'change' : 'input', {{bubbles: true}}));"
        ))
    };
    for (id, value) in [
        ("email", EMAIL.to_owned()),
        ("password", "wrong".to_owned()),
        ("imap-host", "127.0.0.1".to_owned()),
        ("imap-port", h.dovecot.imaps.to_string()),
        ("imap-security", "tls".to_owned()),
        ("smtp-host", "127.0.0.1".to_owned()),
        ("smtp-port", h.dovecot.submission.to_string()),
        ("smtp-security", "starttls".to_owned()),
    ] {
        b.client.execute(&set(id, &value), vec![]).await.unwrap();
    }
    b.client
        .execute(&in_widget("root.querySelector('#run').click();"), vec![])
        .await
        .unwrap();
    let mut category = serde_json::Value::Null;
    for _ in 0..300 {
        category = b.client.execute(&in_widget("const c = root.querySelector('#idr-failure'); return c ? c.dataset.category : null;"), vec![]).await.unwrap();
        if !category.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(category, serde_json::json!("unauthorized"));
    b.screenshot("widget-cross-origin").await;
    b.close().await;
}

/// Polls `js` (a script returning a value) until it returns `true`, for up to 10 s.
async fn until(b: &Browser, js: &str) -> bool {
    for _ in 0..100 {
        if b.client.execute(js, vec![]).await.unwrap() == serde_json::Value::Bool(true) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A relay with no mail server behind it: loopback targets on `closed` (nothing listens), the
/// page from `dist/` when `ui`.
fn bare_relay(dir: &tempfile::TempDir, name: &str, closed: u16, ui: bool) -> Config {
    let mut c = Config::default();
    c.domains.database = format!("sqlite://{}", dir.path().join(name).display());
    c.egress.allow_cidrs = vec!["127.0.0.0/8".parse().unwrap()];
    c.egress.ports.push(closed);
    if ui {
        c.static_dir = Some(dist());
    }
    c
}

/// Fills the form inside the widget mounted in `#id` for a mailbox on `port`, and runs it.
async fn run_in_widget(b: &Browser, id: &str, port: u16) {
    let in_widget =
        |js: &str| format!("const root = document.getElementById('{id}').shadowRoot; {js}");
    for (field, value) in [
        ("email", "alice@example.test".to_owned()),
        ("password", "secret".to_owned()),
        ("imap-host", "127.0.0.1".to_owned()),
        ("imap-port", port.to_string()),
        ("imap-security", "tls".to_owned()),
        ("smtp-host", "127.0.0.1".to_owned()),
        ("smtp-port", port.to_string()),
        ("smtp-security", "tls".to_owned()),
    ] {
        let set = in_widget(&format!(
            "const e = root.querySelector('#{field}'); e.value = {value:?}; e.dispatchEvent(new Event(e.tagName === 'SELECT' ? 'change' : 'input', {{bubbles: true}}));"
        ));
        b.client.execute(&set, vec![]).await.unwrap();
    }
    b.client
        .execute(&in_widget("root.querySelector('#run').click();"), vec![])
        .await
        .unwrap();
    assert!(
        until(
            b,
            &in_widget("return !!root.querySelector('#idr-failure');")
        )
        .await,
        "the run in #{id} ended with a failure card"
    );
}

/// A help center whose users may write `data-*` attributes: an element naming a relay on
/// another origin than widget.js gets no form (a password form in our look, sending to whoever
/// they named), not even one disguised with user information in the URL; the page's own
/// script can still choose that relay.
#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_relay_gets_a_widget_only_on_the_host_pages_word() {
    let dir = tempfile::tempdir().unwrap();
    let host = HostPage::start().await;
    let closed = free_port();
    let mut own = bare_relay(&dir, "own.db", closed, true);
    own.limits.allowed_origins = vec![host.origin()];
    let mut foreign = bare_relay(&dir, "foreign.db", closed, false);
    foreign.limits.allowed_origins = vec![host.origin()];
    let own = Relay::start(own).await;
    let foreign = Relay::start(foreign).await;
    let (own_url, foreign_url) = (own.url(""), foreign.url(""));
    host.set(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Help center</title>
<script>
  // What the widget warns about, kept for the test.
  window.warnings = [];
  const warn = console.warn.bind(console);
  console.warn = (...args) => {{ window.warnings.push(args.join(' ')); warn(...args); }};
</script></head>
<body>
  <div id="own" data-inbox-doctor data-relay="{own_url}/"></div>
  <div id="bare" data-inbox-doctor></div>
  <!-- Written by users of the help center: -->
  <div id="foreign" data-inbox-doctor data-relay="{foreign_url}"></div>
  <div id="disguised" data-inbox-doctor data-relay="{own_url}@{foreign_addr}"></div>
  <!-- The help center's own decision, in its own script: -->
  <div id="chosen"></div>
  <script type="module" src="{own_url}/widget.js"></script>
  <script type="module">
    import * as InboxDoctor from "{own_url}/widget.js";
    InboxDoctor.mount(document.getElementById("chosen"), {{ relay: "{foreign_url}" }});
  </script>
</body></html>"#,
        foreign_addr = foreign.addr
    ));

    let b = Browser::start("en", 1200, 1600).await;
    b.client.goto(&format!("{}/", host.origin())).await.unwrap();
    let mounted = |id: &str| {
        format!("const r = document.getElementById('{id}').shadowRoot; return !!(r && r.querySelector('#run'));")
    };
    for id in ["own", "bare", "chosen"] {
        assert!(until(&b, &mounted(id)).await, "#{id} has the widget");
    }
    for id in ["foreign", "disguised"] {
        let state = b
            .client
            .execute(
                &format!("const e = document.getElementById('{id}'); return [e.shadowRoot === null, e.childNodes.length, e.hasAttribute('data-mounted')];"),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            state,
            serde_json::json!([true, 0, false]),
            "#{id} stays empty"
        );
    }
    let warnings = b
        .client
        .execute("return window.warnings;", vec![])
        .await
        .unwrap();
    let warnings: Vec<String> = serde_json::from_value(warnings).unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .all(|w| w.contains("not mounted") && w.contains(&own_url)),
        "{warnings:?}"
    );
    b.screenshot("widget-foreign-relay").await;

    // The chosen widget runs on the relay the page's script named, and only there.
    run_in_widget(&b, "chosen", closed).await;
    assert!(
        foreign
            .metrics()
            .await
            .contains("inbox_doctor_runs_total 1\n"),
        "the foreign relay ran it"
    );
    assert!(own.metrics().await.contains("inbox_doctor_runs_total 0\n"));
    b.close().await;
}

/// The page starts, looks as it should and runs a diagnosis under its Content-Security-Policy
/// (no inline script, styles as a constructed sheet), with no violation reported meanwhile.
#[tokio::test(flavor = "multi_thread")]
async fn the_page_runs_under_its_content_security_policy() {
    let dir = tempfile::tempdir().unwrap();
    let closed = free_port();
    let relay = Relay::start(bare_relay(&dir, "d.db", closed, true)).await;
    let b = Browser::start("en", 1200, 1400).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    b.client
        .execute(
            "window.violations = []; document.addEventListener('securitypolicyviolation', e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));",
            vec![],
        )
        .await
        .unwrap();
    // The styles apply: the layout's width and the page's margin.
    let styled = b
        .client
        .execute(
            "return [getComputedStyle(document.querySelector('.idr')).maxWidth, getComputedStyle(document.body).marginTop];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(styled, serde_json::json!(["960px", "0px"]));
    b.fill("#email", "alice@example.test").await;
    b.fill("#password", "secret").await;
    b.fill("#imap-host", "127.0.0.1").await;
    b.fill("#imap-port", &closed.to_string()).await;
    b.select("#imap-security", "tls").await;
    b.fill("#smtp-host", "127.0.0.1").await;
    b.fill("#smtp-port", &closed.to_string()).await;
    b.select("#smtp-security", "tls").await;
    b.run_diagnosis().await;
    b.wait_for("#idr-failure").await;
    let violations = b
        .client
        .execute("return window.violations;", vec![])
        .await
        .unwrap();
    assert_eq!(violations, serde_json::json!([]));
    b.close().await;
}

/// A page the relay does not allow learns it when it loads: where the form would be, the widget
/// says why in its reader's language, and no password field is ever shown. Beside it, a widget
/// of a relay that allows the page shows its form as usual.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_the_relay_refuses_says_why_in_german_instead_of_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let host = HostPage::start().await;
    let closed = free_port();
    let mut own = bare_relay(&dir, "own.db", closed, true);
    own.limits.allowed_origins = vec![host.origin()];
    // This relay has not listed the help center.
    let other = bare_relay(&dir, "other.db", closed, false);
    let own = Relay::start(own).await;
    let other = Relay::start(other).await;
    host.set(format!(
        r#"<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Hilfe</title></head>
<body>
  <div id="own" data-inbox-doctor></div>
  <div id="other"></div>
  <script type="module">
    import * as InboxDoctor from "{own_url}/widget.js";
    InboxDoctor.mount(document.getElementById("other"), {{ relay: "{other_url}" }});
  </script>
</body></html>"#,
        own_url = own.url(""),
        other_url = other.url(""),
    ));

    let b = Browser::start("de-DE", 1200, 1600).await;
    b.client.goto(&format!("{}/", host.origin())).await.unwrap();
    let in_other = |js: &str| {
        format!("const root = document.getElementById('other').shadowRoot; if (!root) return null; {js}")
    };
    assert!(
        until(
            &b,
            &in_other("const c = root.querySelector('#idr-origin-refused'); return !!c && c.textContent.includes('Diese Website darf dieses Relay nicht verwenden');")
        )
        .await,
        "the refusal in German, without pressing anything"
    );
    let refused = b
        .client
        .execute(
            &in_other("return root.querySelector('#idr-origin-refused').textContent;"),
            vec![],
        )
        .await
        .unwrap();
    let refused = refused.as_str().unwrap_or_default();
    assert!(
        refused.contains("Auf dieser Seite können keine Prüfungen laufen"),
        "{refused}"
    );
    assert!(!refused.contains("origin_not_allowed"), "{refused}");
    let form = b
        .client
        .execute(
            &in_other("return [root.querySelectorAll('input[type=password]').length, !!root.querySelector('form'), !!root.querySelector('#run')];"),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(form, serde_json::json!([0, false, false]), "no form");
    // The relay that allows the page gives it the form.
    assert!(
        until(
            &b,
            "const r = document.getElementById('own').shadowRoot; return !!(r && r.querySelector('input[type=password]') && r.querySelector('#run'));"
        )
        .await,
        "#own has the form"
    );
    assert!(other
        .metrics()
        .await
        .contains("inbox_doctor_runs_total 0\n"));
    b.screenshot("widget-origin-refused-de").await;
    b.close().await;
}

/// A refusal that ends a run midway (its bound, while both sides wait on servers that never
/// answer) leaves no step waiting or running: what never finished is "not run".
#[tokio::test(flavor = "multi_thread")]
async fn a_run_the_relay_stops_leaves_no_step_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let hole = inbox_doctor_tests::net::BlackHole::new().await;
    let port = hole.addr.port();
    let mut config = bare_relay(&dir, "d.db", port, true);
    config.limits.run_timeout_secs = Some(2);
    let relay = Relay::start(config).await;
    let b = Browser::start("en", 1200, 1600).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    b.fill("#email", "alice@example.test").await;
    b.fill("#password", "secret").await;
    for side in ["imap", "smtp"] {
        b.fill(&format!("#{side}-host"), "127.0.0.1").await;
        b.fill(&format!("#{side}-port"), &port.to_string()).await;
        b.select(&format!("#{side}-security"), "tls").await;
    }
    b.click("#run").await;
    b.wait_for("li[data-step='imap.connect'][data-status='running']")
        .await;
    let refusal = b.wait_for("#idr-relay-error").await;
    let text = refusal.text().await.unwrap();
    assert!(
        text.contains("The check took too long and was stopped."),
        "{text}"
    );
    let rows = b
        .client
        .execute(
            "return [...document.querySelectorAll('li[data-step]')].map(li => [li.dataset.step, li.dataset.status, li.querySelector('.idr-step-state').textContent]);",
            vec![],
        )
        .await
        .unwrap();
    let rows: Vec<(String, String, String)> = serde_json::from_value(rows).unwrap();
    assert_eq!(rows.len(), 10, "{rows:?}");
    for (step, status, word) in &rows {
        match step.as_str() {
            "resolve" => assert_eq!(status, "passed", "an address needs no lookup"),
            _ => {
                assert_eq!(status, "stopped", "{step}: {rows:?}");
                assert_eq!(word, "not run", "{step}");
            }
        }
    }
    b.screenshot_of("run-stopped", ".idr-steps").await;
    b.close().await;
}

/// A run that passes with a warning (127.0.0.5 lets three sessions per user and address in;
/// the page asks for five) presents it as advice, not as something broken, with our words in
/// the reader's language and the server's own apart; each step shows one time, "< 1 ms" for
/// what took less than a millisecond.
#[tokio::test(flavor = "multi_thread")]
async fn a_passed_run_with_a_warning_shows_advice_in_polish_and_one_time_per_step() {
    let h = Harness::start();
    let relay = relay_with_ui(&h).await;
    let b = Browser::start("pl", 1200, 2200).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    b.fill_mailbox(&h, "127.0.0.5", PASSWORD).await;
    b.run_diagnosis().await;
    b.wait_for("#idr-success").await;
    let advice = b.wait_for("#idr-warnings").await;
    let class = advice.attr("class").await.unwrap().unwrap_or_default();
    assert!(class.contains("idr-advice"), "{class}");
    let text = advice.text().await.unwrap();
    for expected in [
        "Sugestie",
        "Skrzynka działa.",
        "Dozwolone jednoczesne sesje: 3 z 5.",
        "Odpowiedź serwera",
        "Maximum number of connections",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(!text.contains("simultaneous sessions allowed"), "{text}");
    b.screenshot_of("advice-pl", "#idr-warnings").await;

    // The report's times, as the steps show them.
    b.click("#download-report").await;
    let file = b.downloads.path().join("inbox-doctor-report.json");
    for _ in 0..50 {
        if file.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("the report")).unwrap();
    let mut under_a_millisecond = 0;
    for step in report["steps"].as_array().unwrap() {
        let id = step["step"].as_str().unwrap();
        let ms = step["elapsed_ms"].as_u64().unwrap();
        let row = format!("li[data-step='{id}']");
        let expected = match ms {
            0 => {
                under_a_millisecond += 1;
                "< 1 ms".to_owned()
            }
            ms => format!("{ms} ms"),
        };
        assert_eq!(
            b.text(&format!("{row} .idr-step-time")).await,
            expected,
            "{id}"
        );
        let whole = b.text(&row).await;
        assert_eq!(whole.matches(" ms").count(), 1, "one time on {id}: {whole}");
    }
    assert!(
        under_a_millisecond > 0,
        "a step under a millisecond (resolving an address): {report}"
    );
    assert_eq!(
        b.attr("li[data-step='roundtrip']", "data-status")
            .await
            .as_deref(),
        Some("passed")
    );
    b.close().await;
}

/// Loading the page and typing an address whose domain has no stored settings put no error
/// in the console (the lookup's "none stored" is a 204, not a 404), and the page has its icon.
#[tokio::test(flavor = "multi_thread")]
async fn loading_the_page_and_typing_an_address_log_no_errors() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(bare_relay(&dir, "d.db", free_port(), true)).await;
    let b = Browser::start("en", 1200, 1400).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    // The reader works: an error of our own is there to be found.
    b.client
        .execute("console.error('probe');", vec![])
        .await
        .unwrap();
    b.fill("#email", "alice@example.test").await;
    b.click("#password").await; // leaving the field looks the domain up
    assert!(
        until(
            &b,
            "return performance.getEntriesByType('resource').some(e => e.name.includes('/api/discover') && e.name.includes('offline=true') && e.responseEnd > 0);"
        )
        .await,
        "the domain was looked up"
    );
    let statuses = b
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => [new URL(e.name).pathname, e.responseStatus]);",
            vec![],
        )
        .await
        .unwrap();
    let statuses: Vec<(String, u16)> = serde_json::from_value(statuses).unwrap();
    assert!(
        statuses.contains(&("/api/domains/example.test".to_owned(), 204)),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|(_, status)| *status < 400),
        "{statuses:?}"
    );
    let severe: Vec<String> = b
        .console()
        .await
        .into_iter()
        .filter(|(level, _)| level == "SEVERE")
        .map(|(_, message)| message)
        .collect();
    assert_eq!(severe.len(), 1, "only the probe: {severe:?}");
    assert!(severe[0].contains("probe"), "{severe:?}");

    // The icon: linked from the page, served under its policy.
    let icon = b
        .client
        .execute(
            "const l = document.querySelector('link[rel=icon]'); return fetch(l.href).then(r => [new URL(l.href).pathname, r.status, r.headers.get('content-type')]);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        icon,
        serde_json::json!(["/favicon.svg", 200, "image/svg+xml"])
    );
    let (status, svg) = inbox_doctor_tests::relay::http_get(&relay.url("/favicon.svg")).await;
    assert_eq!(status, 200);
    assert!(svg.starts_with("<svg"), "{svg}");
    b.close().await;
}

/// axe-core (from npm) finds no accessibility violations in `lang` on the empty form, a
/// failure card (a wrong password), a success (the good mailbox) and a running diagnosis (the
/// steps list live, its IMAP side waiting on a server that never answers).
/// `dark`: the reader prefers dark colours (the page's other palette).
async fn axe_finds_nothing_in(lang: &str, html_lang: &str, dark: bool) {
    let h = Harness::start();
    let hole = inbox_doctor_tests::net::BlackHole::new().await;
    let mut config = config_for(&h);
    config.static_dir = Some(dist());
    config.egress.ports.push(hole.addr.port());
    let relay = Relay::start(config).await;
    let flags: &[&str] = if dark { &["--force-dark-mode"] } else { &[] };
    let b = Browser::start_with(lang, 1200, 1600, flags).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    let scheme = b
        .client
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(scheme, serde_json::json!(dark), "dark colours: {dark}");
    assert_eq!(
        b.attr(".idr", "lang").await.as_deref(),
        Some(html_lang),
        "the page speaks {lang}"
    );
    let mut found = Vec::new();
    let mut audit = async |state: &str| {
        for v in b.axe_violations().await {
            found.push(format!("[{lang}, {state}] {v}"));
        }
    };
    audit("the empty form").await;

    b.fill_mailbox(&h, "127.0.0.1", "falsch").await;
    b.run_diagnosis().await;
    b.wait_for("#idr-failure").await;
    audit("a failure").await;

    b.wait_for("#run:enabled").await;
    b.fill("#password", PASSWORD).await;
    b.run_diagnosis().await;
    b.wait_for("#idr-success").await;
    audit("a success").await;

    b.wait_for("#run:enabled").await;
    b.fill("#password", PASSWORD).await;
    b.fill("#imap-port", &hole.addr.port().to_string()).await;
    b.click("#run").await;
    b.wait_for("li[data-step='imap.connect'][data-status='running']")
        .await;
    audit("a running diagnosis").await;
    b.close().await;
    assert!(found.is_empty(), "axe-core:\n{}", found.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_no_violations_in_german() {
    axe_finds_nothing_in("de-DE", "de", false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_no_violations_in_polish() {
    axe_finds_nothing_in("pl", "pl", false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_no_violations_in_polish_in_dark_colours() {
    axe_finds_nothing_in("pl", "pl", true).await;
}

/// The Content-Security-Policy the README's "Embed the widget" section gives a help center for
/// the relay at `relay` (its origin), with `trusted_types` (the host's `trusted-types`
/// directive, if any).
fn host_csp(relay: &str, trusted_types: &str) -> String {
    let socket = relay.replacen("http", "ws", 1);
    format!(
        "default-src 'none'; script-src {relay} 'wasm-unsafe-eval'; connect-src {relay} {socket}; \
         base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'; {trusted_types}"
    )
}

/// A host page with nothing but the widget for `relay`: no inline style or script, which a
/// strict policy refuses.
fn bare_host_page(relay: &str, lang: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>Help</title></head>\
         <body><h1>Help</h1><div data-inbox-doctor data-relay=\"{relay}\" data-lang=\"{lang}\"></div>\
         <script type=\"module\" src=\"{relay}/widget.js\"></script></body></html>"
    )
}

/// What the console said about the page's policy (refused loads, styles, Trusted Types).
async fn policy_complaints(b: &Browser) -> Vec<String> {
    b.console()
        .await
        .into_iter()
        .map(|(_, message)| message)
        .filter(|m| {
            m.contains("Content Security Policy")
                || m.contains("Refused to")
                || m.contains("Trusted")
        })
        .collect()
}

/// A help center that sends exactly the README's strict Content-Security-Policy (Trusted Types
/// enforced, the policy `inbox-doctor` allowed by name, no inline style) gets the widget and a
/// diagnosis against the real mail server, and the browser reports no violation of its policy.
#[tokio::test(flavor = "multi_thread")]
async fn the_widget_runs_on_a_host_page_with_the_readmes_strict_csp() {
    let h = Harness::start();
    let host = HostPage::start().await;
    let mut config = config_for(&h);
    config.static_dir = Some(dist());
    config.limits.allowed_origins = vec![host.origin()];
    let relay = Relay::start(config).await;
    let origin = relay.url("");
    let origin = origin.trim_end_matches('/');
    host.set_header(
        "content-security-policy",
        &host_csp(origin, "trusted-types inbox-doctor"),
    );
    host.set(bare_host_page(origin, "en"));

    let b = Browser::start("en", 1200, 1600).await;
    b.client.goto(&format!("{}/", host.origin())).await.unwrap();
    let in_widget = |js: &str| {
        format!("const root = document.querySelector('[data-inbox-doctor]').shadowRoot; {js}")
    };
    let mounted = until(
        &b,
        &in_widget("return !!(root && root.querySelector('#run'));"),
    )
    .await;
    assert!(
        mounted,
        "the widget mounted; the console said: {:?}",
        b.console().await
    );
    b.client
        .execute(
            "window.violations = []; document.addEventListener('securitypolicyviolation', e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));",
            vec![],
        )
        .await
        .unwrap();
    // The styles apply (a constructed sheet, which no style-src governs).
    let styled = b
        .client
        .execute(
            &in_widget("return getComputedStyle(root.querySelector('.idr')).maxWidth;"),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(styled, serde_json::json!("960px"));
    let set = |id: &str, value: &str| {
        in_widget(&format!(
            "const e = root.querySelector('#{id}'); e.value = {value:?}; e.dispatchEvent(new Event(e.tagName === 'SELECT' ? 'change' : 'input', {{bubbles: true}}));"
        ))
    };
    for (id, value) in [
        ("email", EMAIL.to_owned()),
        ("password", PASSWORD.to_owned()),
        ("imap-host", "127.0.0.1".to_owned()),
        ("imap-port", h.dovecot.imaps.to_string()),
        ("imap-security", "tls".to_owned()),
        ("smtp-host", "127.0.0.1".to_owned()),
        ("smtp-port", h.dovecot.submission.to_string()),
        ("smtp-security", "starttls".to_owned()),
    ] {
        b.client.execute(&set(id, &value), vec![]).await.unwrap();
    }
    b.client
        .execute(&in_widget("root.querySelector('#run').click();"), vec![])
        .await
        .unwrap();
    // The run ends, and its result is rendered (Leptos fills its templates through the policy).
    let mut ended = false;
    for _ in 0..300 {
        let v = b
            .client
            .execute(
                &in_widget(
                    "return !!(root.querySelector('#idr-failure') || root.querySelector('#idr-success'));",
                ),
                vec![],
            )
            .await
            .unwrap();
        if v == serde_json::Value::Bool(true) {
            ended = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.screenshot("widget-strict-csp").await;
    assert!(ended, "the diagnosis ended with a result");
    let failure = b
        .client
        .execute(
            &in_widget(
                "const c = root.querySelector('#idr-failure'); return c ? c.textContent : null;",
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(failure, serde_json::Value::Null, "the good mailbox passed");
    let success = b
        .client
        .execute(
            &in_widget("return root.querySelector('#idr-success').textContent;"),
            vec![],
        )
        .await
        .unwrap();
    assert!(
        success.as_str().unwrap_or("").contains("Everything works"),
        "{success}"
    );
    let violations = b
        .client
        .execute("return window.violations;", vec![])
        .await
        .unwrap();
    assert_eq!(violations, serde_json::json!([]));
    assert_eq!(policy_complaints(&b).await, Vec::<String>::new());
    b.close().await;
}

/// Trusted Types: a host page that enforces them without naming policies gets the widget (its
/// policy `inbox-doctor` may be created); one that allows only its own policies gets a clear
/// message in the element and in the console instead of an empty box.
#[tokio::test(flavor = "multi_thread")]
async fn trusted_types_either_mount_the_widget_or_say_why_not() {
    let h = Harness::start();
    let open = HostPage::start().await;
    let closed = HostPage::start().await;
    let mut config = config_for(&h);
    config.static_dir = Some(dist());
    config.limits.allowed_origins = vec![open.origin(), closed.origin()];
    let relay = Relay::start(config).await;
    let origin = relay.url("");
    let origin = origin.trim_end_matches('/');
    open.set_header("content-security-policy", &host_csp(origin, ""));
    open.set(bare_host_page(origin, "en"));
    closed.set_header(
        "content-security-policy",
        &host_csp(origin, "trusted-types help-center"),
    );
    closed.set(bare_host_page(origin, "pl"));

    let b = Browser::start("en", 1200, 1200).await;
    let in_widget = |js: &str| {
        format!("const root = document.querySelector('[data-inbox-doctor]').shadowRoot; {js}")
    };
    b.client.goto(&format!("{}/", open.origin())).await.unwrap();
    assert!(
        until(
            &b,
            &in_widget("return !!(root && root.querySelector('#run'));")
        )
        .await,
        "the widget mounted under require-trusted-types-for alone: {:?}",
        b.console().await
    );
    assert_eq!(policy_complaints(&b).await, Vec::<String>::new());

    // A Polish help center: the refusal is said in Polish once the words are in.
    b.client
        .goto(&format!("{}/", closed.origin()))
        .await
        .unwrap();
    assert!(
        until(
            &b,
            &in_widget("const p = root && root.querySelector('#idr-trusted-types-refused'); return !!(p && p.closest('[lang=pl]'));")
        )
        .await,
        "the element says why, in Polish"
    );
    let said = b
        .client
        .execute(
            &in_widget("return [root.querySelector('#idr-trusted-types-refused').textContent, !!root.querySelector('#run'), !!root.querySelector('input')];"),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        said,
        serde_json::json!([
            inbox_doctor_errors::text::label(Label::TrustedTypesRefused, Lang::Pl),
            false,
            false
        ])
    );
    let console: Vec<String> = b.console().await.into_iter().map(|(_, m)| m).collect();
    assert!(
        console
            .iter()
            .any(|m| m.contains("not mounted") && m.contains("trusted-types inbox-doctor")),
        "{console:?}"
    );
    b.screenshot("widget-trusted-types-refused").await;
    b.close().await;
}

/// A relay with the page, the OAuth servers allowed and the harness's authorization server as
/// provider `harness`, its sign-in coming back to the relay's page; the provider grants
/// `consent` to whoever signs in.
async fn relay_with_sign_in(
    h: &Harness,
    m: &inbox_doctor_tests::oauth::OauthMail,
    consent: inbox_doctor_tests::authz::Grant,
) -> Relay {
    Relay::start_at(|addr| {
        let page = format!("http://{addr}/");
        m.auth.consent(consent, std::slice::from_ref(&page));
        let mut config = config_for(h);
        config.static_dir = Some(dist());
        config.egress.ports.extend([m.imaps, m.submission]);
        config.limits.failed_logins_per_account = 100;
        config
            .oauth
            .providers
            .insert("harness".into(), m.provider(&[page]));
        config
    })
    .await
}

/// Fills in the OAuth servers (IMAPS, submission with STARTTLS) for the harness's mailbox.
async fn fill_oauth_servers(b: &Browser, m: &inbox_doctor_tests::oauth::OauthMail) {
    b.fill("#email", EMAIL).await;
    b.fill("#imap-host", "127.0.0.1").await;
    b.fill("#imap-port", &m.imaps.to_string()).await;
    b.select("#imap-security", "tls").await;
    b.fill("#smtp-host", "127.0.0.1").await;
    b.fill("#smtp-port", &m.submission.to_string()).await;
    b.select("#smtp-security", "starttls").await;
}

/// A mailbox that takes only OAuth: the password is refused as "password login switched off",
/// the failure card offers the configured sign-in, the browser goes to the (harness's)
/// provider and back, and the run with the token passes.
#[tokio::test(flavor = "multi_thread")]
async fn a_mailbox_without_passwords_is_checked_after_signing_in_with_its_provider() {
    use inbox_doctor_tests::authz::Grant;
    use inbox_doctor_tests::oauth::OauthMail;
    let h = Harness::start();
    let m = OauthMail::start(&h);
    let relay = relay_with_sign_in(&h, &m, Grant::good(EMAIL)).await;
    let b = Browser::start("en-US", 1200, 1800).await;
    b.client.goto(&relay.url("/")).await.unwrap();
    b.wait_for("#run").await;
    fill_oauth_servers(&b, &m).await;
    b.fill("#password", "an old password").await;
    b.click("#run").await;
    b.wait_for("#idr-failure").await;
    assert_eq!(
        b.attr("#idr-failure", "data-cause").await.as_deref(),
        Some("basic_auth_disabled")
    );
    b.screenshot_of("password-login-off", "#idr-failure").await;
    let offer = b.text("#idr-failure .idr-signin").await;
    assert!(offer.contains("Sign in with Harness IdP"), "{offer}");
    // The offers (under the password and on the card) pass axe as the rest of the page does.
    let violations = b.axe_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");

    // To the provider and back: the form as it was, signed in, the address bar clean.
    b.click("#card-signin-harness").await;
    b.wait_for("#signed-in").await;
    assert!(b
        .text("#signed-in")
        .await
        .contains("Signed in with Harness IdP"));
    assert_eq!(b.value("#email").await, EMAIL);
    assert_eq!(b.value("#imap-port").await, m.imaps.to_string());
    let url = b.client.current_url().await.unwrap();
    assert_eq!(url.query(), None, "the code left the address bar: {url}");
    // The test email goes to the harness's other mailbox server: no round trip here.
    b.click("#roundtrip").await;
    b.click("#run").await;
    b.wait_for("#idr-success").await;
    assert_eq!(
        b.attr("li[data-step='smtp.send']", "data-status")
            .await
            .as_deref(),
        Some("passed")
    );
    b.screenshot("signed-in-passed").await;

    // A sign-in that comes back with another state is refused, and says so.
    b.client
        .goto(&relay.url("/?code=stolen&state=not-ours"))
        .await
        .unwrap();
    b.wait_for("#signin-failed").await;
    assert!(b.text("#signin-failed").await.contains("did not complete"));
    b.close().await;
}

/// The widget on a help center's page signs in too: the provider sends the browser back to
/// the host page, where the widget goes on with the form as it was.
#[tokio::test(flavor = "multi_thread")]
async fn the_widget_signs_in_on_the_host_page_and_runs_with_the_token() {
    use inbox_doctor_tests::authz::Grant;
    use inbox_doctor_tests::oauth::OauthMail;
    let h = Harness::start();
    let m = OauthMail::start(&h);
    let host = HostPage::start().await;
    let back = format!("{}/", host.origin());
    m.auth
        .consent(Grant::good(EMAIL), std::slice::from_ref(&back));
    let mut config = config_for(&h);
    config.static_dir = Some(dist());
    config.limits.allowed_origins = vec![host.origin()];
    config.egress.ports.extend([m.imaps, m.submission]);
    config
        .oauth
        .providers
        .insert("harness".into(), m.provider(std::slice::from_ref(&back)));
    let relay = Relay::start(config).await;
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../web/examples/embed.html"
    ))
    .unwrap()
    .replace("https://relay.example.com", &relay.url(""));
    host.set(page);

    let b = Browser::start("en", 1200, 1600).await;
    b.client.goto(&back).await.unwrap();
    let in_widget = |js: &str| {
        format!("const el = document.querySelector('[data-inbox-doctor]'); const root = el && el.shadowRoot; {js}")
    };
    // Polls `js` through page loads (the browser goes to the provider and back meanwhile).
    let settled = |js: String| {
        let b = &b;
        async move {
            for _ in 0..300 {
                if let Ok(serde_json::Value::Bool(true)) = b.client.execute(&js, vec![]).await {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            false
        }
    };
    assert!(
        settled(in_widget("return !!(root && root.querySelector('#run'));")).await,
        "the widget mounted"
    );
    let set = |id: &str, value: &str| {
        in_widget(&format!(
            "const e = root.querySelector('#{id}'); e.value = {value:?}; e.dispatchEvent(new Event(e.tagName === 'SELECT' ? 'change' : 'input', {{bubbles: true}}));"
        ))
    };
    for (id, value) in [
        ("email", EMAIL.to_owned()),
        ("imap-host", "127.0.0.1".to_owned()),
        ("imap-port", m.imaps.to_string()),
        ("imap-security", "tls".to_owned()),
        ("smtp-host", "127.0.0.1".to_owned()),
        ("smtp-port", m.submission.to_string()),
        ("smtp-security", "starttls".to_owned()),
    ] {
        b.client.execute(&set(id, &value), vec![]).await.unwrap();
    }
    // Signing in from under the password field, before any run.
    b.client
        .execute(
            &in_widget("root.querySelector('#signin-harness').click();"),
            vec![],
        )
        .await
        .unwrap();
    assert!(
        settled(in_widget(
            "return !!(root && root.querySelector('#signed-in'));"
        ))
        .await,
        "back on the host page, signed in"
    );
    let port = b
        .client
        .execute(
            &in_widget("return root.querySelector('#imap-port').value;"),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        port,
        serde_json::json!(m.imaps.to_string()),
        "the form as it was"
    );
    b.client
        .execute(
            &in_widget(
                "root.querySelector('#roundtrip').click(); root.querySelector('#run').click();",
            ),
            vec![],
        )
        .await
        .unwrap();
    assert!(
        settled(in_widget("return !!root.querySelector('#idr-success');")).await,
        "the run with the token passed in the widget"
    );
    b.screenshot("widget-signed-in").await;
    b.close().await;
}

/// Each broken token a sign-in can give is named on its card, in the page as on the command
/// line: expired, another user's, another resource's, without the SMTP scope, revoked.
#[tokio::test(flavor = "multi_thread")]
async fn each_broken_sign_in_has_its_own_card() {
    use inbox_doctor_tests::authz::Grant;
    use inbox_doctor_tests::oauth::OauthMail;
    let h = Harness::start();
    let m = OauthMail::start(&h);
    let relay = relay_with_sign_in(&h, &m, Grant::good(EMAIL)).await;
    let page = relay.url("/");
    let b = Browser::start("en-US", 1200, 1800).await;
    for (grant, step, cause) in Grant::broken(EMAIL) {
        m.auth.consent(grant, std::slice::from_ref(&page));
        b.client.goto(&page).await.unwrap();
        b.wait_for("#signin-harness").await;
        fill_oauth_servers(&b, &m).await;
        b.click("#signin-harness").await;
        b.wait_for("#signed-in").await;
        b.click("#roundtrip").await;
        b.click("#run").await;
        b.wait_for("#idr-failure").await;
        assert_eq!(
            b.attr("#idr-failure", "data-cause").await.as_deref(),
            Some(cause),
            "{step}: {}",
            b.text(".idr").await
        );
        assert_eq!(
            b.attr(&format!("li[data-step='{step}']"), "data-status")
                .await
                .as_deref(),
            Some("failed"),
            "{cause}"
        );
        // The card offers a fresh sign-in.
        assert!(b
            .text("#idr-failure .idr-signin")
            .await
            .contains("Sign in with Harness IdP"));
    }
    b.screenshot_of("token-refused", "#idr-failure").await;
    b.close().await;
}

/// The administrators' view against the harness's real servers: a good change saved with its
/// diff, a broken one refused in a diagnosis's words and then stored only through "Save
/// anyway", the history with what the override stored past, and a restore.
#[tokio::test(flavor = "multi_thread")]
async fn the_admin_view_checks_saves_forces_and_restores() {
    let h = Harness::start();
    let closed = free_port();
    let mut config = config_for(&h);
    config.static_dir = Some(dist());
    config.egress.ports.push(closed);
    let relay = Relay::start(config).await;
    let b = Browser::start("en-US", 1200, 2000).await;
    b.client.goto(&relay.url("/#admin")).await.unwrap();
    b.wait_for("#admin-token").await;
    // A wrong token is refused, and says so.
    b.fill("#admin-token", "not-the-token-0000").await;
    b.click("#admin-enter").await;
    b.wait_for("#admin-refused").await;
    b.fill("#admin-token", inbox_doctor_tests::relay::ADMIN_TOKEN)
        .await;
    b.click("#admin-enter").await;
    b.wait_for("#admin-add").await;
    assert!(b
        .text("#admin-egress")
        .await
        .contains("The relay's addresses"));

    // A good change: saved, every field new.
    b.click("#admin-add").await;
    b.fill("#admin-domain", "inbox-doctor.test").await;
    b.fill("#imap-host", "127.0.0.1").await;
    b.fill("#imap-port", &h.dovecot.imaps.to_string()).await;
    b.select("#imap-security", "tls").await;
    b.fill("#smtp-host", "127.0.0.1").await;
    b.fill("#smtp-port", &h.dovecot.submission.to_string())
        .await;
    b.select("#smtp-security", "starttls").await;
    b.click("#admin-save").await;
    b.wait_for("#admin-status").await;
    assert_eq!(b.text("#admin-status").await, "Saved.");
    b.wait_for("li[data-domain='inbox-doctor.test']").await;
    let violations = b.axe_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");

    // A broken one: refused, named as a diagnosis names it, with its diff.
    b.click("li[data-domain='inbox-doctor.test'] .idr-edit")
        .await;
    b.fill("#imap-port", &closed.to_string()).await;
    b.click("#admin-save").await;
    b.wait_for("#admin-force").await;
    assert!(b.text("#admin-status").await.contains("Not saved"));
    assert_eq!(
        b.attr("#admin-outcome li[data-side='imap']", "data-cause")
            .await
            .as_deref(),
        Some("connection_refused")
    );
    assert!(b
        .text("#admin-outcome li[data-side='imap']")
        .await
        .contains("Connection refused"));
    let diff = b.text("#admin-diff tr[data-field='imap.port']").await;
    assert!(diff.contains(&closed.to_string()), "{diff}");
    b.screenshot_of("admin-refused", "#admin-outcome").await;
    let violations = b.axe_violations().await;
    assert!(violations.is_empty(), "the refused change: {violations:#?}");
    // Stored only on purpose.
    b.click("#admin-force").await;
    assert!(until(&b, "return (document.querySelector('#admin-status')||{}).textContent.includes('Saved although');").await);

    // The history, newest first, says what the override stored past; the first version back.
    b.click("li[data-domain='inbox-doctor.test'] .idr-history")
        .await;
    b.wait_for("#admin-history").await;
    let history = b.text("#admin-history").await;
    assert!(history.contains("imap: connection_refused"), "{history}");
    let violations = b.axe_violations().await;
    assert!(violations.is_empty(), "the history: {violations:#?}");
    b.click("#admin-history li:last-child .idr-restore").await;
    assert!(
        until(
            &b,
            "return (document.querySelector('#admin-status')||{}).textContent === 'Saved.';"
        )
        .await
    );
    let (_, stored) =
        inbox_doctor_tests::relay::http_get(&relay.url("/api/domains/inbox-doctor.test")).await;
    assert!(
        stored.contains(&format!("\"port\":{}", h.dovecot.imaps)),
        "{stored}"
    );
    b.screenshot("admin-view").await;
    b.close().await;
}
