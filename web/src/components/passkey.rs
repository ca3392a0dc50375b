//! Passkeys in the browser: the server's WebAuthn options (JSON) become a
//! `navigator.credentials.create()` or `get()` call, and the credential goes back as JSON, with
//! the WebAuthn Level 3 JSON helpers browsers have (`parseCreationOptionsFromJSON`,
//! `parseRequestOptionsFromJSON`, `toJSON`).

use js_sys::{Function, JSON, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::i18n::Key;

/// Why a passkey prompt gave nothing back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptError {
    /// The browser lacks WebAuthn or its JSON helpers.
    Unsupported,
    /// Closed by the person, timed out, or no passkey chosen.
    Cancelled,
    /// Adding: this authenticator holds a passkey of the account already.
    Exists,
    Failed,
}

impl PromptError {
    pub fn message(self) -> Key {
        match self {
            Self::Unsupported => Key::PasskeyUnsupported,
            Self::Cancelled => Key::PasskeyCancelled,
            Self::Exists => Key::PasskeyExists,
            Self::Failed => Key::PasskeyFailed,
        }
    }
}

fn get(target: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn credential_class() -> Option<JsValue> {
    get(&web_sys::window()?.into(), "PublicKeyCredential")
}

/// Whether this browser can use passkeys as the server describes them.
pub fn supported() -> bool {
    credential_class()
        .and_then(|class| get(&class, "parseRequestOptionsFromJSON"))
        .is_some_and(|f| f.is_function())
}

fn classify(error: &JsValue) -> PromptError {
    match get(error, "name").and_then(|n| n.as_string()).as_deref() {
        Some("NotAllowedError" | "AbortError") => PromptError::Cancelled,
        Some("InvalidStateError") => PromptError::Exists,
        Some("NotSupportedError" | "SecurityError") => PromptError::Unsupported,
        _ => PromptError::Failed,
    }
}

/// Runs one ceremony: `create` with `parseCreationOptionsFromJSON`, or `get` with
/// `parseRequestOptionsFromJSON`.
async fn ceremony(
    method: &str,
    parse: &str,
    public_key: &serde_json::Value,
) -> Result<serde_json::Value, PromptError> {
    let class = credential_class().ok_or(PromptError::Unsupported)?;
    let parse: Function = get(&class, parse)
        .and_then(|f| f.dyn_into().ok())
        .ok_or(PromptError::Unsupported)?;
    let text = serde_json::to_string(public_key).map_err(|_| PromptError::Failed)?;
    let json = JSON::parse(&text).map_err(|_| PromptError::Failed)?;
    let options = parse.call1(&class, &json).map_err(|e| classify(&e))?;
    let request = Object::new();
    Reflect::set(&request, &JsValue::from_str("publicKey"), &options)
        .map_err(|_| PromptError::Failed)?;
    let window = web_sys::window().ok_or(PromptError::Unsupported)?;
    let container =
        get(&window.navigator().into(), "credentials").ok_or(PromptError::Unsupported)?;
    let call: Function = get(&container, method)
        .and_then(|f| f.dyn_into().ok())
        .ok_or(PromptError::Unsupported)?;
    let promise: Promise = call
        .call1(&container, &request)
        .map_err(|e| classify(&e))?
        .dyn_into()
        .map_err(|_| PromptError::Failed)?;
    let credential = JsFuture::from(promise).await.map_err(|e| classify(&e))?;
    if credential.is_null() {
        return Err(PromptError::Cancelled);
    }
    let to_json: Function = get(&credential, "toJSON")
        .and_then(|f| f.dyn_into().ok())
        .ok_or(PromptError::Unsupported)?;
    let plain = to_json
        .call0(&credential)
        .map_err(|_| PromptError::Failed)?;
    let text = JSON::stringify(&plain)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or(PromptError::Failed)?;
    serde_json::from_str(&text).map_err(|_| PromptError::Failed)
}

/// Makes a passkey with `PublicKeyCredentialCreationOptionsJSON` from the server.
pub async fn create(public_key: &serde_json::Value) -> Result<serde_json::Value, PromptError> {
    ceremony("create", "parseCreationOptionsFromJSON", public_key).await
}

/// Signs with a passkey for `PublicKeyCredentialRequestOptionsJSON` from the server.
pub async fn sign(public_key: &serde_json::Value) -> Result<serde_json::Value, PromptError> {
    ceremony("get", "parseRequestOptionsFromJSON", public_key).await
}
