//! Prometheus metrics through `prometheus-client`: runs, runs in flight, outcomes by category,
//! step latencies, open sockets, refusals by reason, refused logins, admin refusals. No label
//! carries user input: every label value is one of our codes. `deploy/alerts.yml` and the
//! README ("Metrics") say what each is for.

use inbox_doctor_errors::{ErrorCode, Report};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Step latency buckets, in milliseconds.
const BUCKETS_MS: [f64; 10] = [
    10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0,
];

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Reason {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Step {
    step: &'static str,
}

fn step_histogram() -> Histogram {
    Histogram::new(BUCKETS_MS)
}

pub struct Metrics {
    registry: Registry,
    runs: Counter,
    running: Gauge,
    refused_logins: Counter,
    open_sockets: Gauge,
    outcomes: Family<Outcome, Counter>,
    refusals: Family<Reason, Counter>,
    admin_refusals: Family<Reason, Counter>,
    steps: Family<Step, Histogram, fn() -> Histogram>,
}

impl Metrics {
    /// The metrics of a relay that runs at most `max_runs` diagnoses at once.
    pub fn new(max_runs: usize) -> Metrics {
        let mut registry = Registry::default();
        let runs = Counter::default();
        registry.register("inbox_doctor_runs", "Diagnoses started", runs.clone());
        let running = Gauge::default();
        registry.register(
            "inbox_doctor_running_diagnoses",
            "Diagnoses running now (each holds a place until its engine is done)",
            running.clone(),
        );
        let capacity = Gauge::<i64>::default();
        capacity.set(i64::try_from(max_runs).unwrap_or(i64::MAX));
        registry.register(
            "inbox_doctor_max_running_diagnoses",
            "How many diagnoses may run at once (limits.max_runs)",
            capacity,
        );
        let outcomes = Family::default();
        registry.register(
            "inbox_doctor_outcomes",
            "Finished diagnoses by outcome: passed, or the category of the failure",
            outcomes.clone(),
        );
        let refused_logins = Counter::default();
        registry.register(
            "inbox_doctor_refused_logins",
            "Logins the servers refused (counted per account and server)",
            refused_logins.clone(),
        );
        let open_sockets = Gauge::default();
        registry.register(
            "inbox_doctor_open_sockets",
            "WebSockets open now",
            open_sockets.clone(),
        );
        let refusals = Family::default();
        registry.register(
            "inbox_doctor_refusals",
            "Requests refused, by reason",
            refusals.clone(),
        );
        let admin_refusals = Family::default();
        registry.register(
            "inbox_doctor_admin_refusals",
            "Admin requests refused, by reason",
            admin_refusals.clone(),
        );
        let steps = Family::new_with_constructor(step_histogram as fn() -> Histogram);
        registry.register(
            "inbox_doctor_step_duration_milliseconds",
            "How long each step took",
            steps.clone(),
        );
        Metrics {
            registry,
            runs,
            running,
            refused_logins,
            open_sockets,
            outcomes,
            refusals,
            admin_refusals,
            steps,
        }
    }
}

/// Counts something in a gauge for as long as it lives: an open socket, a running diagnosis.
pub struct GaugeGuard(Gauge);

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Metrics {
    pub fn socket(&self) -> GaugeGuard {
        self.open_sockets.inc();
        GaugeGuard(self.open_sockets.clone())
    }

    /// A diagnosis starts: counted, and running until the guard is dropped.
    pub fn run_started(&self) -> GaugeGuard {
        self.runs.inc();
        self.running.inc();
        GaugeGuard(self.running.clone())
    }

    pub fn refused(&self, code: ErrorCode) {
        self.refusals
            .get_or_create(&Reason {
                reason: code.code(),
            })
            .inc();
    }

    /// An admin request refused: `unauthorized` (a wrong or missing token, counted against
    /// the client), `locked_out` (refused without looking at the token) or `busy`.
    pub fn admin_refused(&self, reason: &'static str) {
        self.admin_refusals.get_or_create(&Reason { reason }).inc();
    }

    /// Logins the servers refused, as counted toward the account and server limits.
    pub fn logins_refused(&self, n: usize) {
        self.refused_logins.inc_by(n as u64);
    }

    pub fn run_finished(&self, report: &Report) {
        let outcome = report
            .failure
            .as_ref()
            .map_or("passed", |f| f.category.code());
        self.outcomes.get_or_create(&Outcome { outcome }).inc();
        for s in report
            .steps
            .iter()
            .filter(|s| s.elapsed_ms > 0 || s.failure.is_some())
        {
            self.steps
                .get_or_create(&Step {
                    step: s.step.code(),
                })
                .observe(s.elapsed_ms as f64);
        }
    }

    /// The OpenMetrics text exposition format ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_as_they_were_and_guards_count_down() {
        let m = Metrics::new(32);
        let socket = m.socket();
        let run = m.run_started();
        m.refused(ErrorCode::Busy);
        m.admin_refused("locked_out");
        m.logins_refused(3);
        let text = m.render();
        for line in [
            "inbox_doctor_runs_total 1\n",
            "inbox_doctor_running_diagnoses 1\n",
            "inbox_doctor_max_running_diagnoses 32\n",
            "inbox_doctor_open_sockets 1\n",
            "inbox_doctor_refusals_total{reason=\"busy\"} 1\n",
            "inbox_doctor_admin_refusals_total{reason=\"locked_out\"} 1\n",
            "inbox_doctor_refused_logins_total 3\n",
        ] {
            assert!(text.contains(line), "{line:?} in\n{text}");
        }
        drop((socket, run));
        let text = m.render();
        assert!(
            text.contains("inbox_doctor_running_diagnoses 0\n"),
            "{text}"
        );
        assert!(text.contains("inbox_doctor_open_sockets 0\n"), "{text}");
    }
}
