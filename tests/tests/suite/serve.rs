//! `inbox-doctor serve` as a process: configuration file and environment, JSON logs, graceful
//! shutdown that lets a running diagnosis finish, and no password anywhere it writes.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use inbox_doctor_errors::{DiagnosisRequest, Lang, ServerMessage, StepEvent};
use inbox_doctor_tests::cli::binary;
use inbox_doctor_tests::net::BlackHole;
use inbox_doctor_tests::relay::{http_get, Socket};
use inbox_doctor_tests::{Harness, EMAIL, PASSWORD};

struct Served {
    child: std::process::Child,
    addr: String,
    stderr: Arc<Mutex<String>>,
}

fn serve(config: &str, env: &[(&str, &str)]) -> Served {
    let dir = tempfile::tempdir().unwrap().keep();
    let file = dir.join("relay.toml");
    std::fs::write(&file, config).unwrap();
    let mut child = Command::new(binary())
        .args([
            "serve",
            "--config",
            file.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .envs(env.iter().copied())
        .env("RUST_LOG", "trace")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = BufReader::new(child.stderr.take().unwrap());
    let sink = stderr.clone();
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("inbox-doctor: listening on http://") {
                let _ = tx.send(addr.to_owned());
            }
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("the relay did not start:\n{}", stderr.lock().unwrap()));
    Served {
        child,
        addr,
        stderr,
    }
}

fn request(host_port: (u16, u16), password: &str) -> DiagnosisRequest {
    let mut r = inbox_doctor_tests::mail::request(host_port.0, host_port.1, password);
    r.lang = Lang::Pl;
    r.session_target = 3;
    r
}

async fn socket(addr: &str) -> Socket {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    Socket { ws }
}

fn config(h: &Harness, extra_ports: &[u16]) -> String {
    let mut ports = vec![h.dovecot.imaps, h.dovecot.submission];
    ports.extend(extra_ports);
    format!(
        "log_format = \"json\"\n\
         [egress]\nports = {ports:?}\nallow_cidrs = [\"127.0.0.0/8\"]\n\
         [limits]\nshutdown_grace_secs = 20\n\
         [domains]\ndatabase = \"sqlite://{}\"\n\
         [engine]\nstep_timeout_secs = 2\nca_files = [\"{}\"]\n",
        h.dir.path().join("served.db").display(),
        h.ca()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn passwords_reach_no_log_line_metric_transcript_or_report() {
    let h = Harness::start();
    let served = serve(
        &config(&h, &[]),
        &[("INBOX_DOCTOR_ADMIN_TOKEN", "admin-token-0123456789")],
    );
    let ports = (h.dovecot.imaps, h.dovecot.submission);
    let mut everything = String::new();
    for password in [PASSWORD, "Wr0ng-but-secret!"] {
        let mut s = socket(&served.addr).await;
        s.start(&request(ports, password)).await;
        let messages = s.all().await;
        assert!(
            matches!(
                messages.last(),
                Some(ServerMessage::Event(StepEvent::Report(_)))
            ),
            "{messages:?}"
        );
        everything.push_str(&serde_json::to_string(&messages).unwrap());
    }
    let (_, metrics) = http_get(&format!("http://{}/metrics", served.addr)).await;
    assert!(metrics.contains("inbox_doctor_runs_total 2"), "{metrics}");
    let Served {
        mut child, stderr, ..
    } = served;
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success());
    let logs = stderr.lock().unwrap().clone();
    assert!(
        logs.lines()
            .any(|l| l.starts_with('{') && l.contains("\"step finished\"")),
        "JSON logs at trace level:\n{logs}"
    );
    // One line per run for the operator: who, which servers, how it ended.
    let runs: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("\"message\":\"run\""))
        .collect();
    assert_eq!(runs.len(), 2, "{logs}");
    let imap = format!("127.0.0.1:{}", h.dovecot.imaps);
    for line in &runs {
        assert!(line.contains("\"client\":\"127.0.0.1\""), "{line}");
        assert!(line.contains(&imap), "{line}");
    }
    assert!(runs[0].contains("\"ended\":\"Passed\""), "{}", runs[0]);
    assert!(runs[1].contains("invalid_credentials"), "{}", runs[1]);
    everything.push_str(&metrics);
    everything.push_str(&logs);
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for secret in [PASSWORD, "Wr0ng-but-secret!"] {
        for spelling in [
            secret.to_owned(),
            b64(secret),
            b64(&format!("\0{EMAIL}\0{secret}")),
        ] {
            if let Some(i) = everything.find(&spelling) {
                let from = everything[..i]
                    .char_indices()
                    .rev()
                    .nth(300)
                    .map_or(0, |(j, _)| j);
                panic!(
                    "{spelling} leaked: …{}…",
                    &everything[from..(i + 40).min(everything.len())]
                );
            }
        }
    }
    assert!(
        everything.contains("[redacted]"),
        "the transcript was searched"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_lets_a_running_diagnosis_finish() {
    let h = Harness::start();
    let hole = BlackHole::new().await;
    let served = serve(&config(&h, &[hole.addr.port()]), &[]);
    let mut s = socket(&served.addr).await;
    s.start(&request((hole.addr.port(), h.dovecot.submission), PASSWORD))
        .await;
    assert!(matches!(s.next().await, Some(ServerMessage::Event(_))));
    let Served { mut child, .. } = served;
    let ready = format!("http://{}/readyz", served.addr);
    assert_eq!(ureq::get(&ready).call().map(|r| r.status()).ok(), Some(200));
    let asked = Instant::now();
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    // Draining: a load balancer soon sees it not ready (refused, or 503) while the run finishes.
    let not_ready = tokio::task::spawn_blocking(move || {
        (0..100).any(|_| {
            let ready = ureq::get(&ready).call().is_ok_and(|r| r.status() == 200);
            std::thread::sleep(Duration::from_millis(50));
            !ready
        })
    });
    assert!(not_ready.await.unwrap(), "still ready while draining");
    // The run ends on its own deadline (the black hole never answers) and still reports.
    let messages = s.all().await;
    let Some(ServerMessage::Event(StepEvent::Report(report))) = messages.last() else {
        panic!("{messages:?}");
    };
    assert_eq!(report.failure.as_ref().unwrap().cause.code(), "no_answer");
    assert!(child.wait().unwrap().success());
    assert!(asked.elapsed() < Duration::from_secs(20));
}

#[test]
fn domains_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("relay.toml");
    std::fs::write(
        &file,
        format!(
            "[domains]\ndatabase = \"sqlite://{}\"\n",
            dir.path().join("d.db").display()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(binary())
            .arg("domains")
            .args(args)
            .args(["--config", file.to_str().unwrap()])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Made-up servers: stored past the check that comes first.
    let (code, _, err) = run(&[
        "set",
        "--force",
        "Example.org",
        "--imap",
        "imap.example.org:993",
        "--imap-security",
        "tls",
        "--smtp",
        "smtp.example.org:587",
        "--smtp-security",
        "starttls",
        "--actor",
        "ops",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, _) = run(&["list", "--json"]);
    assert_eq!(code, Some(0));
    let list: Vec<inbox_doctor_errors::DomainRecord> = serde_json::from_str(&out).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].domain, "example.org");
    assert_eq!(list[0].updated_by, "ops");
    let (code, _, err) = run(&[
        "set",
        "bad domain",
        "--imap",
        "h:993",
        "--imap-security",
        "tls",
        "--smtp",
        "h:587",
        "--smtp-security",
        "starttls",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not a valid email domain"), "{err}");
    let (code, _, err) = run(&[
        "set",
        "example.org",
        "--imap",
        "h:0",
        "--imap-security",
        "tls",
        "--smtp",
        "h:587",
        "--smtp-security",
        "starttls",
    ]);
    assert_eq!(code, Some(2), "{err}");
    let (code, _, err) = run(&[
        "set",
        "example.org",
        "--imap",
        "h:993",
        "--imap-security",
        "ssl3",
        "--smtp",
        "h:587",
        "--smtp-security",
        "starttls",
    ]);
    assert_eq!(code, Some(2), "{err}");
    let (code, _, _) = run(&["delete", "example.org"]);
    assert_eq!(code, Some(0));
    let (code, _, _) = run(&["delete", "example.org"]);
    assert_eq!(code, Some(1), "nothing left to delete");
    let (_, out, _) = run(&["changes", "example.org"]);
    let changes: Vec<inbox_doctor_errors::DomainChange> = serde_json::from_str(&out).unwrap();
    assert_eq!(
        changes
            .iter()
            .map(|c| c.action.as_str())
            .collect::<Vec<_>>(),
        ["set", "delete"]
    );
}

#[test]
fn a_configuration_out_of_range_refuses_to_start_and_says_which_value() {
    let dir = tempfile::tempdir().unwrap();
    for (setting, value, named) in [
        (
            "[engine]\nstep_timeout_secs",
            "0",
            "engine.step_timeout_secs is 0",
        ),
        (
            "[limits]\nstart_timeout_secs",
            "99999999",
            "limits.start_timeout_secs",
        ),
    ] {
        let file = dir.path().join("relay.toml");
        std::fs::write(&file, format!("{setting} = {value}\n")).unwrap();
        let out = Command::new(binary())
            .args([
                "serve",
                "--config",
                file.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(named), "{stderr}");
    }
}

#[test]
fn the_health_command_asks_the_relay_next_to_it_and_nothing_else() {
    let h = Harness::start();
    let served = serve(&config(&h, &[]), &[]);
    let health = |url: &str| {
        std::process::Command::new(inbox_doctor_tests::cli::binary())
            .args(["health", url])
            .output()
            .expect("run inbox-doctor health")
    };
    for path in ["/healthz", "/readyz"] {
        let out = health(&format!("http://{}{path}", served.addr));
        assert!(out.status.success(), "{path}: {out:?}");
    }
    let missing = health(&format!("http://{}/nowhere", served.addr));
    assert_eq!(missing.status.code(), Some(1), "{missing:?}");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("answered 404"));
    let elsewhere = health("http://192.0.2.1/healthz");
    assert_eq!(elsewhere.status.code(), Some(2), "{elsewhere:?}");
    assert!(String::from_utf8_lossy(&elsewhere.stderr).contains("only a loopback address"));
}

/// The page comes with the binary (rust-embed; read from `dist/` in debug builds, as the
/// release build embeds it), with no `static_dir` configured.
#[test]
fn the_page_is_served_from_the_binary_without_a_static_dir() {
    let h = Harness::start();
    let served = serve(&config(&h, &[]), &[]);
    for (path, kind) in [
        ("/", "text/html"),
        ("/widget.js", "javascript"),
        ("/inbox-doctor-web_bg.wasm", "application/wasm"),
    ] {
        let response = ureq::get(&format!("http://{}{path}", served.addr))
            .call()
            .unwrap_or_else(|e| panic!("{path}: {e} (is dist/ built? scripts/build-ui)"));
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response.content_type().contains(kind),
            "{path}: {}",
            response.content_type()
        );
    }
}

/// Text logs that go anywhere but a terminal (a file, a collector, this test's pipe) carry no
/// colour codes.
#[test]
fn text_logs_to_a_file_carry_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "log_format = \"text\"\n[domains]\ndatabase = \"sqlite://{}\"\n",
        dir.path().join("d.db").display()
    );
    let served = inbox_doctor_tests::served::Served::start(&config, &[]);
    let logs = served.logs_when(|l| l.contains("listening"));
    assert!(logs.contains("listening"), "{logs}");
    assert!(!logs.contains('\u{1b}'), "colour codes: {logs:?}");
}
