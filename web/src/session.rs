//! The signed-in user: the access token lives in memory, the refresh token in an HttpOnly cookie.

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use zimage_shared::ErrorCode;
use zimage_shared::account::User;
use zimage_shared::auth::TokenResponse;
use zimage_shared::credits::CreditBalance;

use crate::api::{self, ApiError};
use crate::i18n::I18n;
use crate::theme::ThemeState;

/// Session state, provided at the root.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: RwSignal<Option<User>>,
    /// The latest balance, shown in the header; refreshed by [`Session::reload_credits`].
    pub credits: RwSignal<Option<CreditBalance>>,
    access: RwSignal<Option<String>>,
    /// False until the first cookie refresh has answered.
    pub ready: RwSignal<bool>,
    /// True while a refresh is in flight. Refresh tokens are single-use and the server revokes
    /// the session when one is presented twice, so concurrent refreshes must share one request.
    refreshing: RwSignal<bool>,
    /// Calls waiting for the session to settle (restored, no refresh in flight): the resolve
    /// functions of their promises, called when it does.
    waiting: StoredValue<Vec<js_sys::Function>, LocalStorage>,
    /// True while the step-up dialog asks for a code from the authenticator app.
    pub step_up: RwSignal<bool>,
    /// Calls waiting for the step-up dialog: the resolve functions of their promises, called
    /// with whether a code was proved.
    stepping_up: StoredValue<Vec<js_sys::Function>, LocalStorage>,
    i18n: I18n,
    theme: ThemeState,
}

impl Session {
    pub fn new(i18n: I18n, theme: ThemeState) -> Self {
        Self {
            user: RwSignal::new(None),
            credits: RwSignal::new(None),
            access: RwSignal::new(None),
            ready: RwSignal::new(false),
            refreshing: RwSignal::new(false),
            waiting: StoredValue::new_local(Vec::new()),
            step_up: RwSignal::new(false),
            stepping_up: StoredValue::new_local(Vec::new()),
            i18n,
            theme,
        }
    }

    fn settled(self) -> bool {
        self.ready.get_untracked() && !self.refreshing.get_untracked()
    }

    /// Resolves once the session has settled; at once when it has.
    async fn until_settled(self) {
        while !self.settled() {
            let promise = js_sys::Promise::new(&mut |resolve, _| {
                self.waiting.update_value(|waiting| waiting.push(resolve));
            });
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
    }

    /// Lets the calls waiting for the session go on.
    fn wake(self) {
        for resolve in self
            .waiting
            .try_update_value(std::mem::take)
            .unwrap_or_default()
        {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    }

    /// Asks for a code from the authenticator app (the step-up dialog, which proves it to the
    /// server); true once one was proved, false when the user cancelled. Calls asking at the same
    /// time share one dialog.
    async fn prove_second_factor(self) -> bool {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            self.stepping_up
                .update_value(|waiting| waiting.push(resolve));
        });
        self.step_up.set(true);
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()
            .and_then(|proved| proved.as_bool())
            .unwrap_or(false)
    }

    /// Closes the step-up dialog and lets the calls waiting for it go on (retried when `proved`).
    pub fn step_up_done(self, proved: bool) {
        self.step_up.set(false);
        for resolve in self
            .stepping_up
            .try_update_value(std::mem::take)
            .unwrap_or_default()
        {
            let _ = resolve.call1(
                &wasm_bindgen::JsValue::NULL,
                &wasm_bindgen::JsValue::from_bool(proved),
            );
        }
    }

    /// Adopts new tokens and applies the profile's language and theme.
    pub fn sign_in(self, tokens: TokenResponse) {
        let first = self.access.get_untracked().is_none();
        self.access.set(Some(tokens.access_token));
        self.set_user(tokens.user);
        if first {
            leptos::task::spawn_local(self.reload_credits());
        }
    }

    /// Fetches the balance again (after anything that may have changed it).
    pub async fn reload_credits(self) {
        if let Ok(balance) = self.call::<CreditBalance>("GET", "/v1/credits", None).await {
            self.credits.set(Some(balance));
        }
    }

    pub fn set_user(self, user: User) {
        if self.i18n.locale.get_untracked() != user.locale {
            self.i18n.set(user.locale);
        }
        if self.theme.theme.get_untracked() != user.theme {
            self.theme.set(user.theme);
        }
        self.user.set(Some(user));
    }

    /// Uses the refresh cookie to get a new access token; false when there is no live session.
    pub async fn refresh(self) -> bool {
        if self.refreshing.get_untracked() {
            self.until_settled().await;
            return self.access.get_untracked().is_some();
        }
        self.refreshing.set(true);
        let ok = self.refresh_now().await;
        self.refreshing.set(false);
        self.wake();
        ok
    }

    async fn refresh_now(self) -> bool {
        if !signed_in_hint() {
            // No refresh cookie to trade (or it is gone): nothing to ask.
            self.clear();
            return false;
        }
        let answer = match api::early_refresh().await {
            Some(answer) => answer,
            None => api::public::<TokenResponse>("POST", "/v1/auth/refresh", None).await,
        };
        match answer {
            Ok(tokens) => {
                self.sign_in(tokens);
                true
            }
            Err(_) => {
                forget_signed_in_hint();
                self.clear();
                false
            }
        }
    }

    /// Called once at start: resumes a session from the cookie if there is one. The server
    /// sets a readable `zimage_signed_in` cookie beside the (unreadable) refresh cookie, so a
    /// visitor who never signed in is not sent on a refresh that can only fail.
    pub async fn restore(self) {
        if signed_in_hint() {
            self.refresh().await;
        }
        self.ready.set(true);
        self.wake();
    }

    /// Forgets the session; signals change only if there was one, so pages watching them do
    /// not react twice to the same signed-out state.
    fn clear(self) {
        if self.access.get_untracked().is_some() {
            self.access.set(None);
        }
        if self.user.get_untracked().is_some() {
            self.user.set(None);
        }
        if self.credits.get_untracked().is_some() {
            self.credits.set(None);
        }
        if self.step_up.get_untracked() {
            self.step_up_done(false);
        }
    }

    pub async fn logout(self) {
        let _ = api::send("POST", "/v1/auth/logout", None, None).await;
        self.clear();
    }

    /// The current access token, once the session is restored (for requests `call` cannot make).
    pub async fn bearer(self) -> Option<String> {
        self.until_settled().await;
        self.access.get_untracked()
    }

    /// An authenticated call; an expired access token is refreshed once and the call retried.
    pub async fn call<T: DeserializeOwned>(
        self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<T, ApiError> {
        self.call_with(method, path, body, &[]).await
    }

    /// Posts a multipart form, refreshing an expired token once.
    pub async fn upload<T: DeserializeOwned>(
        self,
        path: &str,
        form: &web_sys::FormData,
    ) -> Result<T, ApiError> {
        self.upload_as("POST", path, form).await
    }

    /// Sends a multipart form with `method`, refreshing an expired token once.
    pub async fn upload_as<T: DeserializeOwned>(
        self,
        method: &str,
        path: &str,
        form: &web_sys::FormData,
    ) -> Result<T, ApiError> {
        let Some(token) = self.bearer().await else {
            return Err(ApiError::signed_out());
        };
        let (status, text) = api::send_form(method, path, form, Some(&token)).await?;
        if status == 401 && self.refresh().await {
            let token = self.access.get_untracked();
            let (status, text) = api::send_form(method, path, form, token.as_deref()).await?;
            return api::decode(status, &text);
        }
        api::decode(status, &text)
    }

    /// Posts JSON and takes a file back (archives), refreshing an expired token once.
    pub async fn download(self, path: &str, body: String) -> Result<web_sys::Blob, ApiError> {
        let Some(token) = self.bearer().await else {
            return Err(ApiError::signed_out());
        };
        let mut answer = api::send_for_blob(path, body.clone(), Some(&token)).await?;
        if matches!(answer, Err((401, _))) && self.refresh().await {
            let token = self.access.get_untracked();
            answer = api::send_for_blob(path, body, token.as_deref()).await?;
        }
        answer.or_else(|(status, text)| {
            api::decode::<()>(status, &text).and(Err(ApiError::network()))
        })
    }

    /// [`Session::call`] with extra request headers. A sensitive action the server wants a fresh
    /// second factor for (`second_factor_required`) asks the user for a code in the step-up
    /// dialog, and is sent again once it is proved.
    pub async fn call_with<T: DeserializeOwned>(
        self,
        method: &str,
        path: &str,
        body: Option<String>,
        extra: &[(&str, &str)],
    ) -> Result<T, ApiError> {
        match self.send(method, path, body.clone(), extra).await {
            Err(err)
                if err.code() == Some(ErrorCode::SecondFactorRequired)
                    && self.prove_second_factor().await =>
            {
                self.send(method, path, body, extra).await
            }
            answer => answer,
        }
    }

    /// One authenticated request; an expired access token is refreshed once and it is retried.
    /// Never asks for a second factor (the step-up dialog proves its code with it).
    pub async fn send<T: DeserializeOwned>(
        self,
        method: &str,
        path: &str,
        body: Option<String>,
        extra: &[(&str, &str)],
    ) -> Result<T, ApiError> {
        let Some(token) = self.bearer().await else {
            return Err(ApiError::signed_out());
        };
        let (status, text) =
            api::send_with(method, path, body.clone(), Some(&token), extra).await?;
        if status == 401 && self.refresh().await {
            let token = self.access.get_untracked();
            let (status, text) =
                api::send_with(method, path, body, token.as_deref(), extra).await?;
            return api::decode(status, &text);
        }
        api::decode(status, &text)
    }
}

const SIGNED_IN_COOKIE: &str = "zimage_signed_in";

fn document() -> Option<web_sys::HtmlDocument> {
    use wasm_bindgen::JsCast;
    web_sys::window()?.document()?.dyn_into().ok()
}

/// Whether this browser was signed in when last seen (a readable cookie beside the refresh one).
pub fn signed_in_hint() -> bool {
    document()
        .and_then(|d| d.cookie().ok())
        .is_some_and(|cookies| {
            cookies
                .split(';')
                .any(|c| c.trim().starts_with(&format!("{SIGNED_IN_COOKIE}=")))
        })
}

/// Drops a hint that outlived its session (revoked or expired elsewhere).
fn forget_signed_in_hint() {
    if let Some(doc) = document() {
        let _ = doc.set_cookie(&format!(
            "{SIGNED_IN_COOKIE}=; Max-Age=0; Path=/; Secure; SameSite=Strict"
        ));
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Sends signed-out visitors of a members-only page to the log-in page.
pub fn redirect_signed_out() {
    let session = use_session();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let on_sign_in = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .is_some_and(|p| p.starts_with("/login"));
        if session.ready.get() && session.user.get().is_none() && !on_sign_in {
            navigate(&login_href(), Default::default());
        }
    });
}

/// The sign-in page, coming back to the current address (path and query) afterwards.
pub fn login_href() -> String {
    let here = web_sys::window()
        .map(|w| w.location())
        .map(|l| {
            format!(
                "{}{}",
                l.pathname().unwrap_or_default(),
                l.search().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    if here.is_empty() || here == "/" || here.starts_with("/login") {
        "/login".to_string()
    } else {
        format!("/login?next={}", js_sys::encode_uri_component(&here))
    }
}

/// Where to go after signing in: `next` when it is a path on this site, else `fallback`.
pub fn local_next(next: Option<String>, fallback: &str) -> String {
    next.filter(|path| zimage_shared::validate::is_local_path(path))
        .unwrap_or_else(|| fallback.to_string())
}
