//! The two steps every branch begins with, the same for IMAP and SMTP: connect (and read a
//! plaintext greeting), then secure (STARTTLS or implicit TLS, the handshake, the greeting
//! over TLS), each walking its stages of the [`session`] road.

use std::net::SocketAddr;
use std::sync::Arc;

use inbox_doctor_errors::{Cause, Security, Side, SkipReason, StepId};

use super::record::Run;
use super::secure;
use super::step::{Step, Stopped};
use crate::net::Failed;
use crate::session::{Dialogue, Link};

/// A side's connect, TLS and login steps.
fn steps(side: Side) -> [StepId; 3] {
    match side {
        Side::Imap => [StepId::ImapConnect, StepId::ImapTls, StepId::ImapLogin],
        Side::Smtp => [StepId::SmtpConnect, StepId::SmtpTls, StepId::SmtpLogin],
    }
}

/// Connects and secures a session, and begins its login step: the session ready to log in
/// (EHLO done for a plain SMTP session), the step begun with the login name as evidence.
pub(super) async fn to_login<'r, D: Dialogue + 'static>(
    run: &'r Arc<Run>,
    addrs: &[SocketAddr],
) -> Result<(D, Step<'r>), Stopped> {
    let link = connect::<D>(run, addrs).await?;
    let mut session = secure::<D>(run, link, addrs).await?;
    let ready = ready_in_clear(run, &mut session).await;
    let mut step = run.begin(steps(D::SIDE)[2]);
    step.check(ready)?;
    session.conn_mut().set_deadline(step.deadline());
    step.fact("username", run.req.username(D::SIDE));
    Ok((session, step))
}

/// The connect step: TCP, and for plaintext greetings the greeting. A port that stays silent
/// is asked whether it expects implicit TLS.
pub(super) async fn connect<D: Dialogue>(
    run: &Run,
    addrs: &[SocketAddr],
) -> Result<Link<D>, Stopped> {
    let side = D::SIDE;
    run.connecting(side);
    let mut step = run.begin(steps(side)[0]);
    let deadline = step.deadline();
    let connected = step.check(run.config.net.connect(addrs, deadline).await)?;
    step.facts(run.connected(side, &connected));
    let greeted = match run.road(side).greet::<D>(connected, deadline).await {
        Err(f) => Err(secure::explain_silence(run, side, addrs, f).await),
        ok => ok,
    };
    let (link, greeting) = step.check(greeted)?;
    if let Some(g) = greeting {
        step.fact("greeting", g);
    }
    step.pass();
    Ok(link)
}

/// The TLS step: skipped (with a warning) for a plain session; otherwise STARTTLS or implicit
/// TLS, the handshake with its report, and the session over TLS ready for commands.
pub(super) async fn secure<D: Dialogue + 'static>(
    run: &Arc<Run>,
    link: Link<D>,
    addrs: &[SocketAddr],
) -> Result<D, Stopped> {
    let side = D::SIDE;
    let tls_step = steps(side)[1];
    let link = match link {
        Link::Greeted { session, .. } if run.mode(side) == Security::Plain => {
            run.skip(tls_step, SkipReason::PlainRequested);
            run.warn(Cause::PlaintextSession, tls_step, None);
            return Ok(session);
        }
        link => link,
    };
    let mut step = run.begin(tls_step);
    let deadline = step.deadline();
    let road = run.road(side);
    let link = with_deadline(link, deadline);
    let warn_offered = |session: &D| {
        match session.auth_offered().as_deref() {
            None => {}
            // Offered without naming a mechanism: the cause's words say all there is.
            Some("") => run.warn(Cause::AuthOfferedBeforeTls, tls_step, None),
            Some(mechanisms) => run.warn_found(
                Cause::AuthOfferedBeforeTls,
                tls_step,
                inbox_doctor_errors::Finding::OfferedInClear {
                    mechanisms: run.evidence(mechanisms),
                },
                None,
            ),
        }
    };
    let (io, local) = step.check(road.to_tls(link, warn_offered).await)?;
    let io = step.check(secure::handshake::<D>(run, io, addrs, deadline).await)?;
    step.facts(secure::evidence(run, side));
    let (mut session, greeting) = step.check(road.over_tls::<D>(io, local, deadline).await)?;
    if let Some(g) = greeting {
        step.fact("greeting", g);
    }
    step.check(session.ready().await)?;
    step.pass();
    Ok(session)
}

fn with_deadline<D: Dialogue>(link: Link<D>, deadline: tokio::time::Instant) -> Link<D> {
    match link {
        Link::Raw { mut conn, local } => {
            conn.set_deadline(deadline);
            Link::Raw { conn, local }
        }
        Link::Greeted { mut session, local } => {
            session.conn_mut().set_deadline(deadline);
            Link::Greeted { session, local }
        }
    }
}

/// Before the login of a plain session: the session gets ready (EHLO for SMTP; a failure
/// belongs to the login step) and, when it offers a password login in clear, a warning says so.
async fn ready_in_clear<D: Dialogue>(run: &Run, session: &mut D) -> Result<(), Failed> {
    let side = D::SIDE;
    if run.mode(side) != Security::Plain {
        return Ok(());
    }
    session
        .conn_mut()
        .set_deadline(tokio::time::Instant::now() + run.config.step_timeout);
    session.ready().await?;
    if session.auth_offered().is_some() {
        run.warn(Cause::AuthOfferedBeforeTls, steps(side)[1], None);
    }
    Ok(())
}
