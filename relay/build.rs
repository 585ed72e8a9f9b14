//! Makes `cargo build --release` give one binary with the page in it. The page is `dist/`,
//! Trunk's output, which `server/ui.rs` embeds (rust-embed). A release build without it builds
//! it here first: Trunk in a target directory of its own (this build holds `target/`'s lock),
//! with the tools `scripts/build-ui` installs. `INBOX_DOCTOR_UI=skip` builds without the page
//! (for the command line alone); debug builds never build it (the tests build it themselves).

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=INBOX_DOCTOR_UI");
    println!("cargo:rerun-if-changed=build.rs");
    // Debug builds read dist/ from disk at run time: a rebuilt page needs no rebuilt relay.
    if std::env::var("PROFILE").is_ok_and(|p| p != "release") {
        return;
    }
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).parent().expect("the workspace");
    let index = root.join("dist/index.html");
    // A new page is embedded anew.
    println!("cargo:rerun-if-changed={}", index.display());
    let skip = std::env::var("INBOX_DOCTOR_UI").is_ok_and(|v| v == "skip");
    if skip || index.exists() {
        return;
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let path = format!(
        "{}:{home}/.cargo/bin:{}",
        root.join("tools/node_modules/.bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut trunk = Command::new("trunk");
    trunk
        .args(["build", "--release", "--offline"])
        .current_dir(root)
        .env("PATH", path);
    // This build's settings are not the page's: the page has its own profile and flags.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_") && key != "CARGO_HOME" || key == "RUSTFLAGS" {
            trunk.env_remove(key.as_ref());
        }
    }
    trunk.env("CARGO_TARGET_DIR", root.join("target/ui"));
    match trunk.status() {
        Ok(status) if status.success() => {}
        outcome => panic!(
            "the page could not be built into the binary ({outcome:?}). Run scripts/build-ui \
             once (it installs Trunk, wasm-bindgen and wasm-opt and builds dist/), or build \
             without the page: INBOX_DOCTOR_UI=skip cargo build --release"
        ),
    }
}
