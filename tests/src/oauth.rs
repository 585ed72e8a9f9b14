//! Mail servers that take only OAuth access tokens: real Dovecot with its `oauth2` passdb,
//! which asks the harness's authorization server ([`crate::authz`]) about every token
//! (RFC 7662 introspection) and checks what the token says — its user, its audience and the
//! scope each service needs — before it lets the login in. Two instances, because the scope
//! differs per service: IMAP (implicit TLS) wants `imap`, submission (STARTTLS, relaying to
//! the harness's Postfix) wants `smtp`.

use std::path::Path;
use std::process::{Child, Command};

use crate::authz::{AuthServer, AUDIENCE, CLIENT_ID, CLIENT_SECRET, IMAP_SCOPE, SMTP_SCOPE};
use crate::mail::{chown, spawn, Harness};
use crate::net::{free_port, wait_for};

const DOVECOT: &str = "/usr/sbin/dovecot";

pub struct OauthMail {
    /// IMAP with implicit TLS.
    pub imaps: u16,
    /// Submission with STARTTLS.
    pub submission: u16,
    pub auth: AuthServer,
    dir: tempfile::TempDir,
    children: Vec<Child>,
}

impl OauthMail {
    /// Starts the authorization server and both Dovecot instances, next to `h` (its
    /// certificates, and its Postfix, which takes the test email).
    pub fn start(h: &Harness) -> OauthMail {
        let auth = AuthServer::start();
        let dir = tempfile::Builder::new()
            .prefix("inbox-doctor-oauth-")
            .tempdir()
            .expect("tempdir");
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let mail = dir.path().join("mail");
        std::fs::create_dir_all(mail.join("alice")).unwrap();
        chown(&mail, "nobody:nogroup");
        let (imaps, submission) = (free_port(), free_port());
        let mut children = Vec::new();
        for (name, scope, listener) in [
            (
                "imap",
                IMAP_SCOPE,
                format!(
                    "protocols = imap\nservice imap-login {{\n  inet_listener imap {{\n    port = 0\n  }}\n  \
                     inet_listener imaps {{\n    port = {imaps}\n    ssl = yes\n  }}\n}}\n"
                ),
            ),
            (
                "submission",
                SMTP_SCOPE,
                format!(
                    "protocols = submission\nservice submission-login {{\n  inet_listener submission {{\n    port = {submission}\n  }}\n}}\n\
                     submission_relay_host = 127.0.0.1\nsubmission_relay_port = {}\n\
                     submission_relay_trusted = yes\nsubmission_relay_ssl = no\n",
                    h.postfix.relay
                ),
            ),
        ] {
            let d = dir.path().join(name);
            write_dovecot(&d, h, &auth, &mail, scope, &listener);
            let mut cmd = Command::new(DOVECOT);
            cmd.arg("-F").arg("-c").arg(d.join("dovecot.conf"));
            children.push(spawn(cmd, "dovecot (oauth2)"));
        }
        let at = |port: u16| std::net::SocketAddr::from(([127, 0, 0, 1], port));
        wait_for(
            at(imaps),
            "dovecot (oauth2, imap)",
            &dir.path().join("imap/dovecot.log"),
        );
        wait_for(
            at(submission),
            "dovecot (oauth2, submission)",
            &dir.path().join("submission/dovecot.log"),
        );
        OauthMail {
            imaps,
            submission,
            auth,
            dir,
            children,
        }
    }

    /// Both instances' logs, for failure messages.
    pub fn logs(&self) -> String {
        ["imap", "submission"]
            .iter()
            .map(|n| {
                let log = std::fs::read_to_string(self.dir.path().join(n).join("dovecot.log"))
                    .unwrap_or_default();
                format!("==> {n}\n{log}\n")
            })
            .collect()
    }

    /// The authorization server as a provider of the relay's configuration: what its mail
    /// servers take, and the client the relay signs users in with, sent back to `redirects`.
    pub fn provider(&self, redirects: &[String]) -> inbox_doctor::config::OauthProvider {
        inbox_doctor::config::OauthProvider {
            label: Some("Harness IdP".to_owned()),
            issuer: Some(self.auth.issuer.clone()),
            audiences: vec![AUDIENCE.to_owned()],
            imap_scope: Some(IMAP_SCOPE.to_owned()),
            smtp_scope: Some(SMTP_SCOPE.to_owned()),
            client_id: Some(CLIENT_ID.to_owned()),
            client_secret: Some(CLIENT_SECRET.to_owned()),
            authorize_url: Some(self.auth.url("/authorize")),
            token_url: Some(self.auth.url("/token")),
            device_url: Some(self.auth.url("/device")),
            scopes: vec![IMAP_SCOPE.to_owned(), SMTP_SCOPE.to_owned()],
            redirect_uris: redirects.to_vec(),
        }
    }

    /// [`OauthMail::provider`] as lines of the relay's configuration file.
    pub fn provider_toml(&self, redirects: &[String]) -> String {
        #[derive(serde::Serialize)]
        struct File {
            oauth: inbox_doctor::config::OauthConfig,
        }
        let mut oauth = inbox_doctor::config::OauthConfig::default();
        oauth
            .providers
            .insert("harness".into(), self.provider(redirects));
        toml::to_string(&File { oauth }).expect("serializes")
    }
}

impl Drop for OauthMail {
    fn drop(&mut self) {
        for child in &mut self.children {
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGTERM);
            }
        }
        for child in &mut self.children {
            let _ = child.wait();
        }
    }
}

fn write_dovecot(
    dir: &Path,
    h: &Harness,
    auth: &AuthServer,
    mail: &Path,
    scope: &str,
    listener: &str,
) {
    for sub in ["run", "state"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let d = dir.display();
    let (cert, key) = &h.certs.good;
    std::fs::write(
        dir.join("oauth2.conf.ext"),
        format!(
            "introspection_mode = post\nintrospection_url = http://{}/introspect\n\
             force_introspection = yes\nusername_attribute = email\n\
             active_attribute = active\nactive_value = true\n\
             scope = {scope}\naudience = {AUDIENCE}\n",
            auth.addr
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("dovecot.conf"),
        format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
             auth_verbose = yes\nauth_debug = yes\n\
             mail_location = maildir:~/Maildir\n\
             auth_mechanisms = xoauth2 oauthbearer\nauth_failure_delay = 0\n\
             passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {d}/oauth2.conf.ext\n}}\n\
             userdb {{\n  driver = static\n  args = uid=65534 gid=65534 home={}/%n\n}}\n\
             default_login_user = dovenull\ndefault_internal_user = dovecot\n\
             service anvil {{\n  unix_listener anvil-auth-penalty {{\n    mode = 0\n  }}\n}}\n\
             listen = 127.0.0.1\nssl = yes\nssl_cert = <{}\nssl_key = <{}\n\
             hostname = localhost\n{listener}",
            mail.display(),
            cert.display(),
            key.display()
        ),
    )
    .unwrap();
}
