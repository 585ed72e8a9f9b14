//! `inbox-doctor check --json` against real Dovecot and Postfix.

use inbox_doctor_tests::{check, Harness, EMAIL, PASSWORD};

fn addr(ip: &str, port: u16) -> String {
    format!("{ip}:{port}")
}

#[test]
fn smoke_good_mailbox() {
    let h = Harness::start();
    let run = check(
        &[
            "--email",
            EMAIL,
            "--imap",
            &addr("127.0.0.1", h.dovecot.imaps),
            "--imap-security",
            "tls",
            "--smtp",
            &addr("127.0.0.1", h.dovecot.submission),
            "--smtp-security",
            "starttls",
            "--ca-file",
            h.ca(),
            "--roundtrip",
            "--json",
        ],
        PASSWORD,
        None,
    );
    println!("{}", run.stdout);
    eprintln!("{}", run.stderr);
    eprintln!("{}", h.logs());
    assert_eq!(run.status, 0);
}
