//! The IMAP branch: connect, secure, log in, check the mailbox, and — when the test email goes
//! to this mailbox — wait for it to arrive.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use inbox_doctor_errors::{
    Cause, Delivery, Finding, Observation, SessionCheck, Side, SkipReason, StepId, Validation,
};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::record::Run;
use super::sessions;
use super::smtp::Sent;
use super::step::Stopped;
use super::{open, step::Step};
use crate::imap::{sent_folder, ImapSession, Mailboxes};
use crate::net::transcript::cut;
use crate::net::Failed;

/// Runs the branch; the steps it does not reach are skipped with the reason it stopped for.
pub(super) async fn branch(
    run: Arc<Run>,
    addrs: Option<Vec<SocketAddr>>,
    sent: oneshot::Receiver<Option<Sent>>,
) {
    let outcome = match addrs {
        None => Err(Stopped(SkipReason::NameNotResolved)),
        Some(addrs) => flow(&run, &addrs, sent).await,
    };
    let reason = outcome.err().map_or(SkipReason::NotRequested, |s| s.0);
    run.skip_rest_of(Side::Imap, reason);
}

async fn flow(
    run: &Arc<Run>,
    addrs: &[SocketAddr],
    sent: oneshot::Receiver<Option<Sent>>,
) -> Result<(), Stopped> {
    let (mut session, known) = log_in(run, addrs).await?;
    // The session check's extra sessions connect only once the password is known good: a
    // wrong one (or a guess) opens no connection beyond the main session.
    let prepared = sessions::prepare(run, addrs);
    let result = match validate(run, &mut session, prepared, &known).await {
        Ok(()) => roundtrip(run, &mut session, sent).await,
        Err(stop) => Err(stop),
    };
    session.logout().await;
    result
}

/// Connect, secure and log in the main session; also returns the capabilities it logged in
/// under.
async fn log_in(
    run: &Arc<Run>,
    addrs: &[SocketAddr],
) -> Result<(ImapSession, Vec<String>), Stopped> {
    let (mut session, step) = open::to_login::<ImapSession>(run, addrs).await?;
    let username = run.req.imap_username();
    match session
        .login(username, run.req.credential(Side::Imap))
        .await
    {
        Ok(known) => {
            step.pass();
            Ok((session, known))
        }
        Err(f) => {
            let stop = step.fail(run.explain_token(Side::Imap, f));
            session.logout().await;
            Err(stop)
        }
    }
}

/// Lists the mailboxes and opens INBOX while the session check runs (its sessions assume the
/// capabilities `known` before login).
async fn validate(
    run: &Run,
    session: &mut ImapSession,
    prepared: sessions::Prepared,
    known: &[String],
) -> Result<(), Stopped> {
    let mut step = run.begin(StepId::ImapValidate);
    let deadline = step.deadline();
    session.conn_mut().set_deadline(deadline);
    let (validated, sessions) = tokio::join!(
        session.validate(),
        sessions::check(run, prepared, known, deadline)
    );
    let found = step.check(validated)?;
    let check = SessionCheck {
        target: run.req.session_target,
        allowed: 1 + sessions.allowed,
        refusal: sessions.refusal,
    };
    let capabilities = session.capabilities().unwrap_or_default().to_vec();
    let validation = validation(&found, capabilities, check);
    record_validation(run, &mut step, &found, &validation);
    run.state().validation = Some(validation);
    step.pass();
    Ok(())
}

/// At most this many mailbox names or capabilities go into the report, each cut to
/// [`MAX_NAME_BYTES`]: they are the server's words, and a LIST may carry megabytes of them.
const MAX_LISTED: usize = 1000;
const MAX_NAME_BYTES: usize = 256;

fn validation(found: &Mailboxes, capabilities: Vec<String>, check: SessionCheck) -> Validation {
    let sent = sent_folder(&found.list);
    let bounded = |names: &mut dyn Iterator<Item = &String>| -> Vec<String> {
        names
            .take(MAX_LISTED)
            .map(|n| cut(n, MAX_NAME_BYTES))
            .collect()
    };
    Validation {
        mailboxes: bounded(&mut found.list.iter().map(|(n, _)| n)),
        inbox_selectable: true,
        inbox_messages: found.inbox_messages,
        sent_folder: sent.as_ref().map(|(n, _)| cut(n, MAX_NAME_BYTES)),
        sent_found_by: sent.map(|(_, how)| how.to_owned()),
        capabilities: bounded(&mut capabilities.iter()),
        sessions: Some(check),
    }
}

/// The validate step's evidence, and the warnings what it found deserves.
fn record_validation(run: &Run, step: &mut Step<'_>, found: &Mailboxes, v: &Validation) {
    let check = v.sessions.as_ref();
    let (allowed, target) = check.map_or((0, 0), |c| (c.allowed, c.target));
    step.fact("mailboxes", found.list.len().to_string());
    step.fact(
        "inbox_messages",
        found
            .inbox_messages
            .map(|n| n.to_string())
            .unwrap_or_default(),
    );
    step.fact("sessions", format!("{allowed} of {target}"));
    match &v.sent_folder {
        Some(name) => step.fact("sent_folder", name.clone()),
        None => run.warn(Cause::SentFolderNotFound, StepId::ImapValidate, None),
    }
    let missing: Vec<&str> = ["IDLE", "UIDPLUS"]
        .into_iter()
        .filter(|c| !v.capabilities.iter().any(|x| x.eq_ignore_ascii_case(c)))
        .collect();
    if !missing.is_empty() {
        run.warn_found(
            Cause::CapabilityMissing,
            StepId::ImapValidate,
            Finding::CapabilitiesMissing {
                capabilities: missing.into_iter().map(str::to_owned).collect(),
            },
            None,
        );
    }
    if allowed < target {
        run.warn_found(
            Cause::FewerSessionsThanTarget,
            StepId::ImapValidate,
            Finding::Sessions {
                allowed,
                wanted: target,
            },
            check.and_then(|c| c.refusal.clone()),
        );
    }
}

/// Waits for the test email in the INBOX, when it was sent to this mailbox.
async fn roundtrip(
    run: &Run,
    session: &mut ImapSession,
    sent: oneshot::Receiver<Option<Sent>>,
) -> Result<(), Stopped> {
    let req = &run.req;
    if !req.roundtrip {
        return Err(Stopped(SkipReason::NotRequested));
    }
    if !req.send {
        return Err(Stopped(SkipReason::TestEmailNotSent));
    }
    if !req.test_recipient().eq_ignore_ascii_case(&req.email) {
        return Err(Stopped(SkipReason::OtherRecipient));
    }
    let Ok(Some(sent)) = sent.await else {
        return Err(Stopped(SkipReason::TestEmailNotSent));
    };
    let mut step = run.begin(StepId::Roundtrip);
    step.fact("message_id", sent.message_id.clone());
    let give_up_at = Instant::now() + run.config.roundtrip_timeout;
    let arrived = loop {
        // Each search has a step's deadline; the waiting has the round trip's.
        session
            .conn_mut()
            .set_deadline(Instant::now() + run.config.step_timeout);
        match session.has_message(&sent.message_id).await {
            Err(f) => break Err(f),
            Ok(true) => break Ok(sent.accepted_at.elapsed()),
            Ok(false) if Instant::now() >= give_up_at => {
                break Err(Failed::new(Observation::NotDelivered).detail(format!(
                    "not in the INBOX after {} s",
                    run.config.roundtrip_timeout.as_secs()
                )))
            }
            Ok(false) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    run.state().delivery = Some(Delivery {
        message_id: sent.message_id,
        recipient: req.test_recipient().to_owned(),
        delivered_after_ms: arrived.as_ref().ok().map(|d| d.as_millis() as u64),
    });
    let after = step.check(arrived)?;
    step.fact("delivered_after_ms", after.as_millis().to_string());
    step.pass();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_carries_a_bounded_share_of_a_huge_list() {
        let found = Mailboxes {
            list: (0..5000)
                .map(|i| (format!("{i}{}", "x".repeat(2000)), Vec::new()))
                .collect(),
            inbox_messages: Some(1),
        };
        let caps = vec!["y".repeat(5000); 3000];
        let check = SessionCheck {
            target: 1,
            allowed: 1,
            refusal: None,
        };
        let v = validation(&found, caps, check);
        assert_eq!(v.mailboxes.len(), MAX_LISTED);
        assert_eq!(v.capabilities.len(), MAX_LISTED);
        let longest = v.mailboxes.iter().chain(&v.capabilities).map(String::len);
        assert!(longest.max().unwrap() < MAX_NAME_BYTES + 40);
    }
}
