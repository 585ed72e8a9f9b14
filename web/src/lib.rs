//! Inbox Doctor's browser UI: the diagnostic page and the embeddable widget (Leptos, CSR).
//!
//! Read in this order: [`mount`] (how the page and the widget start), [`app`] (the form and the
//! layout), [`socket`] (the only WebSocket owner), [`steps`] and [`result`] (what a run shows),
//! [`i18n`] (the page's words; failure texts come from `inbox_doctor_errors::text`).

pub mod api;
pub mod app;
pub mod html;
pub mod i18n;
pub mod json;
pub mod mount;
pub mod result;
pub mod socket;
pub mod steps;
