//! Signing in with a provider, for mailboxes that take no password: the relay builds the
//! provider's address (PKCE and `state`), the browser goes there and comes back to this page
//! with a code, the relay exchanges it for a token, and the run logs in with the token.
//!
//! While the browser is away, the page keeps in its session storage what it needs to go on:
//! the `state` it expects back, the PKCE verifier, and the form as it was (never a password).
//! The token itself stays in the page's memory only, like a password.

use inbox_doctor_errors::{
    Label, OauthExchange, OauthProviderInfo, OauthStart, OauthStarted, OauthToken, Secret,
    ServerSettings, Side,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use crate::api::post_json;
use crate::form::FormState;
use crate::i18n::{texts, tr};

/// A sign-in that gave a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    /// The provider's name for people ("Microsoft").
    pub label: String,
    pub token: Secret,
}

/// Where the session storage keeps a sign-in under way.
const PENDING: &str = "inbox-doctor-signin";

/// What the page keeps while the browser is at the provider.
#[derive(Serialize, Deserialize)]
struct Pending {
    provider: String,
    label: String,
    state: String,
    verifier: Secret,
    redirect_uri: String,
    email: String,
    username: String,
    imap: Option<ServerSettings>,
    smtp: Option<ServerSettings>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// This page's address without its query: where the provider sends the browser back to.
fn here() -> Option<String> {
    let location = web_sys::window()?.location();
    Some(format!(
        "{}{}",
        location.origin().ok()?,
        location.pathname().ok()?
    ))
}

fn server(form: &FormState, side: Side) -> Option<ServerSettings> {
    let fields = form.side(side);
    Some(ServerSettings {
        host: fields.host.get_untracked(),
        port: fields.port.get_untracked().trim().parse().ok()?,
        security: fields.security.get_untracked(),
    })
}

/// Starts signing in with `provider`: asks the relay for the provider's address, keeps what
/// the page needs when it comes back, and goes there.
pub fn begin(relay: String, provider: OauthProviderInfo, form: FormState) {
    spawn_local(async move {
        let went = async {
            let redirect_uri = here()?;
            let email = form.email.get_untracked().trim().to_owned();
            let asked = OauthStart {
                redirect_uri: redirect_uri.clone(),
                login_hint: (!email.is_empty()).then(|| email.clone()),
            };
            let url = format!("{relay}/api/oauth/{}/start", provider.name);
            let started: OauthStarted = post_json(&url, &asked).await?;
            let pending = Pending {
                provider: provider.name,
                label: provider.label,
                state: started.state,
                verifier: started.verifier,
                redirect_uri,
                email,
                username: form.username.get_untracked(),
                imap: server(&form, Side::Imap),
                smtp: server(&form, Side::Smtp),
            };
            storage()?
                .set_item(PENDING, &crate::json::encode(&pending)?)
                .ok()?;
            web_sys::window()?.location().assign(&started.url).ok()
        };
        if went.await.is_none() {
            form.signin_failed.set(true);
        }
    });
}

/// Goes on with a sign-in when the browser came back from the provider (`?code=…&state=…`):
/// the form as it was, and the token, if the `state` is the one the page asked for.
pub fn finish(relay: String, form: FormState) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(search) = window.location().search() else {
        return;
    };
    let Ok(query) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return;
    };
    let (Some(code), Some(state)) = (query.get("code"), query.get("state")) else {
        return;
    };
    let pending = storage().and_then(|s| {
        let text = s.get_item(PENDING).ok()??;
        let _ = s.remove_item(PENDING);
        crate::json::decode::<Pending>(&text)
    });
    // The code is spent either way: it leaves the address bar and the history.
    if let Ok(history) = window.history() {
        let clean = here().unwrap_or_default();
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
    }
    let Some(pending) = pending.filter(|p| p.state == state) else {
        form.signin_failed.set(true);
        return;
    };
    form.email.set(pending.email.clone());
    form.username.set(pending.username.clone());
    if let Some(s) = &pending.imap {
        form.imap.fill(s);
    }
    if let Some(s) = &pending.smtp {
        form.smtp.fill(s);
    }
    spawn_local(async move {
        let url = format!("{relay}/api/oauth/{}/token", pending.provider);
        let exchange = OauthExchange {
            code: Secret::new(code),
            verifier: pending.verifier,
            redirect_uri: pending.redirect_uri,
        };
        match post_json::<_, OauthToken>(&url, &exchange).await {
            Some(token) => form.signed_in.set(Some(SignedIn {
                label: pending.label,
                token: token.access_token,
            })),
            None => form.signin_failed.set(true),
        }
    });
}

/// `template` with `{provider}` filled in.
fn with_provider(label: Label, provider: &str) -> String {
    texts().with(|t| t.label(label).replace("{provider}", provider))
}

/// The relay and its providers, for the buttons wherever they show (a failure card offers
/// them too).
#[derive(Clone)]
pub struct Providers {
    pub relay: String,
    pub list: Vec<OauthProviderInfo>,
}

/// The buttons that sign in with each provider (`offer`: the words above them).
#[component]
pub fn SigninButtons(
    relay: String,
    providers: Vec<OauthProviderInfo>,
    #[prop(default = Label::SigninInstead)] offer: Label,
    /// Prefix of the buttons' and the group's ids (the form's and a card's differ).
    #[prop(default = "signin")]
    ids: &'static str,
) -> impl IntoView {
    let form = expect_context::<FormState>();
    let relay = StoredValue::new(relay);
    (!providers.is_empty()).then(|| {
        view! {
            <div class="idr-signin" role="group" aria-labelledby=format!("{ids}-offer")>
                <p id=format!("{ids}-offer")>{tr(offer)}</p>
                {providers.into_iter().map(|p| {
                    let label = p.label.clone();
                    let id = format!("{ids}-{}", p.name);
                    view! {
                        <button type="button" class="idr-signin-button" id=id
                            on:click=move |_| begin(relay.get_value(), p.clone(), form)>
                            {move || with_provider(Label::SigninWith, &label)}
                        </button>
                    }
                }).collect_view()}
            </div>
        }
    })
}

/// Under the password: the sign-in choices, or who is signed in and the way back to a
/// password; and why a sign-in that came back failed.
#[component]
pub fn Signin(relay: String, providers: Vec<OauthProviderInfo>) -> impl IntoView {
    let form = expect_context::<FormState>();
    let buttons = StoredValue::new((relay, providers));
    view! {
        {move || form.signin_failed.get().then(|| view! {
            <p class="idr-problem" id="signin-failed" role="alert">{tr(Label::SigninFailed)}</p>
        })}
        {move || match form.signed_in.get() {
            Some(signed) => view! {
                <p class="idr-note" id="signed-in" role="status">
                    {move || with_provider(Label::SignedIn, &signed.label)}
                </p>
                <button type="button" id="sign-out" on:click=move |_| form.signed_in.set(None)>
                    {tr(Label::SignOut)}
                </button>
            }.into_any(),
            None => {
                let (relay, providers) = buttons.get_value();
                view! { <SigninButtons relay providers /> }.into_any()
            }
        }}
    }
}
