//! Inbox Doctor's browser UI: the diagnostic page and the embeddable widget (Leptos, CSR).
//!
//! Read in this order: [`mount`] (how the page and the widget start), [`app`] (what the relay
//! says about the page, and the layout), [`form`] with [`validate`] and [`prefill`] (the form),
//! [`signin`] (a provider's sign-in instead of a password), [`socket`] (the only WebSocket
//! owner), [`steps`] and [`result`] (what a run shows), [`i18n`]
//! (every word, fetched per language from the relay); [`admin`] the administrators' view of
//! domain settings.

pub mod admin;
pub mod api;
pub mod app;
pub mod form;
pub mod i18n;
pub mod json;
pub mod mount;
pub mod prefill;
pub mod result;
pub mod signin;
pub mod socket;
pub mod steps;
pub mod validate;
