//! The signed-in user: the access token lives in memory, the refresh token in an HttpOnly cookie.

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use zimage_shared::account::User;
use zimage_shared::auth::TokenResponse;

use crate::api::{self, ApiError};
use crate::i18n::I18n;
use crate::theme::ThemeState;

/// Session state, provided at the root.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: RwSignal<Option<User>>,
    access: RwSignal<Option<String>>,
    /// False until the first cookie refresh has answered.
    pub ready: RwSignal<bool>,
    i18n: I18n,
    theme: ThemeState,
}

impl Session {
    pub fn new(i18n: I18n, theme: ThemeState) -> Self {
        Self {
            user: RwSignal::new(None),
            access: RwSignal::new(None),
            ready: RwSignal::new(false),
            i18n,
            theme,
        }
    }

    /// Adopts new tokens and applies the profile's language and theme.
    pub fn sign_in(self, tokens: TokenResponse) {
        self.access.set(Some(tokens.access_token));
        self.set_user(tokens.user);
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
        match api::public::<TokenResponse>("POST", "/v1/auth/refresh", None).await {
            Ok(tokens) => {
                self.sign_in(tokens);
                true
            }
            Err(_) => {
                self.clear();
                false
            }
        }
    }

    /// Called once at start: resumes a session from the cookie if there is one.
    pub async fn restore(self) {
        self.refresh().await;
        self.ready.set(true);
    }

    fn clear(self) {
        self.access.set(None);
        self.user.set(None);
    }

    pub async fn logout(self) {
        let _ = api::send("POST", "/v1/auth/logout", None, None).await;
        self.clear();
    }

    /// An authenticated call; an expired access token is refreshed once and the call retried.
    pub async fn call<T: DeserializeOwned>(
        self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<T, ApiError> {
        let token = self.access.get_untracked();
        let (status, text) = api::send(method, path, body.clone(), token.as_deref()).await?;
        if status == 401 && self.refresh().await {
            let token = self.access.get_untracked();
            let (status, text) = api::send(method, path, body, token.as_deref()).await?;
            return api::decode(status, &text);
        }
        api::decode(status, &text)
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
