//! The test email: a small, well-formed message with a Message-ID nobody else uses, so the
//! round trip can find exactly this one in the INBOX.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{Address, Message};

/// A built test email.
pub struct TestEmail {
    pub message_id: String,
    /// The envelope's addresses as parsed (never the strings the request carried).
    pub from: String,
    pub to: String,
    pub bytes: Vec<u8>,
}

/// Why the addresses cannot make a message.
#[derive(Debug)]
pub struct AddressError {
    pub address: String,
    pub reason: String,
}

/// A bare address (`jo@example.com`; no display name, no angle brackets).
pub fn parse_address(address: &str) -> Result<Address, AddressError> {
    address.parse::<Address>().map_err(|e| AddressError {
        address: address.to_owned(),
        reason: e.to_string(),
    })
}

pub fn build(from: &str, to: &str) -> Result<TestEmail, AddressError> {
    let from_box = parse_address(from)?;
    let to_box = parse_address(to)?;
    let mut random = [0u8; 12];
    let _ = getrandom::fill(&mut random);
    let token: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let domain = from_box.domain();
    let message_id = format!("<inbox-doctor.{token}@{domain}>");
    let (from_text, to_text) = (from_box.to_string(), to_box.to_string());
    let message = Message::builder()
        .from(Mailbox::new(None, from_box))
        .to(Mailbox::new(None, to_box))
        .subject("Inbox Doctor test email")
        .message_id(Some(message_id.clone()))
        .header(ContentType::TEXT_PLAIN)
        .body(String::from(
            "This message was sent by Inbox Doctor to check that this mailbox can send mail.\r\n\
             You can delete it.\r\n",
        ))
        .map_err(|e| AddressError {
            address: from.to_owned(),
            reason: e.to_string(),
        })?;
    Ok(TestEmail {
        message_id,
        from: from_text,
        to: to_text,
        bytes: message.formatted(),
    })
}
