//! `inbox-doctor check`: the flags become a request (servers discovered when not given), the
//! diagnosis runs with its steps printed live, and the report is summed up or printed as JSON.

use std::io::BufRead;
use std::time::Duration;

use inbox_doctor_errors::text::Lang;
use inbox_doctor_errors::{AuthMethod, DiagnosisRequest, Outcome, Report, Secret, Security};
use tokio::sync::mpsc;

use super::args::{server_settings, CheckArgs, SecurityArg};
use super::render::{print_event, print_json, print_summary};
use super::{discover, Exit, UsageError};
use crate::engine::{self, EngineConfig};
use crate::oauth::signin::Signin;

/// Runs `inbox-doctor check`: passed when every step passed, failed when one failed.
pub async fn check(mut args: CheckArgs) -> Result<Exit, UsageError> {
    if args.imap.is_none() || args.smtp.is_none() {
        fill_from_discovery(&mut args).await?;
    }
    let signed_in = match &args.oauth_provider {
        Some(name) => Some(device_signin(&args, name).await?),
        None => None,
    };
    let (req, config) = request(&args, &mut std::io::stdin().lock(), signed_in)?;
    let report = diagnose(&req, &config, !args.json).await?;
    let exit = match report.outcome {
        Outcome::Passed => Exit::Passed,
        Outcome::Failed => Exit::Failed,
    };
    if args.json {
        return print_json(&report, exit);
    }
    let _ = print_summary(&mut std::io::stdout(), &report, req.lang);
    Ok(exit)
}

/// Signs in with the configured provider `name` by the device grant (RFC 8628): says where to
/// go and what to enter on standard error, then waits for the token.
async fn device_signin(args: &CheckArgs, name: &str) -> Result<Secret, UsageError> {
    let Some(path) = &args.discovery.config else {
        return Err(UsageError(format!(
            "--oauth-provider {name} needs the relay configuration that names it (--config FILE)"
        )));
    };
    let providers = super::load_config(Some(path))?.oauth.providers();
    let provider = providers.get(name).ok_or_else(|| {
        UsageError(format!(
            "{} has no [oauth.providers.{name}]",
            path.display()
        ))
    })?;
    let roots = crate::net::tls::TrustRoots::load(&args.ca_file).map_err(UsageError::of)?;
    let signin = Signin::new(name, provider, &roots).map_err(UsageError::of)?;
    let started = signin.device_start().await.map_err(UsageError::of)?;
    let label = provider.label.as_deref().unwrap_or(name);
    eprintln!(
        "To sign in with {label}, open {} and enter the code {}",
        started.verification_uri, started.user_code
    );
    let granted = signin
        .device_finish(&started, DEVICE_WAIT)
        .await
        .map_err(UsageError::of)?;
    eprintln!("Signed in.");
    Ok(granted.access_token)
}

/// How long the command waits for a device sign-in (codes usually live 15 minutes).
const DEVICE_WAIT: Duration = Duration::from_secs(15 * 60);

/// Turns the flags into a request and the engine settings; `signed_in`: a token the device
/// grant got, in place of one from the environment or standard input.
pub fn request(
    args: &CheckArgs,
    stdin: &mut dyn BufRead,
    signed_in: Option<Secret>,
) -> Result<(DiagnosisRequest, EngineConfig), UsageError> {
    let given = |s: &Option<String>, flag: &str| {
        s.clone()
            .ok_or_else(|| UsageError(format!("--{flag} is missing and was not discovered")))
    };
    let imap = server_settings(&given(&args.imap, "imap")?, 993, "imap", args.imap_security)?;
    let smtp = server_settings(&given(&args.smtp, "smtp")?, 587, "smtp", args.smtp_security)?;
    let auth = AuthMethod::from(args.auth);
    let smtp_auth = args.smtp_auth.map(AuthMethod::from);
    let uses = |method| auth == method || smtp_auth == Some(method);
    let from_env = |var: &Option<String>| var.as_deref().map(secret_from_env).transpose();
    // Only what a side logs in with is asked for: a mailbox on tokens alone needs no password.
    let password = if uses(AuthMethod::Password) {
        secret(
            args.password_env.as_deref(),
            args.password_stdin,
            "password",
            stdin,
        )?
    } else {
        Secret::default()
    };
    let oauth_token = match signed_in {
        Some(token) => Some(token),
        None if uses(AuthMethod::Oauth) => {
            let flags = (args.oauth_token_env.as_deref(), args.oauth_token_stdin);
            Some(secret(flags.0, flags.1, "access token", stdin)?)
        }
        None => None,
    };
    let req = DiagnosisRequest {
        email: args.email.trim().to_owned(),
        password,
        username: args.username.clone(),
        imap,
        smtp,
        smtp_username: args.smtp_username.clone(),
        smtp_password: from_env(&args.smtp_password_env)?,
        auth,
        smtp_auth,
        oauth_token,
        smtp_oauth_token: from_env(&args.smtp_oauth_token_env)?,
        oauth_mechanism: args.oauth_mechanism.into(),
        allow_insecure_cert: args.allow_insecure_cert,
        test_recipient: args.test_recipient.clone(),
        send: !args.no_send,
        roundtrip: args.roundtrip,
        lang: language(args.lang.as_deref())?,
        session_target: args.session_target,
    };
    let config = engine_config(args)?;
    engine::validate(&req).map_err(UsageError::of)?;
    Ok((req, config))
}

/// The password or the access token (`what`), from its `--…-env VAR` or the first line of
/// standard input: never from a flag's value, which other users of the machine can see.
fn secret(
    env: Option<&str>,
    from_stdin: bool,
    what: &str,
    stdin: &mut dyn BufRead,
) -> Result<Secret, UsageError> {
    if let Some(var) = env {
        return secret_from_env(var);
    }
    let flag = if what == "password" {
        "password"
    } else {
        "oauth-token"
    };
    if !from_stdin {
        let device = if flag == "oauth-token" {
            ", or sign in with --oauth-provider NAME"
        } else {
            ""
        };
        return Err(UsageError(format!(
            "no {what} given: use --{flag}-env VAR or --{flag}-stdin{device}"
        )));
    }
    let mut line = String::new();
    stdin
        .read_line(&mut line)
        .map_err(|e| UsageError(format!("cannot read the {what} from standard input: {e}")))?;
    let line = line.trim_end_matches(['\r', '\n']);
    if line.is_empty() {
        return Err(UsageError(format!("no {what} on standard input")));
    }
    Ok(Secret::new(line))
}

fn secret_from_env(var: &str) -> Result<Secret, UsageError> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
        Ok(_) => Err(UsageError(format!(
            "the environment variable {var} is empty"
        ))),
        Err(_) => Err(UsageError(format!(
            "the environment variable {var} is not set"
        ))),
    }
}

fn language(arg: Option<&str>) -> Result<Lang, UsageError> {
    match arg {
        Some(tag) => Lang::from_tag(tag)
            .ok_or_else(|| UsageError(format!("--lang {tag:?}: choose one of en, de, nb, pl"))),
        None => Ok(["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find_map(|v| Lang::from_tag(&v))
            .unwrap_or_default()),
    }
}

/// The deadlines, the trusted roots and the resolver the flags ask for.
fn engine_config(args: &CheckArgs) -> Result<EngineConfig, UsageError> {
    let token_issuers = match &args.discovery.config {
        Some(path) => super::load_config(Some(path))?.oauth.expectations(),
        None => crate::oauth::claims::microsoft(),
    };
    Ok(EngineConfig {
        step_timeout: Duration::from_secs(args.timeout),
        roundtrip_timeout: Duration::from_secs(args.timeout * 3),
        net: discover::network(&args.discovery, &args.ca_file)?,
        token_issuers,
    })
}

/// Runs the diagnosis, printing each step as it ends when `live`.
async fn diagnose(
    req: &DiagnosisRequest,
    config: &EngineConfig,
    live: bool,
) -> Result<Report, UsageError> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let lang = req.lang;
    let printer = tokio::spawn(async move {
        let mut out = std::io::stdout();
        while let Some(event) = rx.recv().await {
            if live {
                let _ = print_event(&mut out, &event, lang);
            }
        }
    });
    let result = crate::diagnose(req, config, tx).await;
    let _ = printer.await;
    result.map_err(UsageError::of)
}

/// Discovers the servers `check` was not given, and says what it found (on standard error
/// with `--json`, so standard output stays one JSON document).
async fn fill_from_discovery(args: &mut CheckArgs) -> Result<(), UsageError> {
    let config = discover::config(
        &args.discovery,
        &args.ca_file,
        Duration::from_secs(args.timeout.min(6)),
    )?;
    let found = discover::run(&args.email, &args.discovery, &config).await?;
    let mut said = Vec::new();
    for (side, best, flag, security) in [
        ("IMAP", &found.imap, &mut args.imap, &mut args.imap_security),
        ("SMTP", &found.smtp, &mut args.smtp, &mut args.smtp_security),
    ] {
        if flag.is_some() {
            continue;
        }
        let Some(c) = best else {
            return Err(UsageError(format!(
                "no {side} server given, and discovery found none for {} (see `inbox-doctor discover {}`)",
                found.domain, args.email
            )));
        };
        let host = if c.host.contains(':') {
            format!("[{}]", c.host)
        } else {
            c.host.clone()
        };
        *flag = Some(format!("{host}:{}", c.port));
        *security = match c.security {
            Security::Tls => SecurityArg::Tls,
            Security::Plain => SecurityArg::Plain,
            _ => SecurityArg::Starttls,
        };
        said.push(format!("{side} discovered: {}", discover::describe(c)));
    }
    if args.username.is_none() {
        args.username.clone_from(&found.username);
    }
    for line in said {
        if args.json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }
    Ok(())
}
