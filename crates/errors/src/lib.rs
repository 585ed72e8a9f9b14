//! The boundary crate of Inbox Doctor: every type that crosses the wire between the engine, the
//! relay and the browser, and the failure taxonomy with its explanations.
//!
//! Read in this order: [`step`] (what a diagnosis streams), [`request`] (what it is asked),
//! [`protocol`] (the WebSocket messages and the relay's HTTP types), [`report`] (what it ends with),
//! [`taxonomy`] (categories and causes), [`discovery`] (settings found for an address), [`classify`] (observation → cause, pure), [`text`]
//! (explanations and remediation in English, German, Norwegian Bokmål and Polish).
//!
//! This crate depends on nothing but serde, so it builds for `wasm32-unknown-unknown` too.

pub mod classify;
pub mod discovery;
pub mod finding;
pub mod hint;
pub mod protocol;
pub mod report;
pub mod request;
pub mod step;
pub mod taxonomy;
pub mod text;

pub use classify::{
    classify, Diagnosis, ImapCommand, Observation, SaslStatus, SmtpCommand, TokenFacts,
};
pub use discovery::{
    AdminNote, AppPassword, Candidate, Discovery, ProbeOutcome, Provider, ProviderOauth, Source,
    SourceResult, SourceStatus,
};
pub use finding::{Finding, FindingKind};
pub use hint::{hints, HintKind};
pub use protocol::{
    CheckFailure, ClientMessage, DomainChange, DomainCheck, DomainRecord, DomainRevert, DomainSave,
    DomainSettings, EgressIps, ErrorCode, FieldChange, OauthExchange, OauthProviderInfo,
    OauthStart, OauthStarted, OauthToken, ProtocolError, RelayInfo, ServerCheck, ServerMessage,
    PROTOCOL_VERSION,
};
pub use report::*;
pub use request::{
    AuthMethod, Credential, DiagnosisRequest, OauthMechanism, Secret, ServerSettings,
    DEFAULT_SESSION_TARGET,
};
pub use step::{Fact, Security, Side, SkipReason, StepEvent, StepId, StepResult, StepStatus};
pub use taxonomy::{Category, Cause};
pub use text::{CauseWords, Label, Lang, Phrase, TextBundle};
