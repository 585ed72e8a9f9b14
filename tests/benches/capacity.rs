//! How many diagnoses one relay carries: the real `inbox-doctor serve` (release build, its own
//! process, so its memory and CPU are its own) against the harness's Dovecot and Postfix, driven
//! over real WebSockets. At 50, 200 and 500 diagnoses started at once (a fresh relay each):
//! completed runs, refusals by code, p50/p99 time from `start` to the first event and to the
//! report, diagnoses per second, the relay's peak memory and CPU seconds. Then 2,000 idle
//! sockets: memory per socket, and what is given back when they close.
//!
//! Run: `scripts/measure-capacity` (builds the release relay first). `IDR_BENCH_LOADS`
//! (comma-separated, default `50,200,500`), `IDR_BENCH_IDLE` (default 2000),
//! `IDR_BENCH_SESSIONS` (the session target of each run, default the page's) and
//! `IDR_BENCH_MAIL_NICE` (the mail servers' priority, default 19: see
//! [`lower_the_mail_servers`]; 0 leaves them as they are) change it.
//! Goals on a 2-core machine: every run of 500 completes, p99 to the first event under 50 ms,
//! under 32 KiB per idle socket.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use inbox_doctor_errors::{ClientMessage, ServerMessage, StepEvent, PROTOCOL_VERSION};
use inbox_doctor_tests::{Harness, PASSWORD};
use tokio_tungstenite::tungstenite::Message;

const FIRST_EVENT_GOAL_MS: f64 = 50.0;
const IDLE_SOCKET_GOAL_KIB: f64 = 32.0;

/// The relay as a process of its own.
struct Served {
    child: Child,
    addr: String,
}

impl Served {
    fn start(h: &Harness, dir: &std::path::Path) -> Served {
        let config = format!(
            "[egress]\nports = [{}, {}]\nallow_cidrs = [\"127.0.0.0/8\"]\n\
             [limits]\nmax_runs = 1000\nmax_runs_per_client = 1000\nruns_per_minute = 10000\n\
             max_sockets = 5000\nmax_sockets_per_client = 5000\n\
             [domains]\ndatabase = \"sqlite://{}\"\n\
             [engine]\nca_files = [\"{}\"]\n",
            h.dovecot.imaps,
            h.dovecot.submission,
            dir.join("capacity.db").display(),
            h.ca()
        );
        let file = dir.join("relay.toml");
        std::fs::write(&file, config).expect("config");
        let mut child = Command::new(inbox_doctor_tests::cli::binary())
            .args(["serve", "--config", file.to_str().unwrap()])
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("inbox-doctor serve");
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("inbox-doctor: listening on http://") {
                    let _ = tx.send(addr.to_owned());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the relay listens");
        Served { child, addr }
    }

    /// A field of `/proc/PID/status` in KiB (`VmRSS`, `VmHWM`).
    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the relay's status");
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// User and system CPU time so far, in seconds.
    fn cpu_secs(&self) -> f64 {
        process_cpu_secs(&format!("/proc/{}/stat", self.child.id()))
    }
}

/// Lowers the priority of every process below this one (the harness's Dovecot and Postfix and
/// the processes they started; the relay starts later): in production the mail servers are
/// other machines, here they share the relay's two cores, and a relay waiting for a core
/// behind them measures them, not itself.
fn lower_the_mail_servers(nice: i32) {
    let me = std::process::id();
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat[stat.rfind(')')? + 2..].split(' ').nth(1)?.parse().ok()
    };
    let mut lowered = 0;
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let mut p = pid;
        let below_me = loop {
            match parent_of(p) {
                Some(parent) if parent == me => break pid != me,
                Some(parent) if parent > 1 => p = parent,
                _ => break false,
            }
        };
        // SAFETY: setpriority has no memory-safety preconditions.
        if below_me && unsafe { libc::setpriority(libc::PRIO_PROCESS, pid, nice) } == 0 {
            lowered += 1;
        }
    }
    println!("the mail servers' {lowered} processes at nice {nice} (IDR_BENCH_MAIL_NICE)");
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_CLK_TCK) as f64 }
}

/// A process's user and system CPU seconds, from its `stat` file.
fn process_cpu_secs(stat: &str) -> f64 {
    let stat = std::fs::read_to_string(stat).expect("a process's stat");
    // Fields after the command name (in parentheses): utime is the 14th field, stime 15th.
    let after = &stat[stat.rfind(')').expect("stat") + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let ticks = |i: usize| fields[i - 3].parse::<f64>().unwrap_or(0.0);
    (ticks(14) + ticks(15)) / clock_ticks()
}

/// CPU seconds every core of the machine spent busy (not idle or waiting) so far.
fn machine_busy_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").expect("/proc/stat");
    let cpu: Vec<f64> = stat
        .lines()
        .next()
        .expect("the cpu line")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …
    let busy: f64 = cpu
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, v)| v)
        .sum();
    busy / clock_ticks()
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one run saw.
enum Seen {
    /// Times to the first event and to the report.
    Report(Duration, Duration),
    Refused(String),
    Broken(String),
}

async fn one_run(addr: String, start: String) -> Seen {
    let (mut ws, _) = match tokio_tungstenite::connect_async(format!("ws://{addr}/ws")).await {
        Ok(ws) => ws,
        Err(e) => return Seen::Broken(format!("connect: {e}")),
    };
    let asked = Instant::now();
    if let Err(e) = ws.send(Message::Text(start.into())).await {
        return Seen::Broken(format!("send: {e}"));
    }
    let mut first = None;
    loop {
        let next = tokio::time::timeout(Duration::from_secs(120), ws.next()).await;
        let text = match next {
            Ok(Some(Ok(Message::Text(t)))) => t,
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => return Seen::Broken(format!("read: {e}")),
            Ok(None) => return Seen::Broken("closed before the report".into()),
            Err(_) => return Seen::Broken("no report within 120 s".into()),
        };
        let first_at = *first.get_or_insert_with(|| asked.elapsed());
        match serde_json::from_str::<ServerMessage>(&text) {
            Ok(ServerMessage::Event(StepEvent::Report(_))) => {
                return Seen::Report(first_at, asked.elapsed())
            }
            Ok(ServerMessage::Error(e)) => return Seen::Refused(e.code.code().to_owned()),
            Ok(_) => {}
            Err(e) => return Seen::Broken(format!("not a server message: {e}")),
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let loads: Vec<usize> = std::env::var("IDR_BENCH_LOADS")
        .unwrap_or_else(|_| "50,200,500".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let idle = inbox_doctor_tests::bench_setting("IDR_BENCH_IDLE", 2000) as usize;
    let h = Harness::start();
    let nice = inbox_doctor_tests::bench_setting("IDR_BENCH_MAIL_NICE", 19) as i32;
    if nice != 0 {
        lower_the_mail_servers(nice);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut request =
        inbox_doctor_tests::mail::request(h.dovecot.imaps, h.dovecot.submission, PASSWORD);
    request.roundtrip = false;
    if let Ok(Ok(n)) = std::env::var("IDR_BENCH_SESSIONS").map(|v| v.parse()) {
        request.session_target = n;
    }
    let start = serde_json::to_string(&ClientMessage::Start {
        version: PROTOCOL_VERSION,
        request,
    })
    .expect("start message");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    println!(
        "{} cores; each run: IMAPS + submission with STARTTLS, a test email, the session check",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut all_met = true;
    for &n in &loads {
        let relay = Served::start(&h, dir.path());
        let cpu_before = relay.cpu_secs();
        let (machine_before, bench_before) =
            (machine_busy_secs(), process_cpu_secs("/proc/self/stat"));
        let began = Instant::now();
        let seen = rt.block_on(async {
            let runs: Vec<_> = (0..n)
                .map(|_| tokio::spawn(one_run(relay.addr.clone(), start.clone())))
                .collect();
            let mut seen = Vec::new();
            for r in runs {
                seen.push(r.await.expect("run task"));
            }
            seen
        });
        let wall = began.elapsed();
        let machine = machine_busy_secs() - machine_before;
        let bench = process_cpu_secs("/proc/self/stat") - bench_before;
        let relay_cpu = relay.cpu_secs() - cpu_before;
        let (mut first, mut report) = (Vec::new(), Vec::new());
        let mut refused: BTreeMap<String, usize> = BTreeMap::new();
        let mut broken: BTreeMap<String, usize> = BTreeMap::new();
        for s in seen {
            match s {
                Seen::Report(f, r) => {
                    first.push(f.as_secs_f64() * 1000.0);
                    report.push(r.as_secs_f64() * 1000.0);
                }
                Seen::Refused(code) => *refused.entry(code).or_default() += 1,
                Seen::Broken(why) => *broken.entry(why).or_default() += 1,
            }
        }
        first.sort_by(f64::total_cmp);
        report.sort_by(f64::total_cmp);
        let p99_first = percentile(&first, 0.99);
        let completed = report.len();
        println!(
            "\n{n} at once: {completed} of {n} completed in {:.1} s ({:.1} diagnoses/s)",
            wall.as_secs_f64(),
            completed as f64 / wall.as_secs_f64()
        );
        println!("  refused: {refused:?}  broken: {broken:?}");
        println!(
            "  first event: p50 {:.0} ms, p99 {p99_first:.0} ms (goal < {FIRST_EVENT_GOAL_MS} ms)",
            percentile(&first, 0.5)
        );
        println!(
            "  report: p50 {:.0} ms, p99 {:.0} ms",
            percentile(&report, 0.5),
            percentile(&report, 0.99)
        );
        println!(
            "  relay: peak memory {:.1} MiB, CPU {relay_cpu:.2} s ({:.2} ms per diagnosis)",
            relay.status_kib("VmHWM") as f64 / 1024.0,
            relay_cpu * 1000.0 / completed.max(1) as f64
        );
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        println!(
            "  the machine's cores busy {:.0} % of the time: the relay {relay_cpu:.1} s, this \
             benchmark's clients {bench:.1} s, the mail servers and the rest {:.1} s",
            100.0 * machine / (cores * wall.as_secs_f64()),
            (machine - relay_cpu - bench).max(0.0)
        );
        all_met &= completed == n && p99_first < FIRST_EVENT_GOAL_MS;
    }

    if idle > 0 {
        let relay = Served::start(&h, dir.path());
        let before = relay.status_kib("VmRSS");
        let sockets = rt.block_on(async {
            let mut open = Vec::new();
            for _ in 0..idle {
                match tokio_tungstenite::connect_async(format!("ws://{}/ws", relay.addr)).await {
                    Ok((ws, _)) => open.push(ws),
                    Err(e) => {
                        println!("  socket {} failed: {e}", open.len());
                        break;
                    }
                }
            }
            // Each socket reads once (a ping), as a socket waiting for `start` does.
            for ws in &mut open {
                let _ = ws.send(Message::Ping(Vec::new().into())).await;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            open
        });
        let with = relay.status_kib("VmRSS");
        let opened = sockets.len();
        let per = (with.saturating_sub(before)) as f64 / opened.max(1) as f64;
        drop(sockets);
        std::thread::sleep(Duration::from_secs(2));
        let after = relay.status_kib("VmRSS");
        println!(
            "\n{} idle sockets: {:.1} KiB each (goal < {IDLE_SOCKET_GOAL_KIB} KiB); \
             {:.1} MiB before, {:.1} MiB with them, {:.1} MiB after they closed",
            opened,
            per,
            before as f64 / 1024.0,
            with as f64 / 1024.0,
            after as f64 / 1024.0
        );
        all_met &= opened == idle && per < IDLE_SOCKET_GOAL_KIB;
    }
    println!(
        "\n{}",
        if all_met {
            "every goal met"
        } else {
            "NOT every goal met"
        }
    );
}
