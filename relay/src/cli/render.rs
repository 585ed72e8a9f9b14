//! What `check` shows on the terminal: each step as it ends, then the failures and what to do;
//! and the one JSON document commands print with `--json`.

use std::io::{IsTerminal, Write};

use inbox_doctor_errors::text::{self, Lang, Phrase};
use inbox_doctor_errors::{Outcome, Report, StepEvent, StepStatus};

use super::{Exit, UsageError};

/// Prints `value` as one pretty JSON document and ends with `exit`, or with
/// [`Exit::Unwritten`] when standard output would not take it.
pub fn print_json(value: &impl serde::Serialize, exit: Exit) -> Result<Exit, UsageError> {
    let json = serde_json::to_string_pretty(value)
        .map_err(|e| UsageError(format!("cannot encode the result: {e}")))?;
    match writeln!(std::io::stdout(), "{json}") {
        Ok(()) => Ok(exit),
        Err(_) => Ok(Exit::Unwritten),
    }
}

/// One line for a step that ended (or a warning); other events print nothing.
pub fn print_event(out: &mut dyn Write, event: &StepEvent, lang: Lang) -> std::io::Result<()> {
    let color = std::io::stdout().is_terminal();
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    };
    match event {
        StepEvent::Started { .. } | StepEvent::Report(_) => Ok(()),
        StepEvent::Finished(r) => {
            let (mark, word) = match r.status {
                StepStatus::Passed => (paint("32", "✓"), text::phrase(Phrase::Passed, lang)),
                StepStatus::Failed => (paint("31", "✗"), text::phrase(Phrase::Failed, lang)),
                _ => (paint("90", "–"), text::phrase(Phrase::Skipped, lang)),
            };
            let detail = match (&r.failure, &r.skipped_because) {
                (Some(f), _) => {
                    format!(" — {}: {}", f.title, text::cause_text(f.cause, lang).title)
                }
                (None, Some(why)) => format!(" ({})", text::skip_reason(*why, lang)),
                _ => String::new(),
            };
            writeln!(
                out,
                "{mark} {:<14} {:>6} ms  {} {word}{detail}",
                r.step.code(),
                r.elapsed_ms,
                text::step_title(r.step, lang),
            )
        }
        StepEvent::Warning(w) => writeln!(
            out,
            "{} {}: {}{}{}",
            paint("33", "!"),
            text::phrase(Phrase::Warning, lang),
            text::cause_text(w.cause, lang).title,
            w.detail
                .as_deref()
                .map(|d| format!(" ({})", printable(d)))
                .unwrap_or_default(),
            w.server_reply
                .as_deref()
                .map(|r| format!(
                    "\n  {}: {}",
                    text::phrase(Phrase::ServerSaid, lang),
                    printable(r)
                ))
                .unwrap_or_default()
        ),
    }
}

/// Server text is untrusted: control characters (terminal escapes) are shown escaped.
pub fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// After the steps: each failure with what to do, "all passed", and the source addresses.
pub fn print_summary(out: &mut dyn Write, report: &Report, lang: Lang) -> std::io::Result<()> {
    writeln!(out)?;
    for failure in &report.failures {
        let words = text::cause_text(failure.cause, lang);
        writeln!(out, "{} [{}]", failure.title, failure.category.code())?;
        writeln!(out, "  {} [{}]", words.title, failure.cause.code())?;
        writeln!(out, "  {}", failure.explanation)?;
        if let Some(reply) = &failure.server_reply {
            let reply = printable(reply);
            writeln!(out, "  {}: {reply}", text::phrase(Phrase::ServerSaid, lang))?;
        }
        if let Some(detail) = &failure.detail {
            let detail = printable(detail);
            writeln!(out, "  {}: {detail}", text::phrase(Phrase::Detail, lang))?;
        }
        writeln!(out, "  {}:", text::phrase(Phrase::WhatToDo, lang))?;
        for (i, step) in failure.remediation.iter().enumerate() {
            writeln!(out, "   {}. {step}", i + 1)?;
        }
        writeln!(out)?;
    }
    if report.outcome == Outcome::Passed {
        writeln!(out, "{}", text::phrase(Phrase::AllPassed, lang))?;
    }
    for s in &report.source_addresses {
        writeln!(out, "{}: {} → {}", s.side.label(), s.local, s.remote)?;
    }
    Ok(())
}
