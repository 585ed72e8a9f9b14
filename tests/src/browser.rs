//! A real browser: Debian's headless Chromium driven over WebDriver (chromedriver + fantoccini),
//! and the built UI in `dist/`.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::net::{free_port, wait_for};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The built UI (`trunk build`, run by scripts/test before the tests).
pub fn dist() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist");
    assert!(
        dir.join("index.html").exists() && dir.join("inbox-doctor-web_bg.wasm").exists(),
        "{} has no built UI: run scripts/build-ui (scripts/test does)",
        dir.display()
    );
    dir
}

/// Where the tests leave screenshots for people to look at.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    pub downloads: tempfile::TempDir,
}

impl Browser {
    /// Fills the form for the harness's mailbox: IMAPS on `imap_host`, submission with
    /// STARTTLS on 127.0.0.1.
    pub async fn fill_mailbox(&self, h: &crate::Harness, imap_host: &str, password: &str) {
        self.fill("#email", crate::EMAIL).await;
        self.fill("#password", password).await;
        self.fill("#imap-host", imap_host).await;
        self.fill("#imap-port", &h.dovecot.imaps.to_string()).await;
        self.select("#imap-security", "tls").await;
        self.fill("#smtp-host", "127.0.0.1").await;
        self.fill("#smtp-port", &h.dovecot.submission.to_string())
            .await;
        self.select("#smtp-security", "starttls").await;
    }

    /// Starts chromedriver and a headless Chromium whose preferred language is `lang`, at
    /// `width`×`height`.
    pub async fn start(lang: &str, width: u32, height: u32) -> Browser {
        Browser::start_with(lang, width, height, &[]).await
    }

    /// [`Browser::start`] with more Chromium flags (`--force-dark-mode`: a reader who prefers
    /// dark colours).
    pub async fn start_with(lang: &str, width: u32, height: u32, flags: &[&str]) -> Browser {
        for binary in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(binary).exists(),
                "{binary} is missing. Install it with:\n  apt-get update && apt-get install -y chromium chromium-driver"
            );
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver");
        wait_for(
            ([127, 0, 0, 1], port).into(),
            "chromedriver",
            Path::new("/dev/null"),
        );
        let profile = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ]
        .iter()
        .chain(flags)
        .map(|a| a.to_string())
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push(format!("--window-size={width},{height}"));
        args.push(format!("--lang={lang}"));
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "prefs": {
                    "intl.accept_languages": lang,
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                }
            },
            // The page's console, for [`Browser::console`].
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let mut last = None;
        for _ in 0..20 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => {
                    return Browser {
                        client,
                        driver,
                        _profile: profile,
                        downloads,
                    }
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        panic!("cannot start a Chromium session: {last:?}");
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    pub async fn select(&self, css: &str, value: &str) {
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        e.select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Starts the diagnosis and waits until its report is in: the run has ended, so the result
    /// will not change under the test (a failure card shows before the other side finishes).
    pub async fn run_diagnosis(&self) {
        self.click("#run").await;
        self.wait_for("#download-report").await;
    }

    /// Waits up to 60 s for an element.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
    }

    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.client
            .find(Locator::Css(css))
            .await
            .ok()?
            .attr(name)
            .await
            .ok()
            .flatten()
    }

    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap_or_default()
    }

    /// The current value of a form control.
    pub async fn value(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// What the page's console received since the last call (errors, and the browser's own
    /// lines such as a failed load's status), as `(level, message)`: `SEVERE` for errors.
    pub async fn console(&self) -> Vec<(String, String)> {
        let entries = self
            .client
            .issue_cmd(ConsoleLog)
            .await
            .expect("chromedriver's browser log");
        entries
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let field = |name: &str| e[name].as_str().unwrap_or_default().to_owned();
                (field("level"), field("message"))
            })
            .collect()
    }

    /// Runs axe-core (tools/node_modules/axe-core, from npm: scripts/ensure.sh installs it) on
    /// the page as it is now, and returns its violations, one line each: the rule's id, its
    /// impact, its help and the nodes it found (their selectors and what axe says of them).
    ///
    /// The script goes in through WebDriver's execute, which the page's Content-Security-Policy
    /// does not govern (it has no `<script>` element); `axe.run` is asynchronous, so it is awaited
    /// with the async execute.
    pub async fn axe_violations(&self) -> Vec<String> {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}. Install it with:\n  (cd tools && npm ci)   (scripts/ensure.sh does)",
                path.display()
            )
        });
        self.client
            .execute(
                &format!("if (!window.axe) {{ {axe}\n }} return !!window.axe;"),
                vec![],
            )
            .await
            .expect("inject axe-core");
        let found = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ['violations'] })
                  .then(r => done({ violations: r.violations.map(v => ({
                      id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.map(n => ({ target: n.target, summary: n.failureSummary })),
                  })) }))
                  .catch(e => done({ error: String(e) }));"#,
                vec![],
            )
            .await
            .expect("axe.run");
        if let Some(e) = found.get("error") {
            panic!("axe.run failed: {e}");
        }
        found["violations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| {
                let nodes: Vec<String> = v["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| {
                        format!(
                            "    {} — {}",
                            n["target"],
                            n["summary"].as_str().unwrap_or_default().replace('\n', " ")
                        )
                    })
                    .collect();
                format!(
                    "{} ({}): {}\n{}",
                    v["id"].as_str().unwrap_or_default(),
                    v["impact"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or_default(),
                    nodes.join("\n")
                )
            })
            .collect()
    }

    /// Scrolls `css` into view, then takes a screenshot.
    pub async fn screenshot_of(&self, name: &str, css: &str) {
        let script =
            format!("document.querySelector({css:?})?.scrollIntoView({{block: 'start'}});");
        let _ = self.client.execute(&script, vec![]).await;
        self.screenshot(name).await;
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(screenshot_dir().join(format!("{name}.png")), png).expect("save screenshot");
    }

    pub async fn close(self) {
        let Browser {
            client, mut driver, ..
        } = self;
        let _ = client.close().await;
        unsafe {
            libc::kill(-(driver.id() as i32), libc::SIGTERM);
        }
        let _ = driver.wait();
    }
}

/// chromedriver's `POST /session/{id}/se/log` for the `browser` log: the console, which W3C
/// WebDriver (and so fantoccini) has no command for.
#[derive(Debug)]
struct ConsoleLog;

impl fantoccini::wd::WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}
