//! Prometheus metrics, rendered by hand: runs, outcomes by category, step latencies, open
//! sockets and refusals by reason. No label carries user input.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

use inbox_doctor_errors::{ErrorCode, Report};

/// Step latency buckets, in milliseconds.
const BUCKETS_MS: [u64; 10] = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS_MS.len()],
    count: u64,
    sum_ms: u64,
}

#[derive(Default)]
pub struct Metrics {
    runs: AtomicU64,
    refused_logins: AtomicU64,
    open_sockets: AtomicI64,
    outcomes: Mutex<BTreeMap<&'static str, u64>>,
    refusals: Mutex<BTreeMap<&'static str, u64>>,
    steps: Mutex<BTreeMap<&'static str, Histogram>>,
    admin_refusals: Mutex<BTreeMap<&'static str, u64>>,
}

/// Counts an open socket for as long as it lives.
pub struct SocketGuard<'a>(&'a Metrics);

impl Drop for SocketGuard<'_> {
    fn drop(&mut self) {
        self.0.open_sockets.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    pub fn socket(&self) -> SocketGuard<'_> {
        self.open_sockets.fetch_add(1, Ordering::Relaxed);
        SocketGuard(self)
    }

    pub fn refused(&self, code: ErrorCode) {
        *self
            .refusals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(code.code())
            .or_default() += 1;
    }

    /// An admin request refused: `unauthorized` (a wrong or missing token, counted against
    /// the client), `locked_out` (refused without looking at the token) or `busy`.
    pub fn admin_refused(&self, reason: &'static str) {
        *self
            .admin_refusals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(reason)
            .or_default() += 1;
    }

    pub fn run_started(&self) {
        self.runs.fetch_add(1, Ordering::Relaxed);
    }

    /// Logins the servers refused, as counted toward the account and server limits.
    pub fn logins_refused(&self, n: usize) {
        self.refused_logins.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn run_finished(&self, report: &Report) {
        let label = report
            .failure
            .as_ref()
            .map_or("passed", |f| f.category.code());
        *self
            .outcomes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(label)
            .or_default() += 1;
        let mut steps = self.steps.lock().unwrap_or_else(|e| e.into_inner());
        for s in report
            .steps
            .iter()
            .filter(|s| s.elapsed_ms > 0 || s.failure.is_some())
        {
            let h = steps.entry(s.step.code()).or_default();
            h.count += 1;
            h.sum_ms += s.elapsed_ms;
            for (i, le) in BUCKETS_MS.iter().enumerate() {
                if s.elapsed_ms <= *le {
                    h.buckets[i] += 1;
                }
            }
        }
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP inbox_doctor_runs_total Diagnoses started.");
        let _ = writeln!(out, "# TYPE inbox_doctor_runs_total counter");
        let _ = writeln!(
            out,
            "inbox_doctor_runs_total {}",
            self.runs.load(Ordering::Relaxed)
        );
        let _ = writeln!(out, "# HELP inbox_doctor_outcomes_total Finished diagnoses by outcome: passed, or the category of the failure.");
        let _ = writeln!(out, "# TYPE inbox_doctor_outcomes_total counter");
        for (label, n) in self
            .outcomes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "inbox_doctor_outcomes_total{{outcome=\"{label}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP inbox_doctor_refused_logins_total Logins the servers refused (counted per account and server)."
        );
        let _ = writeln!(out, "# TYPE inbox_doctor_refused_logins_total counter");
        let _ = writeln!(
            out,
            "inbox_doctor_refused_logins_total {}",
            self.refused_logins.load(Ordering::Relaxed)
        );
        let _ = writeln!(out, "# HELP inbox_doctor_open_sockets WebSockets open now.");
        let _ = writeln!(out, "# TYPE inbox_doctor_open_sockets gauge");
        let _ = writeln!(
            out,
            "inbox_doctor_open_sockets {}",
            self.open_sockets.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP inbox_doctor_refusals_total Requests refused, by reason."
        );
        let _ = writeln!(out, "# TYPE inbox_doctor_refusals_total counter");
        for (label, n) in self
            .refusals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(out, "inbox_doctor_refusals_total{{reason=\"{label}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP inbox_doctor_admin_refusals_total Admin requests refused, by reason."
        );
        let _ = writeln!(out, "# TYPE inbox_doctor_admin_refusals_total counter");
        for (label, n) in self
            .admin_refusals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "inbox_doctor_admin_refusals_total{{reason=\"{label}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP inbox_doctor_step_duration_milliseconds How long each step took."
        );
        let _ = writeln!(
            out,
            "# TYPE inbox_doctor_step_duration_milliseconds histogram"
        );
        for (step, h) in self.steps.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            for (i, le) in BUCKETS_MS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "inbox_doctor_step_duration_milliseconds_bucket{{step=\"{step}\",le=\"{le}\"}} {}",
                    h.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "inbox_doctor_step_duration_milliseconds_bucket{{step=\"{step}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "inbox_doctor_step_duration_milliseconds_sum{{step=\"{step}\"}} {}",
                h.sum_ms
            );
            let _ = writeln!(
                out,
                "inbox_doctor_step_duration_milliseconds_count{{step=\"{step}\"}} {}",
                h.count
            );
        }
        out
    }
}
