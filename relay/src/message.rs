//! The test email: a small, well-formed message with a Message-ID nobody else uses, so the
//! round trip can find exactly this one in the INBOX.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::Message;

/// A built test email.
pub struct TestEmail {
    pub message_id: String,
    pub bytes: Vec<u8>,
}

/// Why the addresses cannot make a message.
#[derive(Debug)]
pub struct AddressError {
    pub address: String,
    pub reason: String,
}

pub fn parse_address(address: &str) -> Result<Mailbox, AddressError> {
    address.parse::<Mailbox>().map_err(|e| AddressError {
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
    let domain = from.rsplit_once('@').map(|(_, d)| d).unwrap_or("localhost");
    let message_id = format!("<inbox-doctor.{token}@{domain}>");
    let message = Message::builder()
        .from(from_box)
        .to(to_box)
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
        bytes: message.formatted(),
    })
}
