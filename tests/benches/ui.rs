//! The page's weight and time to interactive, measured as a person gets them: the release
//! build from `dist/` (run `scripts/measure-ui`), compressed with brotli, loaded from the relay
//! on localhost in headless Chromium. Goals: at most 120 KB, interactive within 300 ms.
//!
//! "Interactive" is the `inbox-doctor-interactive` performance mark, set right after the app
//! mounted (form on screen, handlers attached), in milliseconds since navigation started.

use std::io::Write;

use inbox_doctor_tests::browser::{dist, Browser};
use inbox_doctor_tests::relay::Relay;

const WEIGHT_GOAL: usize = 120 * 1024;
const INTERACTIVE_GOAL_MS: f64 = 300.0;

fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes).expect("compress");
    }
    out.len()
}

fn main() {
    let dir = dist();
    let mut total = 0;
    for name in [
        "index.html",
        "inbox-doctor-web.js",
        "inbox-doctor-web_bg.wasm",
    ] {
        let bytes = std::fs::read(dir.join(name)).expect("built file");
        let compressed = brotli(&bytes);
        total += compressed;
        println!(
            "{name:<28} {:>8} bytes, {:>7} brotli",
            bytes.len(),
            compressed
        );
    }
    println!(
        "page weight: {:.1} KB brotli (goal ≤ {} KB): {}",
        total as f64 / 1024.0,
        WEIGHT_GOAL / 1024,
        if total <= WEIGHT_GOAL {
            "within the goal"
        } else {
            "OVER the goal"
        }
    );

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let db = tempfile::tempdir().unwrap();
        let mut config = inbox_doctor::config::Config {
            static_dir: Some(dir.clone()),
            ..Default::default()
        };
        config.domains.database = format!("sqlite://{}", db.path().join("d.db").display());
        let relay = Relay::start(config).await;
        let b = Browser::start("en", 1200, 900).await;
        let mut times = Vec::new();
        for _ in 0..10 {
            b.client.goto(&relay.url("/")).await.expect("load");
            b.wait_for("#run").await;
            let ms = b
                .client
                .execute(
                    "const m = performance.getEntriesByName('inbox-doctor-interactive')[0]; return m ? m.startTime : null;",
                    vec![],
                )
                .await
                .expect("mark");
            times.push(ms.as_f64().expect("the page set its interactive mark"));
        }
        b.close().await;
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = times[times.len() / 2];
        println!(
            "interactive after: median {median:.0} ms, min {:.0} ms, max {:.0} ms (goal ≤ {INTERACTIVE_GOAL_MS} ms): {}",
            times[0],
            times[times.len() - 1],
            if median <= INTERACTIVE_GOAL_MS { "within the goal" } else { "OVER the goal" }
        );
    });
}
