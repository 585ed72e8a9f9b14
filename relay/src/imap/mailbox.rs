//! What validation finds in a mailbox list: every mailbox with its attributes, the INBOX's
//! size, and the Sent folder (by its SPECIAL-USE attribute, else by the names clients use).

use super::response::{exists, parse_list};

/// What validation found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mailboxes {
    /// Name and attributes of every mailbox.
    pub list: Vec<(String, Vec<String>)>,
    pub inbox_messages: Option<u32>,
}

impl Mailboxes {
    /// From the untagged answers to `LIST "" "*"` and `EXAMINE INBOX`.
    pub fn from_untagged(lines: &[String]) -> Mailboxes {
        let mut found = Mailboxes::default();
        for line in lines {
            if let Some(entry) = parse_list(line) {
                found.list.push(entry);
            } else if let Some(n) = exists(line) {
                found.inbox_messages = Some(n);
            }
        }
        found
    }
}

/// Finds the Sent folder: by its SPECIAL-USE attribute, else by the names clients use.
pub fn sent_folder(list: &[(String, Vec<String>)]) -> Option<(String, &'static str)> {
    if let Some((name, _)) = list
        .iter()
        .find(|(_, flags)| flags.iter().any(|f| f.eq_ignore_ascii_case("\\Sent")))
    {
        return Some((name.clone(), "special_use"));
    }
    const NAMES: [&str; 14] = [
        "sent",
        "sent items",
        "sent messages",
        "sent mail",
        "gesendet",
        "gesendete elemente",
        "gesendete objekte",
        "sendt",
        "sendte elementer",
        "sendte meldinger",
        "wys&aui-ane",
        "elementy wys&aui-ane",
        "wysłane",
        "elementy wysłane",
    ];
    list.iter()
        .find(|(name, _)| {
            let last = name
                .rsplit(['/', '.'])
                .next()
                .unwrap_or(name)
                .to_lowercase();
            NAMES.contains(&last.as_str())
        })
        .map(|(name, _)| (name.clone(), "name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sent_by_name_when_not_marked() {
        let list = vec![("INBOX".into(), vec![]), ("INBOX.Gesendet".into(), vec![])];
        assert_eq!(sent_folder(&list), Some(("INBOX.Gesendet".into(), "name")));
    }

    #[test]
    fn sent_by_attribute_first() {
        let list = vec![
            ("Sent".into(), vec![]),
            ("Envoyés".into(), vec!["\\Sent".into()]),
        ];
        assert_eq!(sent_folder(&list), Some(("Envoyés".into(), "special_use")));
    }

    #[test]
    fn mailboxes_from_the_answers() {
        let lines = [
            "* LIST (\\HasNoChildren) \"/\" INBOX".to_owned(),
            "* FLAGS (\\Seen)".to_owned(),
            "* 7 EXISTS".to_owned(),
            "* LIST (\\Sent) \"/\" \"Sent\"".to_owned(),
        ];
        let m = Mailboxes::from_untagged(&lines);
        assert_eq!(m.inbox_messages, Some(7));
        assert_eq!(m.list.len(), 2);
    }
}
