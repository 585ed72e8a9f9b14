//! The relay against other people's pages in a visitor's browser, each attack played over real
//! HTTP and a real WebSocket against the real relay: a page on another origin reading its
//! responses (CORS), a page on a name pointed at the relay's address (DNS rebinding: the `Host`
//! it sends), a page framing ours (the page's Content-Security-Policy), and a configuration
//! that would write a stranger's text into that policy. The widget's mounting rule is played
//! in Chromium (`browser.rs`).

use inbox_doctor::config::Config;
use inbox_doctor_errors::{ErrorCode, ServerMessage};
use inbox_doctor_tests::relay::{http_reply, Relay, Reply};

const HELP_CENTER: &str = "https://help.example.com";

/// A relay with its database in `dir` and `dir/ui` as its page (an index and a widget.js).
fn config(dir: &tempfile::TempDir) -> Config {
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html><title>page</title>").unwrap();
    std::fs::write(ui.join("widget.js"), "export {};\n").unwrap();
    let mut c = Config::default();
    c.domains.database = format!("sqlite://{}", dir.path().join("d.db").display());
    c.static_dir = Some(ui);
    c.limits.allowed_origins = vec![HELP_CENTER.into()];
    c
}

async fn get(relay: &Relay, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = ureq::get(&relay.url(path));
    for (name, value) in headers {
        request = request.set(name, value);
    }
    http_reply(request).await
}

/// The first `error` message a socket opened with `headers` receives, if any.
async fn socket_refusal(relay: &Relay, headers: &[(&str, &str)]) -> Option<ErrorCode> {
    let mut socket = relay.socket(headers).await;
    // Something to answer to, for a socket that is admitted.
    socket.send_text("{\"start\":").await;
    socket.all().await.into_iter().find_map(|m| match m {
        ServerMessage::Error(e) => Some(e.code),
        _ => None,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_relay_and_listed_origins_may_read_its_responses() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(config(&dir)).await;
    let own = format!("http://{}", relay.addr);
    for path in ["/widget.js", "/api/domains/example.com", "/api/egress-ips"] {
        // A page elsewhere: the request is answered (a browser sends it anyway), but the page
        // is not let read the answer.
        let evil = get(&relay, path, &[("origin", "https://evil.example")]).await;
        assert!(evil.status < 300, "{path}: {}", evil.status);
        assert_eq!(
            evil.header("access-control-allow-origin"),
            None,
            "{path} to evil.example"
        );
        for allowed in [HELP_CENTER, own.as_str()] {
            let r = get(&relay, path, &[("origin", allowed)]).await;
            assert_eq!(
                r.header("access-control-allow-origin"),
                Some(allowed),
                "{path} to {allowed}"
            );
            assert!(
                r.header("vary").is_some_and(|v| v.contains("origin")),
                "{path}: caches keep answers per origin"
            );
        }
    }
    // Look-alikes of the listed origin get nothing either.
    for lookalike in [
        "http://help.example.com",
        "https://help.example.com.evil.example",
        "https://help.example.com:8443",
        "null",
    ] {
        let r = get(&relay, "/widget.js", &[("origin", lookalike)]).await;
        assert_eq!(r.header("access-control-allow-origin"), None, "{lookalike}");
    }
    // What any page may read: whether it may use the relay, and the words to say why not.
    for (origin, allowed) in [
        ("https://evil.example", false),
        ("http://help.example.com", false),
        (HELP_CENTER, true),
        (own.as_str(), true),
    ] {
        let r = get(&relay, "/api/info", &[("origin", origin)]).await;
        assert_eq!(r.header("access-control-allow-origin"), Some(origin));
        let info: inbox_doctor_errors::RelayInfo = serde_json::from_str(&r.body).unwrap();
        assert_eq!(info.origin_allowed, allowed, "{origin}");
        let texts = get(&relay, "/api/texts/de", &[("origin", origin)]).await;
        assert_eq!(texts.header("access-control-allow-origin"), Some(origin));
    }
    let info = get(&relay, "/api/info", &[]).await;
    assert!(
        info.body.contains("\"origin_allowed\":true"),
        "no Origin: not a cross-origin page"
    );
    // A preflight from elsewhere is granted nothing; a listed origin may only GET.
    let preflight = |origin: &str, method: &str| {
        ureq::request("OPTIONS", &relay.url("/api/domains/example.com"))
            .set("origin", origin)
            .set("access-control-request-method", method)
    };
    let evil = http_reply(preflight("https://evil.example", "GET")).await;
    assert_eq!(evil.header("access-control-allow-origin"), None);
    let put = http_reply(preflight(HELP_CENTER, "PUT")).await;
    assert!(
        !put.header("access-control-allow-methods")
            .unwrap_or_default()
            .contains("PUT"),
        "a foreign page cannot send the admin token with a change"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rebound_name_is_refused_on_the_api_and_the_socket() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(config(&dir)).await;
    let port = relay.addr.port();
    // What a page at evil.example:PORT sends once its name points at the relay's address.
    let rebound = format!("evil.example:{port}");
    let rebound_origin = format!("http://{rebound}");
    for path in [
        "/api/info",
        "/api/domains",
        "/api/egress-ips",
        "/api/texts/en",
    ] {
        let r = get(
            &relay,
            path,
            &[("host", &rebound), ("origin", &rebound_origin)],
        )
        .await;
        assert_eq!(r.status, 421, "{path}");
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["code"], "host_not_allowed", "{path}: {}", r.body);
    }
    assert_eq!(
        socket_refusal(&relay, &[("host", &rebound), ("origin", &rebound_origin)]).await,
        Some(ErrorCode::HostNotAllowed)
    );
    // Without an Origin (not a browser) the name is still checked.
    assert_eq!(
        socket_refusal(&relay, &[("host", &rebound)]).await,
        Some(ErrorCode::HostNotAllowed)
    );

    // The relay's own names work: its address and the loopback names on its port.
    for host in [
        relay.addr.to_string(),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
    ] {
        let r = get(&relay, "/api/info", &[("host", &host)]).await;
        assert_eq!(r.status, 200, "{host}: {}", r.body);
        let origin = format!("http://{host}");
        assert_eq!(
            socket_refusal(&relay, &[("host", &host), ("origin", &origin)]).await,
            Some(ErrorCode::BadMessage),
            "{host}: admitted, then the bad frame is what is refused"
        );
    }
    // The same name on another port is another origin.
    let r = get(&relay, "/api/info", &[("host", "localhost:1")]).await;
    assert_eq!(r.status, 421);

    let metrics = relay.metrics().await;
    assert!(
        metrics.contains("inbox_doctor_refusals_total{reason=\"host_not_allowed\"} 7"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn configured_public_hosts_replace_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(&dir);
    c.limits.public_hosts = vec!["relay.example.com".into()];
    let relay = Relay::start(c).await;
    let port = relay.addr.port();
    for (host, status) in [
        ("relay.example.com".to_owned(), 200),
        (format!("relay.example.com:{port}"), 200),
        (relay.addr.to_string(), 421),
        (format!("evil.example:{port}"), 421),
    ] {
        let r = get(&relay, "/api/info", &[("host", &host)]).await;
        assert_eq!(r.status, status, "{host}");
    }
    assert_eq!(
        socket_refusal(&relay, &[("host", "relay.example.com")]).await,
        Some(ErrorCode::BadMessage)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_says_what_a_browser_may_do_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(config(&dir)).await;
    let host = relay.addr.to_string();
    for path in ["/", "/widget.js", "/missing.js"] {
        let r = get(&relay, path, &[]).await;
        let csp = r
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{path} has a policy"));
        for directive in [
            "default-src 'none'",
            "script-src 'self' 'wasm-unsafe-eval';",
            &format!("connect-src 'self' ws://{host} wss://{host};"),
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self' https://help.example.com",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    }
    // On a name the relay does not serve, the socket is 'self' only.
    let r = get(&relay, "/", &[("host", "evil.example")]).await;
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.contains("connect-src 'self';") && !csp.contains("evil"),
        "{csp}"
    );

    // Without listed origins, only the relay's own pages may frame it.
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(&dir);
    c.limits.allowed_origins.clear();
    let relay = Relay::start(c).await;
    let csp = get(&relay, "/", &[]).await;
    let csp = csp.header("content-security-policy").unwrap();
    assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");

    // The page built into the binary gets the same headers.
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(&dir);
    c.static_dir = None;
    let relay = Relay::start(c).await;
    let r = get(&relay, "/", &[]).await;
    assert!(r
        .header("content-security-policy")
        .is_some_and(|c| c.contains("frame-ancestors 'self' https://help.example.com")));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
}

/// Names and origins end up in response headers: an entry that is not a plain host or origin
/// (here, one that would add a directive to the page's policy) stops the relay from starting.
#[test]
fn a_configuration_cannot_write_into_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    for (setting, value, named) in [
        (
            "allowed_origins",
            "https://help.example.com; script-src *",
            "limits.allowed_origins",
        ),
        ("allowed_origins", "*", "limits.allowed_origins"),
        (
            "public_hosts",
            "https://relay.example.com",
            "limits.public_hosts",
        ),
        (
            "public_hosts",
            "relay.example.com/ws",
            "limits.public_hosts",
        ),
    ] {
        let file = dir.path().join("relay.toml");
        std::fs::write(&file, format!("[limits]\n{setting} = [{value:?}]\n")).unwrap();
        let error = Config::load(Some(&file)).unwrap_err().to_string();
        assert!(error.contains(named), "{value}: {error}");
    }
}
