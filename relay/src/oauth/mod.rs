//! OAuth 2.0 around a token login: the providers the relay knows and how they are configured
//! ([`providers`]), what a token's claims say ([`claims`]) to explain why a server refused
//! it, and getting a token from a configured provider ([`signin`]).

pub mod claims;
pub mod providers;
pub mod signin;
