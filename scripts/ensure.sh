# Installs what the project needs when it is missing. Sourced by scripts/test and scripts/run.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

ensure_rust() {
  command -v cargo >/dev/null || {
    echo "cargo is missing: install Rust with rustup (https://rustup.rs), then run this again" >&2
    exit 1
  }
}

# Dovecot, Postfix, PostgreSQL, NSD and nginx for the tests (the harness starts them itself, from temp dirs).
ensure_mail_servers() {
  local missing=()
  [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
  dpkg -s dovecot-submissiond >/dev/null 2>&1 || missing+=(dovecot-submissiond)
  dpkg -s dovecot-lmtpd >/dev/null 2>&1 || missing+=(dovecot-lmtpd)
  [ -x /usr/lib/postfix/sbin/master ] || missing+=(postfix)
  command -v openssl >/dev/null || missing+=(openssl)
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  # Discovery's tests: a DNS server and an HTTPS server for autoconfig.
  [ -x /usr/sbin/nsd ] || missing+=(nsd)
  [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    echo 'postfix postfix/main_mailer_type select No configuration' | as_root debconf-set-selections
    apt_install "${missing[@]}"
  fi
}

ensure_wasm_target() {
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
}

ensure_nextest() {
  cargo nextest --version >/dev/null 2>&1 || cargo install cargo-nextest --locked
}

# The browser UI's toolchain: Trunk, the wasm-bindgen CLI matching Cargo.lock, wasm-opt from
# npm (Debian's binaryen is too old), and axe-core from npm for the browser tests.
ensure_web_tools() {
  local wbg
  wbg=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
  wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$" \
    || cargo install wasm-bindgen-cli --version "$wbg" --no-default-features
  trunk --version 2>/dev/null | grep -q "0.21.14" \
    || cargo install trunk --version 0.21.14 --locked
  if [ ! -x tools/node_modules/.bin/wasm-opt ] || [ ! -f tools/node_modules/axe-core/axe.min.js ]; then
    (cd tools && npm ci --no-audit --no-fund)
  fi
  export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
}

ensure_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    apt_install chromium chromium-driver
  fi
}

# What checks the deployment files (scripts/check-deploy): promtool from Debian's prometheus,
# systemd-analyze from Debian's systemd, and hadolint, yamllint and kubernetes-validate from
# PyPI in tools/venv.
ensure_deploy_tools() {
  command -v promtool >/dev/null || apt_install prometheus
  command -v systemd-analyze >/dev/null || apt_install systemd
  if ! cmp -s tools/deploy-requirements.txt tools/venv/installed.txt 2>/dev/null; then
    python3 -m venv tools/venv
    tools/venv/bin/pip install -q --disable-pip-version-check -r tools/deploy-requirements.txt
    cp tools/deploy-requirements.txt tools/venv/installed.txt
  fi
  export PATH="$PWD/tools/venv/bin:$PATH"
  # scripts/check-image: podman with runc (crun refuses the hybrid cgroups of our machines).
  command -v podman >/dev/null && command -v runc >/dev/null || apt_install podman runc
}
