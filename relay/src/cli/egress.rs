//! `inbox-doctor egress-check HOST:PORT`: whether the relay, with this configuration, would
//! connect there, and why not.

use std::time::Duration;

use super::args::{parse_endpoint, EgressCheckArgs};
use super::{load_config, Exit, UsageError};
use crate::net::egress::EgressPolicy;

/// Runs `inbox-doctor egress-check`: passed when allowed, failed when refused.
pub async fn egress_check(args: EgressCheckArgs) -> Result<Exit, UsageError> {
    let config = load_config(args.config.as_deref())?;
    let (host, port) = match parse_endpoint(&args.target, 0, "target")? {
        (_, 0) => {
            return Err(UsageError(format!(
                "{:?}: give the port too, as HOST:PORT",
                args.target
            )))
        }
        hp => hp,
    };
    let policy = EgressPolicy::new(config.egress);
    let deadline =
        tokio::time::Instant::now() + Duration::from_secs(config.engine.step_timeout_secs);
    let verdict = policy
        .resolve(&host, port, deadline)
        .await
        .map(|addrs| addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>());
    if args.json {
        let json = match &verdict {
            Ok(addresses) => serde_json::json!({
                "target": args.target, "allowed": true, "addresses": addresses,
            }),
            Err(r) => serde_json::json!({
                "target": args.target, "allowed": false, "refusal": r, "message": r.to_string(),
            }),
        };
        println!("{json}");
    } else {
        match &verdict {
            Ok(addresses) => println!("allowed: {} → {}", args.target, addresses.join(", ")),
            Err(r) => println!("refused: {r}"),
        }
    }
    Ok(if verdict.is_ok() {
        Exit::Passed
    } else {
        Exit::Failed
    })
}
