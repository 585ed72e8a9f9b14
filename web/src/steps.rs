//! The steps as they happen: IMAP and SMTP side by side, each with its state (in words and a
//! symbol, not colour alone), its time and a one-line result. An ARIA live region announces
//! every finished step.

use inbox_doctor_errors::{Label, StepId, StepResult, StepStatus};
use leptos::prelude::*;

use crate::i18n::{say, tr, word, Text};
use crate::socket::{Phase, Run};

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    InProgress,
    Passed,
    Failed,
    Skipped,
    /// Never finished: the relay refused, the run was stopped or the connection broke.
    NotRun,
}

impl State {
    fn code(self) -> &'static str {
        match self {
            State::Waiting => "waiting",
            State::InProgress => "running",
            State::Passed => "passed",
            State::Failed => "failed",
            State::Skipped => "skipped",
            State::NotRun => "stopped",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            State::Waiting => "○",
            State::InProgress => "◌",
            State::Passed => "✓",
            State::Failed => "✗",
            State::Skipped | State::NotRun => "–",
        }
    }

    fn word(self) -> Label {
        match self {
            State::Waiting => Label::Waiting,
            State::InProgress => Label::InProgress,
            State::Passed => Label::Passed,
            State::Failed => Label::Failed,
            State::Skipped => Label::Skipped,
            State::NotRun => Label::NotRun,
        }
    }
}

/// The one-line result of a finished step.
fn summary(r: &StepResult) -> String {
    if let Some(f) = &r.failure {
        return say(Text::CauseTitle(f.cause))();
    }
    if let Some(reason) = r.skipped_because {
        return say(Text::Skip(reason))();
    }
    let fact = |name: &str| {
        r.evidence
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.clone())
    };
    let joined = |names: &[&str]| {
        names
            .iter()
            .filter_map(|n| fact(n))
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    };
    match r.step {
        StepId::Resolve => r
            .evidence
            .iter()
            .map(|f| format!("{} → {}", f.name, f.value))
            .collect::<Vec<_>>()
            .join(", "),
        StepId::ImapConnect | StepId::SmtpConnect => joined(&["server_address"]),
        StepId::ImapTls | StepId::SmtpTls => joined(&["version", "cipher_suite"]),
        StepId::ImapLogin | StepId::SmtpLogin => joined(&["username"]),
        StepId::ImapValidate => joined(&["sent_folder", "sessions"]),
        StepId::SmtpSend => joined(&["recipient"]),
        // Its time is the step's own (the column beside): one time per step.
        _ => String::new(),
    }
}

/// A step's time: whole milliseconds, and "< 1 ms" for what took less than one (not "0 ms").
fn duration(ms: u64) -> String {
    match ms {
        0 => "< 1 ms".to_owned(),
        ms => format!("{ms} ms"),
    }
}

#[component]
pub fn StepsView(run: Run) -> impl IntoView {
    let state_of = move |step: StepId| {
        let finished = run
            .finished
            .with(|f| f.iter().find(|r| r.step == step).cloned());
        match finished {
            Some(r) => match r.status {
                StepStatus::Passed => (State::Passed, Some(r)),
                StepStatus::Failed => (State::Failed, Some(r)),
                _ => (State::Skipped, Some(r)),
            },
            // A run that ended without a step's result (a refusal, a stop, a lost connection)
            // never runs it: it does not wait.
            None if matches!(run.phase.get(), Phase::Stopped | Phase::Cancelled) => {
                (State::NotRun, None)
            }
            None if run.started.with(|s| s.contains(&step)) => (State::InProgress, None),
            None => (State::Waiting, None),
        }
    };
    let row = move |step: StepId| {
        view! {
            <li class="idr-step" data-step=step.code()
                data-status=move || state_of(step).0.code()>
                <span class="idr-symbol" aria-hidden="true">{move || state_of(step).0.symbol()}</span>
                <span class="idr-step-title">{say(Text::Step(step))}</span>
                <span class="idr-step-state">{move || word(state_of(step).0.word())}</span>
                <span class="idr-step-time">{move || state_of(step).1.map(|r| duration(r.elapsed_ms))}</span>
                <span class="idr-step-line">{move || state_of(step).1.map(|r| summary(&r))}</span>
            </li>
        }
    };
    // What the live region says: the latest finished step.
    let announcement = move || {
        run.finished.with(|f| {
            f.last().map(|r| {
                let state = match r.status {
                    StepStatus::Passed => Label::Passed,
                    StepStatus::Failed => Label::Failed,
                    _ => Label::Skipped,
                };
                format!("{}: {}", say(Text::Step(r.step))(), word(state))
            })
        })
    };
    view! {
        <Show when=move || run.phase.get() != Phase::Idle>
            <section class="idr-steps" aria-labelledby="idr-steps-title">
                <h2 id="idr-steps-title">{tr(Label::Steps)}</h2>
                <ol class="idr-flow">{row(StepId::Resolve)}</ol>
                <div class="idr-branches">
                    <div class="idr-branch">
                        <h3>{tr(Label::Imap)}</h3>
                        <ol>{row(StepId::ImapConnect)}{row(StepId::ImapTls)}{row(StepId::ImapLogin)}{row(StepId::ImapValidate)}</ol>
                    </div>
                    <div class="idr-branch">
                        <h3>{tr(Label::Smtp)}</h3>
                        <ol>{row(StepId::SmtpConnect)}{row(StepId::SmtpTls)}{row(StepId::SmtpLogin)}{row(StepId::SmtpSend)}</ol>
                    </div>
                </div>
                <ol class="idr-flow">{row(StepId::Roundtrip)}</ol>
            </section>
        </Show>
        <div class="idr-sr-only" aria-live="polite" id="idr-live">{announcement}</div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_faster_than_a_millisecond_is_not_called_zero() {
        assert_eq!(duration(0), "< 1 ms");
        assert_eq!(duration(1), "1 ms");
        assert_eq!(duration(1234), "1234 ms");
    }
}
