//! `inbox-doctor admin-token NAME`: a new random admin token for one holder. The token is
//! printed once, for the holder; the configuration gets only its SHA-256, so neither the file
//! nor its backups can be used to change domain settings.

use super::args::AdminTokenArgs;
use super::{Exit, UsageError};
use crate::config::admin_tokens::{new_token, valid_name, TokenHash};

/// Runs `inbox-doctor admin-token NAME`.
pub fn admin_token(args: AdminTokenArgs) -> Result<Exit, UsageError> {
    let name = valid_name(&args.name).map_err(UsageError::of)?;
    let token = new_token()
        .map_err(|e| UsageError(format!("no randomness from the operating system: {e}")))?;
    println!("{}", instructions(&name, &token));
    Ok(Exit::Passed)
}

/// What the command prints: the token alone on its line, then the lines for the
/// configuration.
fn instructions(name: &str, token: &str) -> String {
    format!(
        "Admin token for {name} (shown only now; hand it over privately):\n\
         \n    {token}\n\n\
         It lets its holder point every user of any domain at any server: send it only over \
         TLS\n(Authorization: Bearer …), and replace it when its holder changes.\n\
         Add these lines to the relay's configuration, after its other [domains] settings\n\
         (they hold only the token's hash):\n\
         \n[[domains.admin_tokens]]\nname = \"{name}\"\nsha256 = \"{}\"",
        TokenHash::of(token).to_hex()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::admin_tokens::{AdminTokenEntry, AdminTokens};
    use crate::config::DomainsConfig;

    #[test]
    fn the_printed_lines_make_a_configuration_that_knows_the_token() {
        let token = new_token().unwrap();
        let text = instructions("helpdesk", &token);
        assert_eq!(text.matches(&token).count(), 1, "the token is printed once");
        let block = &text[text.find("[[domains.admin_tokens]]").unwrap()..];
        assert!(!block.contains(&token), "only its hash goes to the file");
        #[derive(serde::Deserialize)]
        struct File {
            domains: Domains,
        }
        #[derive(serde::Deserialize)]
        struct Domains {
            admin_tokens: Vec<AdminTokenEntry>,
        }
        let file: File = toml::from_str(block).unwrap();
        let config = DomainsConfig {
            admin_tokens: file.domains.admin_tokens,
            ..DomainsConfig::default()
        };
        let tokens = AdminTokens::from_config(&config).unwrap();
        assert_eq!(tokens.holder(&token), Some("helpdesk"));
    }
}
