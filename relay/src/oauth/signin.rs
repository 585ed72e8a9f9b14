//! Getting an access token from a configured provider ([`super::providers::OauthProvider`]):
//! the authorization code with PKCE and `state` for the page (the relay builds the address
//! the browser goes to, and later exchanges the code, so that a client secret never reaches a
//! browser), and the device authorization grant (RFC 8628) for the command line. The `oauth2`
//! crate speaks the protocol; the relay only chooses what may be asked.
//!
//! What comes back is handed to whoever asked and forgotten: the relay stores no token.

use std::time::Duration;

use inbox_doctor_errors::Secret;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, DeviceAuthorizationUrl,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardDeviceAuthorizationResponse,
    TokenResponse, TokenUrl,
};
use oauth2::{EndpointNotSet as NotSet, EndpointSet};

use super::providers::OauthProvider;
use crate::net::tls::TrustRoots;

/// How long one request to a provider may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The most of a provider's answer read (a token response is a few KB).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Why a request to a provider brought no answer the protocol can read.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{0}")]
    Request(#[from] reqwest::Error),
    #[error("the answer is longer than {MAX_ANSWER_BYTES} bytes")]
    TooLarge,
    #[error("{0}")]
    Response(#[from] oauth2::http::Error),
}

/// Why a sign-in could not go on.
#[derive(Debug, thiserror::Error)]
pub enum SigninError {
    /// The provider has no client (or no device endpoint) for this.
    #[error("{0} is not set up for sign-in here")]
    NotConfigured(String),
    /// A redirect address the provider's entry does not list.
    #[error("{0:?} is not one of this provider's redirect addresses")]
    RedirectNotAllowed(String),
    #[error("a configured endpoint is not a URL: {0}")]
    BadEndpoint(String),
    /// What the provider answered (its OAuth error, or why it could not be reached).
    #[error("the provider: {0}")]
    Provider(String),
}

/// Where to send the browser, and what the page keeps until it comes back.
#[derive(Debug)]
pub struct Started {
    pub url: String,
    pub state: String,
    /// The PKCE verifier, for the exchange of the code.
    pub verifier: Secret,
}

/// A token a provider gave.
#[derive(Debug)]
pub struct Granted {
    pub access_token: Secret,
    /// Seconds, as the provider said.
    pub expires_in: Option<u64>,
}

/// What the user is asked to do for the device grant.
#[derive(Debug)]
pub struct DeviceStart {
    pub verification_uri: String,
    pub user_code: String,
    details: StandardDeviceAuthorizationResponse,
}

/// The HTTP client the protocol goes through: reqwest, reading at most [`MAX_ANSWER_BYTES`]
/// of an answer within [`REQUEST_TIMEOUT`] (`oauth2`'s own reqwest glue reads it whole).
struct Bounded(reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for Bounded {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, HttpError>> + Send + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let mut response = self
                .0
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await?;
            let mut answer = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if answer.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return Err(HttpError::TooLarge);
                }
                answer.extend_from_slice(&chunk);
            }
            let mut out = oauth2::http::Response::builder()
                .status(response.status())
                .body(answer)?;
            *out.headers_mut() = response.headers().clone();
            Ok(out)
        })
    }
}

/// One provider's sign-in.
pub struct Signin<'a> {
    name: &'a str,
    provider: &'a OauthProvider,
    http: Bounded,
}

fn url<T>(
    value: &Option<String>,
    make: fn(String) -> Result<T, url::ParseError>,
) -> Result<T, SigninError> {
    let value = value
        .clone()
        .ok_or_else(|| SigninError::BadEndpoint("missing".into()))?;
    make(value.clone()).map_err(|_| SigninError::BadEndpoint(value))
}

impl<'a> Signin<'a> {
    /// `provider` as [`super::providers::OauthConfig::providers`] completed it; `roots`: the
    /// certificates its endpoints are verified against.
    pub fn new(
        name: &'a str,
        provider: &'a OauthProvider,
        roots: &TrustRoots,
    ) -> Result<Signin<'a>, SigninError> {
        if provider.client_id.is_none() {
            return Err(SigninError::NotConfigured(name.to_owned()));
        }
        let http = reqwest::Client::builder()
            // Following redirects would let an endpoint send the relay elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .use_preconfigured_tls(roots.client_config())
            .build()
            .map(Bounded)
            .map_err(|e| SigninError::Provider(e.to_string()))?;
        Ok(Signin {
            name,
            provider,
            http,
        })
    }

    /// The client with its authorization and token endpoints.
    fn client(
        &self,
    ) -> Result<BasicClient<EndpointSet, NotSet, NotSet, NotSet, EndpointSet>, SigninError> {
        let p = self.provider;
        let id = p.client_id.clone().unwrap_or_default();
        let mut client = BasicClient::new(ClientId::new(id))
            .set_auth_uri(url(&p.authorize_url, AuthUrl::new)?)
            .set_token_uri(url(&p.token_url, TokenUrl::new)?);
        if let Some(secret) = &p.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        Ok(client)
    }

    fn redirect(&self, redirect_uri: &str) -> Result<RedirectUrl, SigninError> {
        if !self
            .provider
            .redirect_uris
            .iter()
            .any(|r| r == redirect_uri)
        {
            return Err(SigninError::RedirectNotAllowed(redirect_uri.to_owned()));
        }
        RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|_| SigninError::RedirectNotAllowed(redirect_uri.to_owned()))
    }

    fn scopes(&self) -> impl Iterator<Item = Scope> + '_ {
        self.provider.scopes.iter().cloned().map(Scope::new)
    }

    /// The provider's sign-in address for `login_hint`, with a fresh `state` and PKCE pair.
    pub fn start(
        &self,
        redirect_uri: &str,
        login_hint: Option<&str>,
    ) -> Result<Started, SigninError> {
        let client = self
            .client()?
            .set_redirect_uri(self.redirect(redirect_uri)?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.scopes())
            .set_pkce_challenge(challenge);
        if let Some(hint) = login_hint {
            request = request.add_extra_param("login_hint", hint);
        }
        let (url, state) = request.url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            verifier: Secret::new(verifier.secret().clone()),
        })
    }

    /// Exchanges the code the provider sent the browser back with for a token.
    pub async fn exchange(
        &self,
        code: &str,
        verifier: &Secret,
        redirect_uri: &str,
    ) -> Result<Granted, SigninError> {
        let client = self
            .client()?
            .set_redirect_uri(self.redirect(redirect_uri)?);
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| SigninError::Provider(describe(&e)))?;
        Ok(granted(&token))
    }

    /// Asks the provider for a device code: what the user types in, and where.
    pub async fn device_start(&self) -> Result<DeviceStart, SigninError> {
        let device =
            self.provider.device_url.clone().ok_or_else(|| {
                SigninError::NotConfigured(format!("{} (no device_url)", self.name))
            })?;
        let device = DeviceAuthorizationUrl::new(device.clone())
            .map_err(|_| SigninError::BadEndpoint(device))?;
        let details: StandardDeviceAuthorizationResponse = self
            .client()?
            .set_device_authorization_url(device)
            .exchange_device_code()
            .add_scopes(self.scopes())
            .request_async(&self.http)
            .await
            .map_err(|e| SigninError::Provider(describe(&e)))?;
        Ok(DeviceStart {
            verification_uri: details.verification_uri().to_string(),
            user_code: details.user_code().secret().clone(),
            details,
        })
    }

    /// Waits (at the provider's pace, at most `timeout`) until the user has signed in.
    pub async fn device_finish(
        &self,
        started: &DeviceStart,
        timeout: Duration,
    ) -> Result<Granted, SigninError> {
        let token = self
            .client()?
            .exchange_device_access_token(&started.details)
            .request_async(&self.http, tokio::time::sleep, Some(timeout))
            .await
            .map_err(|e| SigninError::Provider(describe(&e)))?;
        Ok(granted(&token))
    }
}

fn granted(token: &oauth2::basic::BasicTokenResponse) -> Granted {
    Granted {
        access_token: Secret::new(token.access_token().secret().clone()),
        expires_in: token.expires_in().map(|d| d.as_secs()),
    }
}

/// A provider's refusal in a line: its OAuth error and description, or why it could not be
/// asked. Never the request (which carried the code or the secret).
fn describe<RE: std::error::Error + 'static, T: oauth2::ErrorResponse + 'static>(
    e: &oauth2::RequestTokenError<RE, T>,
) -> String {
    match e {
        oauth2::RequestTokenError::ServerResponse(r) => {
            serde_json::to_string(r).unwrap_or_else(|_| "an error".to_owned())
        }
        oauth2::RequestTokenError::Request(e) => format!("could not be reached: {e}"),
        oauth2::RequestTokenError::Parse(e, _) => format!("an answer that is not OAuth: {e}"),
        oauth2::RequestTokenError::Other(e) => e.clone(),
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A provider on loopback whose every answer is `body` (after reading the request).
    async fn provider(body: Vec<u8>) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let body = body.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = stream.read(&mut buf).await;
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                });
            }
        });
        addr
    }

    fn configured(addr: std::net::SocketAddr) -> OauthProvider {
        OauthProvider {
            client_id: Some("relay".into()),
            authorize_url: Some(format!("http://{addr}/authorize")),
            token_url: Some(format!("http://{addr}/token")),
            device_url: Some(format!("http://{addr}/device")),
            ..OauthProvider::default()
        }
    }

    #[tokio::test]
    async fn a_provider_answering_without_end_is_cut_off_at_the_bound() {
        let addr = provider(vec![b' '; 4 * MAX_ANSWER_BYTES]).await;
        let p = configured(addr);
        let signin = Signin::new("p", &p, &TrustRoots::default()).unwrap();
        let Err(SigninError::Provider(said)) = signin.device_start().await else {
            panic!("a 256 KiB answer was read");
        };
        assert!(said.contains("longer than 65536 bytes"), "{said}");
    }

    #[tokio::test]
    async fn a_device_code_answer_within_the_bound_is_read() {
        let answer = br#"{"device_code":"d","user_code":"ABCD-EFGH","verification_uri":"https://p.example/activate","expires_in":300,"interval":1}"#;
        let addr = provider(answer.to_vec()).await;
        let p = configured(addr);
        let signin = Signin::new("p", &p, &TrustRoots::default()).unwrap();
        let started = signin.device_start().await.expect("read");
        assert_eq!(started.user_code, "ABCD-EFGH");
    }
}
