//! Sign-in with identity providers: the "Continue with …" buttons and what a failed way back
//! from a provider means.

use leptos::prelude::*;
use zimage_shared::auth::{SsoKind, SsoProviderInfo, SsoStart, SsoStartRequest};

use crate::api;
use crate::i18n::{Key, tr, use_i18n};

/// The message for a `sso_error` code the way back from a provider landed with.
pub fn error_key(code: &str) -> Key {
    match code {
        "state_mismatch" => Key::SsoErrStateMismatch,
        "access_denied" => Key::SsoErrAccessDenied,
        "provider_unavailable" => Key::SsoErrUnavailable,
        "token_rejected" => Key::SsoErrTokenRejected,
        "email_unverified" => Key::SsoErrEmailUnverified,
        "email_taken" => Key::SsoErrEmailTaken,
        "invitation_required" => Key::ErrInvitationRequired,
        "account_disabled" => Key::SsoErrAccountDisabled,
        "erasure_pending" => Key::SsoErrErasurePending,
        "identity_taken" => Key::SsoErrIdentityTaken,
        "provider_already_linked" => Key::SsoErrAlreadyLinked,
        "account_unverified" => Key::SsoErrAccountUnverified,
        "server_error" => Key::SsoErrServer,
        _ => Key::SsoErrProvider,
    }
}

/// Sends the browser to `url` (a provider's sign-in page).
pub fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}

/// The provider's mark: GitHub's octocat outline, else the provider's initial.
fn mark(provider: &SsoProviderInfo) -> AnyView {
    match provider.kind {
        SsoKind::Github => view! {
            <svg class="sso-mark" viewBox="0 0 16 16" aria-hidden="true" width="18" height="18">
                <path fill="currentColor" d="M8 0C3.58 0 0 3.58 0 8c0 3.54 2.29 6.53 5.47 7.59.4.07.55-.17.55-.38 0-.19-.01-.82-.01-1.49-2.01.37-2.53-.49-2.69-.94-.09-.23-.48-.94-.82-1.13-.28-.15-.68-.52-.01-.53.63-.01 1.08.58 1.23.82.72 1.21 1.87.87 2.33.66.07-.52.28-.87.51-1.07-1.78-.2-3.64-.89-3.64-3.95 0-.87.31-1.59.82-2.15-.08-.2-.36-1.02.08-2.12 0 0 .67-.21 2.2.82.64-.18 1.32-.27 2-.27.68 0 1.36.09 2 .27 1.53-1.04 2.2-.82 2.2-.82.44 1.1.16 1.92.08 2.12.51.56.82 1.27.82 2.15 0 3.07-1.87 3.75-3.65 3.95.29.25.54.73.54 1.48 0 1.07-.01 1.93-.01 2.2 0 .21.15.46.55.38A8.013 8.013 0 0016 8c0-4.42-3.58-8-8-8z"/>
            </svg>
        }
        .into_any(),
        SsoKind::Oidc => {
            let initial: String = provider.name.chars().take(1).collect();
            view! { <span class="sso-mark sso-initial" aria-hidden="true">{initial}</span> }.into_any()
        }
    }
}

/// "Continue with …" for each provider, then "or" before the password form (`divider`).
/// Pressing one asks the server for the provider's sign-in address (the answer also sets the
/// cookie that binds the way back to this browser) and goes there.
#[component]
pub fn SsoButtons(
    providers: Signal<Vec<SsoProviderInfo>>,
    /// Where to land afterwards.
    next: Signal<Option<String>>,
    /// The invitation of an invite-only installation's link.
    invitation: Signal<Option<String>>,
    notice: RwSignal<Option<Key>>,
    #[prop(into, optional)] divider: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(None::<String>);
    let start = move |id: String| {
        notice.set(None);
        busy.set(Some(id.clone()));
        let request = SsoStartRequest {
            return_to: next.get_untracked(),
            invitation: invitation.get_untracked(),
            login_hint: None,
        };
        leptos::task::spawn_local(async move {
            let path = format!("/v1/auth/sso/{id}/start");
            match api::public::<SsoStart>("POST", &path, api::body(&request)).await {
                // The page stays busy while the browser leaves.
                Ok(start) => go_to(&start.authorization_url),
                Err(err) => {
                    notice.set(Some(err.message()));
                    busy.set(None);
                }
            }
        });
    };
    view! {
        <Show when=move || !providers.get().is_empty()>
            <div class="sso-buttons">
                <For each=move || providers.get() key=|p| p.id.clone() let:provider>
                    {
                        let id = provider.id.clone();
                        let mine = id.clone();
                        let label = provider.name.clone();
                        view! {
                            <button type="button" class="button sso-button" id=format!("sso-{id}")
                                disabled=move || busy.get().is_some()
                                aria-busy=move || (busy.get().as_deref() == Some(mine.as_str())).to_string()
                                on:click=move |_| start(id.clone())>
                                {mark(&provider)}
                                <span>
                                    {move || tr(i18n.locale.get(), Key::SsoContinuePrefix)}
                                    {label.clone()}
                                    {move || tr(i18n.locale.get(), Key::SsoContinueSuffix)}
                                </span>
                            </button>
                        }
                    }
                </For>
            </div>
            <Show when=move || divider.get()>
                <p class="sso-divider"><span>{move || tr(i18n.locale.get(), Key::SsoOr)}</span></p>
            </Show>
        </Show>
    }
}
