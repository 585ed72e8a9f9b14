//! Every cross-component test, in one binary: each file was a test binary of its own, and each
//! linked the whole relay again (about 110 MB and a link step apiece on disk and in CI's time).
//! nextest still runs every test in a process of its own.

mod abuse;
mod admin;
mod browser;
mod browser_side;
mod check;
mod discover;
mod domain_changes;
mod egress;
mod hostile;
mod oauth;
mod relay;
mod replicas;
mod serve;
