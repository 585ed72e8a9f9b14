//! A hostile mail server: a small, correct IMAP or SMTP server — plain, implicit TLS or
//! STARTTLS — that misbehaves on purpose at one point of the dialogue. It counts, per
//! connection, how often the password reached it, in any spelling (raw, base64 of the SASL
//! PLAIN blob, base64 of the password alone).
//!
//! Only for behaviours no real server here produces; the good mailbox tests use Dovecot and
//! Postfix.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, CustomExtension, DnType, IsCa, KeyPair};
use tokio::io::{
    split, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
    ReadHalf, WriteHalf,
};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::TlsAcceptor;

/// The mailbox the hostile servers know.
pub const USER: &str = "victim@hostile.test";
pub const PASSWORD: &str = "hostile-secret-7Qx";

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Proto {
    Imap,
    Smtp,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Wrap {
    Plain,
    Tls,
    StartTls,
}

/// Where the fault strikes, on every connection.
#[derive(Clone, Debug)]
pub enum At<'a> {
    /// In place of the greeting (after the handshake on implicit TLS).
    Greeting,
    /// In place of the answer to a client line with this command word (`LOGIN`, `LIST`,
    /// `EHLO`, `AUTH`, `DATA`…; case-insensitive).
    Command(&'a str),
    /// In place of the TLS handshake: at accept on implicit TLS, after STARTTLS was agreed.
    Handshake,
    /// In place of the answer to the end of the message data (the `.` line).
    EndOfData,
}

/// One thing the server does at the fault; after the last one it serves normally again.
/// In what it sends, `{tag}` stands for the IMAP tag of the line that met the fault.
#[derive(Clone, Debug)]
pub enum Do {
    Send(Vec<u8>),
    /// The same bytes again and again, as long as the client reads (at most 256 MB).
    Forever(Vec<u8>),
    /// These bytes, one every 700 ms.
    Trickle(Vec<u8>),
    /// Reads whatever the client sent next (a ClientHello, say), up to 64 KB.
    ReadSome,
    /// Answers every further client line with these bytes.
    EveryLine(Vec<u8>),
    /// Closes the connection with a FIN.
    Close,
    /// Resets the connection (RST).
    Reset,
    /// Keeps the connection open and answers nothing more.
    Stall,
}

pub fn send(text: &str) -> Do {
    Do::Send(text.as_bytes().to_vec())
}

/// Which certificate chain the TLS side presents.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Chain {
    /// A leaf for 127.0.0.1 signed by the test CA.
    Good,
    /// The good leaf followed by 999 copies of the CA certificate.
    Thousand,
    /// A leaf carrying a 1 MB extension.
    Huge,
}

#[derive(Clone, Debug)]
pub struct Script {
    pub proto: Proto,
    pub wrap: Wrap,
    pub fault: Option<(At<'static>, Vec<Do>)>,
    pub chain: Chain,
    /// IMAP: `LOGINDISABLED` in the capabilities (with `AUTH=PLAIN`, without `SASL-IR`), so
    /// the login goes through a continuation.
    pub login_disabled: bool,
}

impl Script {
    /// A server that behaves.
    pub fn good(proto: Proto, wrap: Wrap) -> Script {
        Script {
            proto,
            wrap,
            fault: None,
            chain: Chain::Good,
            login_disabled: false,
        }
    }

    pub fn fault(mut self, at: At<'static>, acts: Vec<Do>) -> Script {
        self.fault = Some((at, acts));
        self
    }

    /// What to do at `point`, when the fault strikes there.
    fn acts(&self, point: &At<'_>) -> Option<&[Do]> {
        let (at, acts) = self.fault.as_ref()?;
        let hit = match (at, point) {
            (At::Command(a), At::Command(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        };
        hit.then_some(acts.as_slice())
    }
}

/// A running hostile server; stops when dropped.
pub struct Hostile {
    pub addr: SocketAddr,
    /// The CA that signed the server's certificate (for `--ca-file`).
    pub ca_file: PathBuf,
    /// Per accepted connection, what the client sent.
    connections: Arc<Mutex<Vec<Seen>>>,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    pub async fn start(script: Script) -> Hostile {
        let dir = tempfile::tempdir().expect("temp dir");
        let (acceptor, ca_pem) = tls(script.chain);
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, ca_pem).expect("write CA");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let connections = Arc::new(Mutex::new(Vec::new()));
        let counts = connections.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let slot = {
                    let mut c = counts.lock().unwrap();
                    c.push(Seen::default());
                    c.len() - 1
                };
                let count = Counter {
                    counts: counts.clone(),
                    slot,
                };
                let (script, acceptor, ended) = (script.clone(), acceptor.clone(), counts.clone());
                tokio::spawn(async move {
                    serve(stream, script, acceptor, count).await;
                    ended.lock().unwrap()[slot].ended = true;
                });
            }
        });
        Hostile {
            addr,
            ca_file,
            connections,
            _dir: dir,
            task,
        }
    }

    /// The most lines with the password that any one connection received.
    pub fn most_passwords_per_connection(&self) -> usize {
        let seen = self.connections.lock().unwrap();
        seen.iter().map(|s| s.passwords).max().unwrap_or(0)
    }

    /// Connections still open.
    pub fn open(&self) -> usize {
        let seen = self.connections.lock().unwrap();
        seen.iter().filter(|s| !s.ended).count()
    }

    /// Connections that got as far as a protocol line (not TLS probes that never finished a
    /// handshake).
    pub fn sessions(&self) -> usize {
        let seen = self.connections.lock().unwrap();
        seen.iter().filter(|s| s.lines > 0).count()
    }
}

/// What one connection's client sent.
#[derive(Clone, Copy, Default)]
struct Seen {
    lines: usize,
    /// Lines that carried the password.
    passwords: usize,
    /// The connection has ended.
    ended: bool,
}

struct Counter {
    counts: Arc<Mutex<Vec<Seen>>>,
    slot: usize,
}

impl Counter {
    /// Counts `line` when it carries the password in any spelling.
    fn see(&self, line: &str) {
        let b64 = base64::engine::general_purpose::STANDARD;
        let carries = line.contains(PASSWORD)
            || line.split_whitespace().any(|word| {
                b64.decode(word.trim_matches('"'))
                    .is_ok_and(|d| String::from_utf8_lossy(&d).contains(PASSWORD))
            });
        let mut counts = self.counts.lock().unwrap();
        counts[self.slot].lines += 1;
        if carries {
            counts[self.slot].passwords += 1;
        }
    }
}

type Io = Box<dyn IoStream>;
trait IoStream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> IoStream for T {}

/// One connection: a bounded line reader that counts passwords, and the writing half.
struct Peer {
    read: BufReader<ReadHalf<Io>>,
    write: WriteHalf<Io>,
    count: Counter,
}

/// The connection ended (closed by either side, or the script ended it).
struct Gone;

const MAX_CLIENT_LINE: u64 = 1 << 20;

impl Peer {
    fn new(io: Io, count: Counter) -> Peer {
        let (read, write) = split(io);
        Peer {
            read: BufReader::new(read),
            write,
            count,
        }
    }

    async fn line(&mut self) -> Result<String, Gone> {
        let mut buf = Vec::new();
        let n = (&mut self.read)
            .take(MAX_CLIENT_LINE)
            .read_until(b'\n', &mut buf)
            .await
            .map_err(|_| Gone)?;
        if n == 0 {
            return Err(Gone);
        }
        let line = String::from_utf8_lossy(&buf)
            .trim_end_matches(['\r', '\n'])
            .to_owned();
        self.count.see(&line);
        Ok(line)
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), Gone> {
        self.write.write_all(bytes).await.map_err(|_| Gone)?;
        self.write.flush().await.map_err(|_| Gone)
    }

    /// Back to one stream, for a TLS handshake.
    fn into_io(self) -> (Io, Counter) {
        (self.read.into_inner().unsplit(self.write), self.count)
    }

    /// Reads (and counts) what the client sends until it goes away.
    async fn drain(&mut self) -> Gone {
        loop {
            if let Err(end) = self.line().await {
                return end;
            }
        }
    }

    async fn forever(&mut self, chunk: &[u8]) -> Gone {
        let mut sent = 0usize;
        loop {
            tokio::select! {
                r = self.write.write_all(chunk) => {
                    sent += chunk.len();
                    if r.is_err() {
                        return Gone;
                    }
                    if sent > 256 << 20 {
                        return self.drain().await;
                    }
                }
                r = Self::line_of(&mut self.read, &self.count) => {
                    if r.is_err() {
                        return Gone;
                    }
                }
            }
        }
    }

    /// A line read from `read` alone, so that a write can go on at the same time.
    async fn line_of(read: &mut BufReader<ReadHalf<Io>>, count: &Counter) -> Result<(), Gone> {
        let mut buf = Vec::new();
        match read.take(MAX_CLIENT_LINE).read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => Err(Gone),
            Ok(_) => {
                count.see(&String::from_utf8_lossy(&buf));
                Ok(())
            }
        }
    }

    async fn read_some(&mut self) -> Result<(), Gone> {
        let mut buf = vec![0u8; 65536];
        match tokio::time::timeout(Duration::from_secs(5), self.read.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => Ok(()),
            _ => Err(Gone),
        }
    }
}

/// What to do after a fault's acts ran out.
enum After {
    Serve,
    /// Answer every line with these bytes.
    EveryLine(Vec<u8>),
}

/// Plays the acts; `Ok` to go on serving.
async fn play(peer: &mut Peer, acts: &[Do], tag: &str) -> Result<After, Gone> {
    let tagged = |bytes: &[u8]| -> Vec<u8> {
        match bytes.windows(5).position(|w| w == b"{tag}") {
            Some(i) => [&bytes[..i], tag.as_bytes(), &bytes[i + 5..]].concat(),
            None => bytes.to_vec(),
        }
    };
    for act in acts {
        match act {
            Do::Send(bytes) => peer.send(&tagged(bytes)).await?,
            Do::Forever(chunk) => return Err(peer.forever(chunk).await),
            Do::Trickle(bytes) => {
                for b in bytes {
                    peer.send(&[*b]).await?;
                    tokio::time::sleep(Duration::from_millis(700)).await;
                }
            }
            Do::ReadSome => peer.read_some().await?,
            Do::EveryLine(bytes) => return Ok(After::EveryLine(tagged(bytes))),
            Do::Close => {
                let _ = peer.write.shutdown().await;
                return Err(Gone);
            }
            // The socket's zero linger (set at accept) turns the drop into a reset.
            Do::Reset => return Err(Gone),
            Do::Stall => return Err(peer.drain().await),
        }
    }
    Ok(After::Serve)
}

async fn serve(stream: TcpStream, script: Script, acceptor: TlsAcceptor, count: Counter) {
    let resets = script
        .fault
        .as_ref()
        .is_some_and(|(_, acts)| acts.iter().any(|a| matches!(a, Do::Reset)));
    if resets {
        // Dropping a socket with a zero linger sends RST instead of FIN.
        let _ = stream.set_zero_linger();
    }
    let mut peer = Peer::new(Box::new(stream), count);
    if script.wrap == Wrap::Tls {
        match handshake(peer, &script, &acceptor).await {
            Ok(p) => peer = p,
            Err(Gone) => return,
        }
    }
    let mut dialogue = Dialogue {
        script: &script,
        tls: script.wrap == Wrap::Tls,
        sasl: Sasl::None,
        in_data: false,
    };
    let mut every_line = None;
    match script.acts(&At::Greeting) {
        Some(acts) => match play(&mut peer, acts, "*").await {
            Ok(After::Serve) => {}
            Ok(After::EveryLine(bytes)) => every_line = Some(bytes),
            Err(Gone) => return,
        },
        None => {
            if peer.send(dialogue.greeting().as_bytes()).await.is_err() {
                return;
            }
        }
    }
    loop {
        let Ok(line) = peer.line().await else {
            return;
        };
        if let Some(bytes) = &every_line {
            if peer.send(bytes).await.is_err() {
                return;
            }
            continue;
        }
        if let Some(acts) = dialogue.point(&line).and_then(|p| script.acts(&p)) {
            let tag = line.split(' ').next().unwrap_or("*");
            match play(&mut peer, acts, tag).await {
                Ok(After::Serve) => continue,
                Ok(After::EveryLine(bytes)) => {
                    every_line = Some(bytes);
                    continue;
                }
                Err(Gone) => return,
            }
        }
        let sent = match dialogue.answer(&line) {
            Answer::Text(text) => peer.send(text.as_bytes()).await,
            Answer::Nothing => Ok(()),
            Answer::Close(text) => {
                let _ = peer.send(text.as_bytes()).await;
                return;
            }
            Answer::StartTls(text) => match peer.send(text.as_bytes()).await {
                Ok(()) => match handshake(peer, &script, &acceptor).await {
                    Ok(p) => {
                        peer = p;
                        dialogue.tls = true;
                        Ok(())
                    }
                    Err(Gone) => return,
                },
                Err(Gone) => return,
            },
        };
        if sent.is_err() {
            return;
        }
    }
}

/// The TLS handshake, or the fault in its place.
async fn handshake(mut peer: Peer, script: &Script, acceptor: &TlsAcceptor) -> Result<Peer, Gone> {
    if let Some(acts) = script.acts(&At::Handshake) {
        let _ = play(&mut peer, acts, "*").await;
        return Err(Gone);
    }
    let (io, count) = peer.into_io();
    let tls = acceptor.accept(io).await.map_err(|_| Gone)?;
    Ok(Peer::new(Box::new(tls), count))
}

fn imap_caps(script: &Script, tls: bool) -> String {
    let mut caps = vec!["IMAP4rev1", "IDLE", "UIDPLUS"];
    if script.wrap == Wrap::StartTls && !tls {
        caps.push("STARTTLS");
    }
    if script.login_disabled {
        caps.extend(["LOGINDISABLED", "AUTH=PLAIN"]);
    } else {
        caps.extend(["AUTH=PLAIN", "SASL-IR"]);
    }
    caps.join(" ")
}

enum Answer {
    Text(String),
    Nothing,
    Close(String),
    StartTls(String),
}

/// Where a SASL exchange stands.
enum Sasl {
    None,
    /// IMAP AUTHENTICATE PLAIN without an initial response: the blob comes next.
    ImapPlain(String),
    SmtpPlain,
    SmtpLoginUser,
    SmtpLoginPassword,
}

struct Dialogue<'a> {
    script: &'a Script,
    tls: bool,
    sasl: Sasl,
    in_data: bool,
}

impl Dialogue<'_> {
    fn greeting(&self) -> String {
        match self.script.proto {
            Proto::Imap => format!(
                "* OK [CAPABILITY {}] hostile ready\r\n",
                imap_caps(self.script, self.tls)
            ),
            Proto::Smtp => "220 hostile.test ESMTP ready\r\n".to_owned(),
        }
    }

    /// The fault point this client line reaches, if any.
    fn point<'l>(&self, line: &'l str) -> Option<At<'l>> {
        if self.in_data {
            return (line == ".").then_some(At::EndOfData);
        }
        if !matches!(self.sasl, Sasl::None) {
            return None;
        }
        let word = match self.script.proto {
            Proto::Imap => line.split(' ').nth(1),
            Proto::Smtp => line.split(' ').next(),
        };
        word.map(At::Command)
    }

    fn answer(&mut self, line: &str) -> Answer {
        match self.script.proto {
            Proto::Imap => self.imap(line),
            Proto::Smtp => self.smtp(line),
        }
    }

    fn imap(&mut self, line: &str) -> Answer {
        if let Sasl::ImapPlain(tag) = std::mem::replace(&mut self.sasl, Sasl::None) {
            return Answer::Text(self.imap_login(&tag, plain_password(line)));
        }
        let mut words = line.splitn(3, ' ');
        let tag = words.next().unwrap_or("*").to_owned();
        let command = words.next().unwrap_or("").to_ascii_uppercase();
        let rest = words.next().unwrap_or("");
        match command.as_str() {
            "CAPABILITY" => Answer::Text(format!(
                "* CAPABILITY {}\r\n{tag} OK done\r\n",
                imap_caps(self.script, self.tls)
            )),
            "STARTTLS" if self.script.wrap == Wrap::StartTls && !self.tls => {
                Answer::StartTls(format!("{tag} OK Begin TLS\r\n"))
            }
            "LOGIN" if self.script.login_disabled => {
                Answer::Text(format!("{tag} NO [PRIVACYREQUIRED] LOGIN is disabled\r\n"))
            }
            "LOGIN" => {
                let password = rest.rsplit(' ').next().unwrap_or("").trim_matches('"');
                Answer::Text(self.imap_login(&tag, password == PASSWORD))
            }
            "AUTHENTICATE" => match rest.split_once(' ') {
                Some((_, blob)) => Answer::Text(self.imap_login(&tag, plain_password(blob))),
                None => {
                    self.sasl = Sasl::ImapPlain(tag);
                    Answer::Text("+ \r\n".into())
                }
            },
            "LIST" => Answer::Text(format!(
                "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n{tag} OK done\r\n"
            )),
            "EXAMINE" | "SELECT" => Answer::Text(format!(
                "* 0 EXISTS\r\n* FLAGS (\\Seen)\r\n{tag} OK [READ-ONLY] done\r\n"
            )),
            "LOGOUT" => Answer::Close(format!("* BYE bye\r\n{tag} OK done\r\n")),
            "NOOP" => Answer::Text(format!("{tag} OK done\r\n")),
            _ => Answer::Text(format!("{tag} BAD unknown command\r\n")),
        }
    }

    fn imap_login(&self, tag: &str, good: bool) -> String {
        if good {
            format!("{tag} OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS] logged in\r\n")
        } else {
            format!("{tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
        }
    }

    fn smtp(&mut self, line: &str) -> Answer {
        if self.in_data {
            if line == "." {
                self.in_data = false;
                return Answer::Text("250 2.0.0 queued\r\n".into());
            }
            return Answer::Nothing;
        }
        match std::mem::replace(&mut self.sasl, Sasl::None) {
            Sasl::SmtpPlain => return Answer::Text(smtp_auth(plain_password(line))),
            Sasl::SmtpLoginUser => {
                self.sasl = Sasl::SmtpLoginPassword;
                return Answer::Text("334 UGFzc3dvcmQ6\r\n".into());
            }
            Sasl::SmtpLoginPassword => {
                let b64 = base64::engine::general_purpose::STANDARD;
                let said = b64.decode(line.trim()).unwrap_or_default();
                return Answer::Text(smtp_auth(said == PASSWORD.as_bytes()));
            }
            _ => {}
        }
        let mut words = line.split(' ');
        let command = words.next().unwrap_or("").to_ascii_uppercase();
        match command.as_str() {
            "EHLO" => {
                let mut lines = vec!["hostile.test greets you", "PIPELINING", "8BITMIME"];
                if self.script.wrap == Wrap::StartTls && !self.tls {
                    lines.push("STARTTLS");
                }
                lines.push("AUTH PLAIN LOGIN");
                let last = lines.len() - 1;
                let text: String = lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| format!("250{}{l}\r\n", if i == last { ' ' } else { '-' }))
                    .collect();
                Answer::Text(text)
            }
            "STARTTLS" if self.script.wrap == Wrap::StartTls && !self.tls => {
                Answer::StartTls("220 2.0.0 Ready to start TLS\r\n".into())
            }
            "AUTH" => {
                let mechanism = words.next().unwrap_or("").to_ascii_uppercase();
                match (mechanism.as_str(), words.next()) {
                    ("PLAIN", Some(blob)) => Answer::Text(smtp_auth(plain_password(blob))),
                    ("PLAIN", None) => {
                        self.sasl = Sasl::SmtpPlain;
                        Answer::Text("334 \r\n".into())
                    }
                    ("LOGIN", _) => {
                        self.sasl = Sasl::SmtpLoginUser;
                        Answer::Text("334 VXNlcm5hbWU6\r\n".into())
                    }
                    _ => Answer::Text("504 5.5.4 Unrecognized authentication type\r\n".into()),
                }
            }
            "MAIL" | "RCPT" | "RSET" | "NOOP" => Answer::Text("250 2.1.0 Ok\r\n".into()),
            "DATA" => {
                self.in_data = true;
                Answer::Text("354 End data with <CR><LF>.<CR><LF>\r\n".into())
            }
            "QUIT" => Answer::Close("221 2.0.0 Bye\r\n".into()),
            _ => Answer::Text("502 5.5.2 Error: command not recognized\r\n".into()),
        }
    }
}

fn smtp_auth(good: bool) -> String {
    if good {
        "235 2.7.0 Authentication successful\r\n".into()
    } else {
        "535 5.7.8 Error: authentication failed\r\n".into()
    }
}

/// Whether a SASL PLAIN blob carries the password.
fn plain_password(blob: &str) -> bool {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(blob.trim())
        .unwrap_or_default();
    decoded.rsplit(|b| *b == 0).next() == Some(PASSWORD.as_bytes())
}

/// The server's TLS setup for `chain`, and the PEM of the CA to trust.
fn tls(chain: Chain) -> (TlsAcceptor, String) {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.distinguished_name
        .push(DnType::CommonName, "Hostile Test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).expect("CA");
    let leaf_key = KeyPair::generate().expect("key");
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("params");
    leaf.distinguished_name
        .push(DnType::CommonName, "hostile.test");
    if chain == Chain::Huge {
        leaf.custom_extensions
            .push(CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 55555, 1],
                vec![0x41; 1 << 20],
            ));
    }
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).expect("leaf");
    let mut certs: Vec<CertificateDer<'static>> = vec![leaf_cert.der().clone()];
    if chain == Chain::Thousand {
        certs.extend(std::iter::repeat_n(ca_cert.der().clone(), 999));
    }
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let signing_key = provider
        .key_provider
        .load_private_key(key)
        .expect("signing key");
    // Served as given: `with_single_cert` would refuse the huge leaf before a client sees it.
    let served = Arc::new(CertifiedKey::new(certs, signing_key));
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Always(served)));
    (TlsAcceptor::from(Arc::new(config)), ca_cert.pem())
}

/// Presents one chain to every client.
#[derive(Debug)]
struct Always(Arc<CertifiedKey>);

impl ResolvesServerCert for Always {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}
