//! OAuth 2.0 around a token login: what a token's claims say ([`claims`]), to explain why a
//! server refused it.

pub mod claims;
