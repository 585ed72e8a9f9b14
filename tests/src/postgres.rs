//! A real PostgreSQL (Debian's package) started from a temp dir on a free loopback port, for the
//! shared domain-settings database.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::net::{free_port, wait_for};

/// Debian 12's PostgreSQL.
const BIN: &str = "/usr/lib/postgresql/15/bin";
const INSTALL: &str = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql";

pub struct Postgres {
    pub url: String,
    _dir: tempfile::TempDir,
    child: Child,
}

impl Postgres {
    pub fn start() -> Postgres {
        assert!(
            Path::new(BIN).join("postgres").exists(),
            "PostgreSQL is missing. Install it with:\n  {INSTALL}"
        );
        let dir = tempfile::Builder::new()
            .prefix("inbox-doctor-pg-")
            .tempdir()
            .unwrap();
        let data = dir.path().join("data");
        // PostgreSQL refuses to run as root: its files and process belong to `postgres`.
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success());
        let out = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(format!("{BIN}/initdb"))
            .args([
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "-D",
            ])
            .arg(&data)
            .output()
            .expect("initdb");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let child = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(format!("{BIN}/postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-k"])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("postgres");
        wait_for(([127, 0, 0, 1], port).into(), "postgres", &data.join("log"));
        Postgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            _dir: dir,
            child,
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}
