//! One road to an open session: connect → greet → TLS or STARTTLS → ready for commands, for
//! either protocol. The diagnosis walks it stage by stage (each stage belongs to a step);
//! [`open`] walks it whole for the session check's extra sessions and discovery's probes, and
//! [`reach_tls`] stops where a ClientHello is due, for the legacy-TLS questions.

use std::future::Future;
use std::net::SocketAddr;

use inbox_doctor_errors::{Security, Side};
use tokio::time::Instant;

use crate::imap::ImapSession;
use crate::net::conn::{BoxIo, Conn};
use crate::net::tcp::Connected;
use crate::net::tls::{self, Handshake, TlsTrust};
use crate::net::transcript::Transcript;
use crate::net::{implicit_tls_port, Failed, Network};
use crate::smtp::{ehlo_name, SmtpSession};

/// A protocol's part of the road. Implemented by [`ImapSession`] and [`SmtpSession`].
pub trait Dialogue: Sized + Send {
    const SIDE: Side;

    /// A session over `conn`; `local` is our end (SMTP names itself by it).
    fn start(conn: Conn, local: SocketAddr, implicit_tls_port: bool) -> Self;

    /// Reads the greeting; returns it as evidence.
    fn greet(&mut self) -> impl Future<Output = Result<String, Failed>> + Send;

    /// What must happen before the first command: EHLO for SMTP; nothing for IMAP, whose
    /// capabilities ride along with its first command.
    fn ready(&mut self) -> impl Future<Output = Result<(), Failed>> + Send;

    /// The login methods offered on this (plaintext) connection, if any: a password could
    /// travel in clear.
    fn auth_offered(&self) -> Option<String>;

    /// Makes sure the server's capabilities are known: CAPABILITY for IMAP when the server has
    /// not said them; SMTP has them from EHLO.
    fn capabilities(&mut self) -> impl Future<Output = Result<(), Failed>> + Send;

    /// STARTTLS: the stream, ready for the handshake.
    fn upgrade(self) -> impl Future<Output = Result<BoxIo, Failed>> + Send;

    /// Says goodbye without waiting.
    fn close(self) -> impl Future<Output = ()> + Send;

    fn conn_mut(&mut self) -> &mut Conn;
}

impl Dialogue for ImapSession {
    const SIDE: Side = Side::Imap;

    fn start(conn: Conn, _local: SocketAddr, implicit_tls_port: bool) -> Self {
        ImapSession::new(conn, implicit_tls_port)
    }

    async fn greet(&mut self) -> Result<String, Failed> {
        Ok(self.greeting().await?.line)
    }

    async fn ready(&mut self) -> Result<(), Failed> {
        Ok(())
    }

    async fn capabilities(&mut self) -> Result<(), Failed> {
        self.learn_capabilities(inbox_doctor_errors::ImapCommand::Greeting)
            .await
    }

    fn auth_offered(&self) -> Option<String> {
        // LOGIN works unless LOGINDISABLED says otherwise.
        (self.capabilities().is_some() && !self.login_disabled()).then(String::new)
    }

    async fn upgrade(self) -> Result<BoxIo, Failed> {
        self.starttls().await
    }

    async fn close(self) {
        self.logout().await
    }

    fn conn_mut(&mut self) -> &mut Conn {
        ImapSession::conn_mut(self)
    }
}

/// SMTP remembers the name it greets with, for the EHLO after TLS.
pub struct Smtp {
    pub session: SmtpSession,
    ehlo_name: String,
}

impl Dialogue for Smtp {
    const SIDE: Side = Side::Smtp;

    fn start(conn: Conn, local: SocketAddr, implicit_tls_port: bool) -> Self {
        Smtp {
            session: SmtpSession::new(conn, implicit_tls_port),
            ehlo_name: ehlo_name(local),
        }
    }

    async fn greet(&mut self) -> Result<String, Failed> {
        Ok(self.session.greeting().await?.text())
    }

    async fn ready(&mut self) -> Result<(), Failed> {
        self.session.ehlo(&self.ehlo_name).await
    }

    async fn capabilities(&mut self) -> Result<(), Failed> {
        Ok(())
    }

    fn auth_offered(&self) -> Option<String> {
        let mechanisms = self.session.auth_mechanisms();
        (!mechanisms.is_empty()).then(|| format!("AUTH {}", mechanisms.join(" ")))
    }

    async fn upgrade(self) -> Result<BoxIo, Failed> {
        self.session.starttls().await
    }

    async fn close(self) {
        self.session.quit().await
    }

    fn conn_mut(&mut self) -> &mut Conn {
        self.session.conn_mut()
    }
}

/// Where a session goes and how: the same for every stage.
#[derive(Clone)]
pub struct Road<'a> {
    pub host: &'a str,
    pub port: u16,
    /// `tls`, `starttls` or `plain` (never `auto`: see [`crate::net::mode_for`]).
    pub mode: Security,
    pub transcript: Transcript,
}

/// A connection before TLS.
pub enum Link<D> {
    /// Implicit TLS: nothing has been read yet.
    Raw { conn: Conn, local: SocketAddr },
    /// The plaintext greeting has been read (STARTTLS or plain sessions).
    Greeted { session: D, local: SocketAddr },
}

impl Road<'_> {
    fn conn(&self, io: BoxIo, side: Side, deadline: Instant) -> Conn {
        Conn::new(io, side, self.transcript.clone(), deadline)
    }

    /// Stage 1: a connected stream to its link; for plaintext greetings, reads the greeting
    /// (returned as evidence).
    pub async fn greet<D: Dialogue>(
        &self,
        connected: Connected,
        deadline: Instant,
    ) -> Result<(Link<D>, Option<String>), Failed> {
        let local = connected.local;
        let conn = self.conn(Box::new(connected.stream), D::SIDE, deadline);
        if self.mode == Security::Tls {
            return Ok((Link::Raw { conn, local }, None));
        }
        let mut session = D::start(conn, local, implicit_tls_port(self.port));
        let greeting = session.greet().await?;
        Ok((Link::Greeted { session, local }, Some(greeting)))
    }

    /// Stage 2: the stream where the TLS handshake starts. A greeted session gets ready and
    /// asks for STARTTLS; `offered` sees it before, to tell whether it offered a login in clear.
    pub async fn to_tls<D: Dialogue>(
        &self,
        link: Link<D>,
        offered: impl FnOnce(&D),
    ) -> Result<(BoxIo, SocketAddr), Failed> {
        match link {
            Link::Raw { conn, local } => {
                let io = conn
                    .into_io()
                    .map_err(|e| Failed::io(e, implicit_tls_port(self.port)))?;
                Ok((io, local))
            }
            Link::Greeted { mut session, local } => {
                session.ready().await?;
                offered(&session);
                Ok((session.upgrade().await?, local))
            }
        }
    }

    /// Stage 3, after the handshake: the session over TLS, greeted when the greeting comes
    /// only now (implicit TLS). Stage 4 is [`Dialogue::ready`].
    pub async fn over_tls<D: Dialogue>(
        &self,
        io: BoxIo,
        local: SocketAddr,
        deadline: Instant,
    ) -> Result<(D, Option<String>), Failed> {
        // Over TLS, silence is no longer a hint about the TLS mode.
        let mut session = D::start(self.conn(io, D::SIDE, deadline), local, false);
        let greeting = match self.mode {
            Security::Tls => Some(session.greet().await?),
            _ => None,
        };
        Ok((session, greeting))
    }
}

/// A session walked to its end of the road.
pub struct Opened<D> {
    pub session: D,
    pub greeting: Option<String>,
    /// The handshake's report, unless the mode is plain.
    pub tls: Option<inbox_doctor_errors::TlsReport>,
}

/// Walks the whole road: connect, greet, secure, ready. `trust` decides whether a refused
/// certificate stops the session (its verdict is in the report either way).
pub async fn open<D: Dialogue>(
    net: &Network,
    road: &Road<'_>,
    addrs: &[SocketAddr],
    trust: &TlsTrust,
    deadline: Instant,
) -> Result<Opened<D>, Failed> {
    let connected = net.connect(addrs, deadline).await?;
    let (link, greeting) = road.greet::<D>(connected, deadline).await?;
    let link = match link {
        Link::Greeted { mut session, .. } if road.mode == Security::Plain => {
            session.ready().await?;
            return Ok(Opened {
                session,
                greeting,
                tls: None,
            });
        }
        link => link,
    };
    let (io, local) = road.to_tls(link, |_: &D| {}).await?;
    let Handshake { report, outcome } =
        tls::handshake(io, road.host, road.mode, trust, deadline).await;
    let (mut session, after) = road.over_tls::<D>(outcome?, local, deadline).await?;
    session.ready().await?;
    Ok(Opened {
        session,
        greeting: greeting.or(after),
        tls: Some(report),
    })
}

/// A new connection walked to where a TLS ClientHello is due, with a transcript of its own:
/// it exists only to ask the server one question about TLS.
pub async fn reach_tls<D: Dialogue>(
    net: &Network,
    road: &Road<'_>,
    addrs: &[SocketAddr],
    deadline: Instant,
) -> Result<BoxIo, Failed> {
    let road = Road {
        transcript: Transcript::scratch(),
        ..road.clone()
    };
    let connected = net.connect(addrs, deadline).await?;
    let (link, _) = road.greet::<D>(connected, deadline).await?;
    Ok(road.to_tls(link, |_: &D| {}).await?.0)
}
