//! Typed JSON client over `fetch`. Errors keep the problem body so pages can react to `code`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};
use zimage_shared::{ErrorCode, Problem};

use crate::i18n::Key;

/// A failed call: the HTTP status (0 when the network failed) and the problem body, if any.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub problem: Option<Problem>,
}

impl ApiError {
    /// What a members-only call answers, without asking, when nobody is signed in.
    pub fn signed_out() -> Self {
        Self {
            status: 401,
            problem: None,
        }
    }

    pub(crate) fn network() -> Self {
        Self {
            status: 0,
            problem: None,
        }
    }

    pub fn code(&self) -> Option<ErrorCode> {
        self.problem.as_ref().map(|p| p.code)
    }

    /// The translated sentence to show for this error.
    pub fn message(&self) -> Key {
        match self.code() {
            _ if self.status == 0 => Key::ErrNetwork,
            Some(ErrorCode::InvalidCredentials) => Key::ErrInvalidCredentials,
            Some(ErrorCode::InvalidCode) => Key::ErrInvalidCode,
            Some(ErrorCode::ChallengeEnded) => Key::ErrChallengeEnded,
            Some(ErrorCode::PasskeyRejected) => Key::ErrPasskeyRejected,
            Some(ErrorCode::SecondFactorRequired) => Key::ErrSecondFactorRequired,
            Some(ErrorCode::EmailTaken) => Key::ErrEmailTaken,
            Some(ErrorCode::RateLimited) => Key::ErrRateLimited,
            Some(ErrorCode::InvalidToken) => Key::ErrInvalidToken,
            Some(
                ErrorCode::Unauthorized | ErrorCode::TokenExpired | ErrorCode::RefreshTokenReused,
            ) => Key::ErrSessionEnded,
            Some(ErrorCode::ValidationFailed) => Key::ErrCheckFields,
            Some(ErrorCode::LimitReached) => Key::ErrLimitReached,
            Some(ErrorCode::InsufficientCredits) => Key::ErrInsufficientCredits,
            Some(ErrorCode::EmailNotVerified) => Key::ErrEmailNotVerified,
            Some(ErrorCode::AlreadySubscribed) => Key::ErrAlreadySubscribed,
            Some(ErrorCode::PaymentsNotConfigured) => Key::ErrPaymentsOff,
            Some(ErrorCode::PaymentProviderError) => Key::ErrPaymentProvider,
            Some(ErrorCode::PromptRejected) => Key::ErrPromptRejected,
            Some(ErrorCode::PayloadTooLarge) => Key::ErrUploadTooLarge,
            Some(ErrorCode::TaskFinished) => Key::ErrTaskFinished,
            Some(ErrorCode::InvitationRequired) => Key::ErrInvitationRequired,
            _ => Key::ErrGeneric,
        }
    }

    /// The translated message for one field the server refused, if it refused it.
    pub fn field(&self, name: &str) -> Option<Key> {
        let errors = self.problem.as_ref()?.errors.as_ref()?;
        errors.get(name)?;
        Some(match name {
            "password" | "new_password" => Key::ErrPasswordCommon,
            "referral_code" => Key::ErrReferral,
            "current_password" => Key::ErrCurrentPassword,
            "accept_terms" => Key::ErrMustAcceptTerms,
            "age_confirmed" => Key::ErrMustConfirmAge,
            "email" => Key::ErrEmailFormat,
            _ => Key::ErrField,
        })
    }
}

/// Serialises a request body.
pub fn body<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// One HTTP exchange; returns the status and the body text.
pub async fn send(
    method: &str,
    path: &str,
    body: Option<String>,
    bearer: Option<&str>,
) -> Result<(u16, String), ApiError> {
    send_with(method, path, body, bearer, &[]).await
}

/// [`send`] with extra request headers (e.g. `Idempotency-Key`).
pub async fn send_with(
    method: &str,
    path: &str,
    body: Option<String>,
    bearer: Option<&str>,
    extra: &[(&str, &str)],
) -> Result<(u16, String), ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::network())?;
    let _ = headers.set("Accept", "application/json");
    // The page's language (kept on <html lang>), for texts the server has in several.
    if let Some(lang) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
    {
        let _ = headers.set("Accept-Language", &lang);
    }
    if let Some(token) = bearer {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    for (name, value) in extra {
        let _ = headers.set(name, value);
    }
    if let Some(body) = &body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let response = fetch(path, &init).await?;
    Ok((response.status(), text_of(&response).await))
}

/// Sends a multipart form (file uploads) with `method`; the browser sets the boundary.
pub async fn send_form(
    method: &str,
    path: &str,
    form: &web_sys::FormData,
    bearer: Option<&str>,
) -> Result<(u16, String), ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::network())?;
    let _ = headers.set("Accept", "application/json");
    if let Some(token) = bearer {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    init.set_headers(&headers);
    init.set_body(form);
    let response = fetch(path, &init).await?;
    Ok((response.status(), text_of(&response).await))
}

/// Posts JSON and takes a file back (a ZIP): the file as a blob, or the problem's status and
/// text.
pub async fn send_for_blob(
    path: &str,
    body: String,
    bearer: Option<&str>,
) -> Result<Result<web_sys::Blob, (u16, String)>, ApiError> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::network())?;
    if let Some(token) = bearer {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    let _ = headers.set("Content-Type", "application/json");
    init.set_headers(&headers);
    init.set_body(&wasm_bindgen::JsValue::from_str(&body));
    let response = fetch(path, &init).await?;
    if !response.ok() {
        return Ok(Err((response.status(), text_of(&response).await)));
    }
    let blob = JsFuture::from(response.blob().map_err(|_| ApiError::network())?)
        .await
        .map_err(|_| ApiError::network())?;
    Ok(Ok(blob.dyn_into().map_err(|_| ApiError::network())?))
}

async fn fetch(path: &str, init: &RequestInit) -> Result<Response, ApiError> {
    let window = web_sys::window().ok_or_else(ApiError::network)?;
    let response = JsFuture::from(window.fetch_with_str_and_init(path, init))
        .await
        .map_err(|_| ApiError::network())?;
    response.dyn_into().map_err(|_| ApiError::network())
}

async fn text_of(response: &Response) -> String {
    let Ok(text) = response.text() else {
        return String::new();
    };
    JsFuture::from(text)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default()
}

/// Hands a blob to the browser as a download named `name`.
pub fn save_blob(blob: &web_sys::Blob, name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Some(link) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
    {
        let _ = link.set_attribute("href", &url);
        let _ = link.set_attribute("download", name);
        if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
            link.click();
        }
    }
    // The download has its own copy once started; free the blob a little later.
    leptos::task::spawn_local(async move {
        crate::util::sleep_ms(60_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
}

/// Decodes a success body (an empty body decodes as `null`, i.e. `()`), or the problem.
pub fn decode<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        let text = if text.trim().is_empty() { "null" } else { text };
        serde_json::from_str(text).map_err(|_| ApiError {
            status,
            problem: None,
        })
    } else {
        Err(ApiError {
            status,
            problem: serde_json::from_str(text).ok(),
        })
    }
}

/// The answer to the session refresh that `boot.js` started while the app downloaded, once: the
/// first caller takes it, later ones (and visits without it) get `None`.
pub async fn early_refresh<T: DeserializeOwned>() -> Option<Result<T, ApiError>> {
    let window = web_sys::window()?;
    early_answer(&window, "zimageEarlyRefresh").await
}

/// A successful answer to the read of `path` that `boot.js` started while the app downloaded,
/// once, and only during the first seconds of the visit (a page opened later asks afresh);
/// `None` when there is none or it failed: the caller then asks itself.
pub async fn early_read<T: DeserializeOwned>(path: &str) -> Option<T> {
    const FRESH_MS: f64 = 15_000.0;
    let window = web_sys::window()?;
    let reads = js_sys::Reflect::get(&window, &"zimageEarlyReads".into()).ok()?;
    if reads.is_undefined() {
        return None;
    }
    let at = js_sys::Reflect::get(&reads, &"at".into()).ok()?.as_f64()?;
    if js_sys::Date::now() - at > FRESH_MS {
        let _ =
            js_sys::Reflect::delete_property(reads.unchecked_ref::<js_sys::Object>(), &path.into());
        return None;
    }
    early_answer(&reads, path).await?.ok()
}

/// Takes the promise `holder[name]` (a `{status, text}` answer or null) and decodes what it gives.
async fn early_answer<T: DeserializeOwned>(
    holder: &wasm_bindgen::JsValue,
    name: &str,
) -> Option<Result<T, ApiError>> {
    let promise = js_sys::Reflect::get(holder, &name.into())
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    let _ =
        js_sys::Reflect::delete_property(holder.unchecked_ref::<js_sys::Object>(), &name.into());
    let answer = JsFuture::from(promise).await.ok()?;
    if answer.is_null() {
        return Some(Err(ApiError::network()));
    }
    let field = |name: &str| js_sys::Reflect::get(&answer, &name.into()).ok();
    let status = field("status")?.as_f64()? as u16;
    let text = field("text")?.as_string()?;
    Some(decode(status, &text))
}

/// An unauthenticated call.
pub async fn public<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<T, ApiError> {
    let (status, text) = send(method, path, body, None).await?;
    decode(status, &text)
}
