//! Real Dovecot (IMAP, submission, LMTP) and Postfix, configured and started from a temp dir.
//!
//! Addresses: Dovecot listens on 127.0.0.1–7 with a different certificate per address
//! (good, self-signed, expired, wrong name, good with a 3-session limit, expiring, good again);
//! 127.0.0.2 is also where plaintext login is refused (Dovecot trusts only a client whose
//! address equals the server's, and clients reach 127.0.0.2 from 127.0.0.1). Mail sent through
//! Dovecot's submission goes to Postfix, which delivers `@inbox-doctor.test` over LMTP into the
//! INBOX, and nowhere else. Two more Dovecots speak only TLS 1.0, and TLS 1.0 up to 1.3; more
//! Postfix listeners give the SMTP failures (no STARTTLS, refused recipient, sender or message,
//! a held message).

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use inbox_doctor_errors::{DiagnosisRequest, Secret, Security, ServerSettings};

use crate::certs::{self, Certs};
use crate::net::{free_port, wait_for};

pub const EMAIL: &str = "alice@inbox-doctor.test";
pub const PASSWORD: &str = "alice-S3cret!pw";
/// A second user, for separate SMTP credentials.
pub const BOB: &str = "bob@inbox-doctor.test";
pub const BOB_PASSWORD: &str = "bob-0ther#pw";
/// A user whose INBOX cannot be opened.
pub const DAVE: &str = "dave@inbox-doctor.test";
pub const DAVE_PASSWORD: &str = "dave-pw-123";

const DOVECOT: &str = "/usr/sbin/dovecot";
const POSTFIX_MASTER: &str = "/usr/lib/postfix/sbin/master";
const INSTALL: &str = "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections && apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dovecot-imapd dovecot-submissiond dovecot-lmtpd postfix openssl";

/// A request for the harness's mailbox: implicit TLS for IMAP and STARTTLS for submission on
/// 127.0.0.1, the test email sent and awaited.
pub fn request(imaps: u16, submission: u16, password: &str) -> DiagnosisRequest {
    let server = |port, security| ServerSettings {
        host: "127.0.0.1".into(),
        port,
        security,
    };
    let mut r = DiagnosisRequest::new(
        EMAIL,
        Secret::new(password),
        server(imaps, Security::Tls),
        server(submission, Security::Starttls),
    );
    r.roundtrip = true;
    r
}

/// A run that only logs in with `password` (no test email, no session check): a guess, as a
/// guessing loop would send it.
pub fn guess(h: &Harness, password: &str) -> DiagnosisRequest {
    let mut r = request(h.dovecot.imaps, h.dovecot.submission, password);
    r.send = false;
    r.roundtrip = false;
    r.session_target = 1;
    r
}

/// Ports of one Dovecot instance (the same port on each of its addresses).
#[derive(Clone, Copy, Debug)]
pub struct DovecotPorts {
    /// IMAP with STARTTLS.
    pub imap: u16,
    /// IMAP with implicit TLS.
    pub imaps: u16,
    /// Submission with STARTTLS.
    pub submission: u16,
    /// Submission with implicit TLS.
    pub submissions: u16,
}

/// Ports of Postfix's smtpd listeners.
#[derive(Clone, Copy, Debug)]
pub struct PostfixPorts {
    /// Where Dovecot's submission relays to (no AUTH; trusts loopback).
    pub relay: u16,
    /// AUTH, but no STARTTLS.
    pub no_starttls: u16,
    /// AUTH, then refuses the recipient: `554 5.7.1 … Relay access denied`.
    pub refuse_recipient: u16,
    /// AUTH, accepts, then holds the message so it never arrives.
    pub hold: u16,
    /// AUTH, then refuses a sender address the login does not own.
    pub sender_check: u16,
    /// AUTH, then refuses the message after its body.
    pub refuse_message: u16,
}

/// Which TLS versions a Dovecot instance speaks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TlsRange {
    /// Dovecot's defaults (TLS 1.2 and up), many addresses and certificates.
    Modern,
    /// Only TLS 1.0 (an outdated server).
    Tls10Only,
    /// TLS 1.0 up to 1.3 (works, but still accepts outdated clients).
    Tls10AndUp,
}

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub certs: Certs,
    pub dovecot: DovecotPorts,
    /// A second Dovecot that speaks only TLS 1.0 (127.0.0.1).
    pub legacy: DovecotPorts,
    /// A third Dovecot that speaks TLS 1.3 but also still TLS 1.0 (127.0.0.1).
    pub weak: DovecotPorts,
    pub postfix: PostfixPorts,
    children: Vec<Child>,
}

fn require(binary: &str) {
    assert!(
        Path::new(binary).exists(),
        "{binary} is missing. Install the mail servers with:\n  {INSTALL}"
    );
}

pub(crate) fn chown(path: &Path, user: &str) {
    let status = Command::new("chown")
        .args(["-R", user])
        .arg(path)
        .status()
        .expect("chown");
    assert!(status.success(), "chown {user} {}", path.display());
}

pub(crate) fn spawn(mut command: Command, what: &str) -> Child {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"))
}

impl Harness {
    /// Starts everything; panics with the install command when a server is missing.
    pub fn start() -> Harness {
        require(DOVECOT);
        require(POSTFIX_MASTER);
        let dir = tempfile::Builder::new()
            .prefix("inbox-doctor-")
            .tempdir()
            .expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let certs = certs::make(dir.path());
        for (_, key) in [
            &certs.good,
            &certs.self_signed,
            &certs.expired,
            &certs.wrong_name,
            &certs.expiring,
            &certs.rsa,
        ] {
            std::fs::set_permissions(key, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let ports = || DovecotPorts {
            imap: free_port(),
            imaps: free_port(),
            submission: free_port(),
            submissions: free_port(),
        };
        let dovecot = ports();
        let legacy = ports();
        let weak = ports();
        let postfix = PostfixPorts {
            relay: free_port(),
            no_starttls: free_port(),
            refuse_recipient: free_port(),
            hold: free_port(),
            sender_check: free_port(),
            refuse_message: free_port(),
        };
        let lmtp = free_port();
        let auth = free_port();

        let mut children = Vec::new();
        let main_dir = dir.path().join("dovecot");
        write_dovecot(
            &main_dir,
            &certs,
            dovecot,
            Some((lmtp, auth, postfix.relay)),
            TlsRange::Modern,
        );
        let mut cmd = Command::new(DOVECOT);
        cmd.arg("-F").arg("-c").arg(main_dir.join("dovecot.conf"));
        children.push(spawn(cmd, "dovecot"));

        let legacy_dir = dir.path().join("dovecot-legacy");
        let weak_dir = dir.path().join("dovecot-weak");
        for (dir, ports, range) in [
            (&legacy_dir, legacy, TlsRange::Tls10Only),
            (&weak_dir, weak, TlsRange::Tls10AndUp),
        ] {
            write_dovecot(dir, &certs, ports, None, range);
            let mut cmd = Command::new(DOVECOT);
            cmd.arg("-F")
                .arg("-c")
                .arg(dir.join("dovecot.conf"))
                .env("OPENSSL_CONF", dir.join("openssl.cnf"));
            children.push(spawn(cmd, "dovecot (legacy TLS)"));
        }

        let pf_dir = dir.path().join("postfix");
        write_postfix(&pf_dir, &certs, postfix, lmtp, auth);
        let mut cmd = Command::new(POSTFIX_MASTER);
        cmd.arg("-c").arg(&pf_dir).arg("-d");
        children.push(spawn(cmd, "postfix"));

        let harness = Harness {
            dir,
            certs,
            dovecot,
            legacy,
            weak,
            postfix,
            children,
        };
        let at = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
        let dlog = main_dir.join("dovecot.log");
        wait_for(at(dovecot.imap), "dovecot", &dlog);
        wait_for(at(dovecot.submission), "dovecot submission", &dlog);
        wait_for(at(lmtp), "dovecot lmtp", &dlog);
        wait_for(
            at(legacy.imaps),
            "dovecot (TLS 1.0)",
            &legacy_dir.join("dovecot.log"),
        );
        let plog = pf_dir.join("maillog");
        for p in [
            postfix.relay,
            postfix.no_starttls,
            postfix.refuse_recipient,
            postfix.hold,
        ] {
            wait_for(at(p), "postfix", &plog);
        }
        harness
    }

    pub fn ca(&self) -> &str {
        self.certs.ca.to_str().expect("utf-8 path")
    }

    /// The logs of every server, for failure messages.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for f in [
            "dovecot/dovecot.log",
            "dovecot-legacy/dovecot.log",
            "postfix/maillog",
        ] {
            let text = std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default();
            out.push_str(&format!("==> {f}\n{text}\n"));
        }
        out
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        for child in &mut self.children {
            // Each server leads its own process group; end the whole group.
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGTERM);
            }
        }
        for child in &mut self.children {
            let _ = child.wait();
        }
        if std::env::var_os("IDR_KEEP_HARNESS").is_some() {
            let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("tempdir"));
            eprintln!("harness kept in {}", dir.keep().display());
        }
    }
}

fn write_dovecot(
    dir: &Path,
    certs: &Certs,
    ports: DovecotPorts,
    full: Option<(u16, u16, u16)>,
    tls: TlsRange,
) {
    for sub in ["run", "state", "mail"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("run"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let d = dir.display();
    let mail = dir.join("mail");
    // Dave's INBOX points at a file, so SELECT INBOX fails while login works.
    std::fs::create_dir_all(mail.join("dave")).unwrap();
    std::fs::write(mail.join("dave/not-a-mailbox"), "x").unwrap();
    chown(&mail, "nobody:nogroup");
    let home = mail.display();
    std::fs::write(
        dir.join("passwd"),
        format!(
            "alice:{{PLAIN}}{PASSWORD}:65534:65534::{home}/alice::\n\
             bob:{{PLAIN}}{BOB_PASSWORD}:65534:65534::{home}/bob::\n\
             dave:{{PLAIN}}{DAVE_PASSWORD}:65534:65534::{home}/dave::userdb_mail=maildir:~/Maildir:INBOX=~/not-a-mailbox\n"
        ),
    )
    .unwrap();
    let cert = |(c, k): &(PathBuf, PathBuf)| {
        format!("ssl_cert = <{}\n  ssl_key = <{}", c.display(), k.display())
    };
    let mut conf = format!(
        "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
         mail_location = maildir:~/Maildir\n\
         auth_username_format = %Ln\nauth_mechanisms = plain login\nauth_failure_delay = 0\n\
         passdb {{\n  driver = passwd-file\n  args = {d}/passwd\n}}\n\
         userdb {{\n  driver = passwd-file\n  args = {d}/passwd\n}}\n\
         default_login_user = dovenull\ndefault_internal_user = dovecot\n\
         service anvil {{\n  unix_listener anvil-auth-penalty {{\n    mode = 0\n  }}\n}}\n\
         namespace inbox {{\n  inbox = yes\n  separator = /\n\
           mailbox Sent {{\n    special_use = \\Sent\n    auto = create\n  }}\n\
           mailbox Drafts {{\n    special_use = \\Drafts\n    auto = create\n  }}\n}}\n\
         mail_max_userip_connections = 20\n\
         hostname = localhost\n"
    );
    if tls != TlsRange::Modern {
        let (c, k) = &certs.rsa;
        conf.push_str(&format!(
            "protocols = imap submission\nlisten = 127.0.0.1\nssl = yes\n\
             ssl_cert = <{}\nssl_key = <{}\n\
             ssl_min_protocol = TLSv1\nssl_cipher_list = DEFAULT:@SECLEVEL=0\n\
             import_environment = $import_environment OPENSSL_CONF\n\
             submission_relay_host = 127.0.0.1\nsubmission_relay_port = 1\n",
            c.display(),
            k.display()
        ));
        std::fs::write(
            dir.join("openssl.cnf"),
            "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n\
             [ssl_sect]\nsystem_default = system_default_sect\n\
             [system_default_sect]\nMinProtocol = TLSv1\n\
             CipherString = DEFAULT:@SECLEVEL=0\n",
        )
        .unwrap();
        if tls == TlsRange::Tls10Only {
            let cnf = std::fs::read_to_string(dir.join("openssl.cnf")).unwrap();
            std::fs::write(
                dir.join("openssl.cnf"),
                format!("{cnf}MaxProtocol = TLSv1\n"),
            )
            .unwrap();
        }
    } else {
        conf.push_str(&format!(
            "protocols = imap submission lmtp\n\
             listen = 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.7\n\
             ssl = yes\n{}\n\
             local 127.0.0.2 {{\n  {}\n}}\n\
             local 127.0.0.3 {{\n  {}\n}}\n\
             local 127.0.0.4 {{\n  {}\n}}\n\
             local 127.0.0.6 {{\n  {}\n}}\n\
             local 127.0.0.5 {{\n  login_trusted_networks = 127.0.0.0/8\n  protocol imap {{\n    mail_max_userip_connections = 3\n  }}\n}}\n",
            cert(&certs.good),
            cert(&certs.self_signed),
            cert(&certs.expired),
            cert(&certs.wrong_name),
            cert(&certs.expiring),
        ));
    }
    conf.push_str(&format!(
        "service imap-login {{\n  inet_listener imap {{\n    port = {}\n  }}\n  inet_listener imaps {{\n    port = {}\n    ssl = yes\n  }}\n}}\n\
         service submission-login {{\n  inet_listener submission {{\n    port = {}\n  }}\n  inet_listener submissions {{\n    port = {}\n    ssl = yes\n  }}\n}}\n",
        ports.imap, ports.imaps, ports.submission, ports.submissions
    ));
    if let Some((lmtp, auth, relay)) = full {
        conf.push_str(&format!(
            "service lmtp {{\n  inet_listener lmtp {{\n    address = 127.0.0.1\n    port = {lmtp}\n  }}\n}}\n\
             service auth {{\n  inet_listener auth-inet {{\n    address = 127.0.0.1\n    port = {auth}\n  }}\n}}\n\
             submission_relay_host = 127.0.0.1\nsubmission_relay_port = {relay}\n\
             submission_relay_trusted = yes\nsubmission_relay_ssl = no\n"
        ));
    }
    std::fs::write(dir.join("dovecot.conf"), conf).unwrap();
}

fn write_postfix(dir: &Path, certs: &Certs, ports: PostfixPorts, lmtp: u16, auth: u16) {
    let queue = dir.join("queue");
    for sub in [
        "active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "private",
        "saved", "trace", "maildrop", "public", "pid",
    ] {
        std::fs::create_dir_all(queue.join(sub)).unwrap();
    }
    std::fs::create_dir_all(dir.join("data")).unwrap();
    chown(&queue, "postfix:root");
    chown(&dir.join("data"), "postfix:root");
    for (sub, mode) in [("maildrop", 0o730), ("public", 0o710)] {
        chown(&queue.join(sub), "postfix:postdrop");
        std::fs::set_permissions(queue.join(sub), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    chown(&queue.join("pid"), "root:root");
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (cert, key) = &certs.good;
    let d = dir.display();
    let main_cf = format!(
        "compatibility_level = 3.6\n\
         queue_directory = {d}/queue\ndata_directory = {d}/data\n\
         maillog_file = {d}/maillog\nmaillog_file_prefixes = {d}\n\
         mail_owner = postfix\nsetgid_group = postdrop\n\
         myhostname = localhost\nmydomain = inbox-doctor.test\nmydestination =\n\
         inet_interfaces = 127.0.0.1\ninet_protocols = ipv4\nmynetworks = 127.0.0.0/8\n\
         alias_maps =\nalias_database =\nbiff = no\n\
         virtual_mailbox_domains = inbox-doctor.test\n\
         virtual_transport = lmtp:inet:127.0.0.1:{lmtp}\n\
         default_transport = error:tests deliver nowhere else\n\
         relay_transport = error:tests deliver nowhere else\n\
         local_transport = error:tests deliver nowhere else\n\
         smtpd_tls_cert_file = {}\nsmtpd_tls_key_file = {}\nsmtpd_tls_security_level = may\n\
         smtpd_sasl_type = dovecot\nsmtpd_sasl_path = inet:127.0.0.1:{auth}\n\
         smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n\
         refuse_recipient = check_recipient_access inline:{{ {{ {EMAIL} = 554 5.7.1 Relay access denied }} }}\n\
         hold_recipient = check_recipient_access inline:{{ {{ {EMAIL} = HOLD kept for the test }} }}\n\
         sender_owners = inline:{{ {{ {EMAIL} = alice }} }}\n\
         refuse_message = check_client_access inline:{{ {{ 127.0.0.1 = 554 5.6.0 Message content rejected }} }}\n",
        cert.display(),
        key.display()
    );
    std::fs::write(dir.join("main.cf"), main_cf).unwrap();
    // Debian's service list, without its port-25 listener and without chroot (the temp dir
    // is not a chroot jail).
    let stock = std::fs::read_to_string("/etc/postfix/master.cf")
        .expect("/etc/postfix/master.cf is missing: reinstall postfix");
    let mut master = String::new();
    let mut skip_continuation = false;
    for line in stock.lines() {
        if line.starts_with(char::is_whitespace) {
            if !skip_continuation {
                master.push_str(line);
                master.push('\n');
            }
            continue;
        }
        skip_continuation = false;
        let fields: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with('#') || fields.len() < 8 {
            continue;
        }
        if fields[1] == "inet" || fields[7] == "pipe" || fields[0] == "pickup" {
            skip_continuation = true;
            continue;
        }
        let mut f: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
        f[4] = "n".into();
        master.push_str(&f.join(" "));
        master.push('\n');
    }
    let sasl = "-o smtpd_sasl_auth_enable=yes -o mynetworks=127.0.0.255/32 -o smtpd_relay_restrictions=permit_sasl_authenticated,reject";
    master.push_str(&format!(
        "127.0.0.1:{} inet n - n - - smtpd\n\
         127.0.0.1:{} inet n - n - - smtpd -o smtpd_tls_security_level=none {sasl}\n\
         127.0.0.1:{} inet n - n - - smtpd {sasl} -o smtpd_recipient_restrictions=$refuse_recipient\n\
         127.0.0.1:{} inet n - n - - smtpd {sasl} -o smtpd_recipient_restrictions=$hold_recipient\n\
         127.0.0.1:{} inet n - n - - smtpd {sasl} -o smtpd_sender_login_maps=$sender_owners -o smtpd_sender_restrictions=reject_sender_login_mismatch\n\
         127.0.0.1:{} inet n - n - - smtpd {sasl} -o smtpd_end_of_data_restrictions=$refuse_message\n",
        ports.relay,
        ports.no_starttls,
        ports.refuse_recipient,
        ports.hold,
        ports.sender_check,
        ports.refuse_message
    ));
    std::fs::write(dir.join("master.cf"), master).unwrap();
    // Postfix waits when main.cf looks newer than the clock; make it a minute old.
    for f in ["main.cf", "master.cf"] {
        let _ = Command::new("touch")
            .args(["-d", "-1 min"])
            .arg(dir.join(f))
            .status();
    }
}
