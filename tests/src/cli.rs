//! Runs the real `inbox-doctor` binary and reads its JSON report.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// The binary built from `relay/`, next to this test executable's directory.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join("inbox-doctor");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p inbox-doctor-relay` first (the test command does)",
        bin.display()
    );
    bin
}

/// One finished run of `inbox-doctor check`.
pub struct CheckRun {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    /// The parsed report, when `--json` was given and the run got that far.
    pub report: Option<Value>,
}

impl CheckRun {
    pub fn report(&self) -> &Value {
        self.report.as_ref().unwrap_or_else(|| {
            panic!(
                "no JSON report (exit {}):\nstdout:\n{}\nstderr:\n{}",
                self.status, self.stdout, self.stderr
            )
        })
    }

    /// The failure's category and cause.
    pub fn diagnosis(&self) -> (String, String) {
        let f = &self.report()["failure"];
        (
            f["category"].as_str().unwrap_or("(none)").to_owned(),
            f["cause"].as_str().unwrap_or("(none)").to_owned(),
        )
    }

    pub fn step_status(&self, step: &str) -> String {
        self.report()["steps"]
            .as_array()
            .and_then(|s| s.iter().find(|x| x["step"] == step))
            .and_then(|x| x["status"].as_str())
            .unwrap_or("(missing)")
            .to_owned()
    }

    pub fn warning_causes(&self) -> Vec<String> {
        self.report()["warnings"]
            .as_array()
            .map(|w| {
                w.iter()
                    .filter_map(|x| x["cause"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Runs `inbox-doctor check ARGS`, with `password` in `$IDR_PASSWORD` unless the arguments
/// already say how to get it, and `stdin` on standard input.
pub fn check(args: &[&str], password: &str, stdin: Option<&str>) -> CheckRun {
    let mut args = args.to_vec();
    if !args.iter().any(|a| a.starts_with("--password")) {
        args.extend(["--password-env", "IDR_PASSWORD"]);
    }
    check_with(&args, &[("IDR_PASSWORD", password)], stdin)
}

/// Runs `inbox-doctor check ARGS` with exactly these extra environment variables.
pub fn check_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> CheckRun {
    let mut cmd = Command::new(binary());
    cmd.arg("check")
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn inbox-doctor");
    {
        let mut input = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("write stdin");
        }
    }
    let out = child.wait_with_output().expect("wait inbox-doctor");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let report = serde_json::from_str(&stdout).ok();
    CheckRun {
        status: out.status.code().unwrap_or(-1),
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        report,
    }
}

/// Runs `inbox-doctor discover ARGS` (`--json` is the caller's to add); the report field holds
/// the parsed discovery.
pub fn discover(args: &[&str]) -> CheckRun {
    let out = Command::new(binary())
        .arg("discover")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run inbox-doctor discover");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    CheckRun {
        status: out.status.code().unwrap_or(-1),
        report: serde_json::from_str(&stdout).ok(),
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
