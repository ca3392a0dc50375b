//! Root component: context providers and the router.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, lazy_route, path};

use crate::components::layout::Layout;
use crate::i18n::I18n;
use crate::pages;
use crate::session::Session;
use crate::theme::{ThemeState, set_lang_attribute};

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::detect();
    let theme = ThemeState::detect();
    set_lang_attribute(i18n.locale.get_untracked());
    let session = Session::new(i18n, theme);
    provide_context(i18n);
    provide_context(theme);
    provide_context(session);
    spawn_local(session.restore());

    view! {
        <Router>
            <Layout>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::home::Home />
                    <Route path=path!("/signup") view=pages::signup::Signup />
                    <Route path=path!("/login") view=pages::login::Login />
                    <Route path=path!("/verify-email") view={Lazy::<VerifyEmailPage>::new()} />
                    <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordPage>::new()} />
                    <Route path=path!("/reset-password") view={Lazy::<ResetPasswordPage>::new()} />
                    <Route path=path!("/account") view={Lazy::<AccountPage>::new()} />
                    <Route path=path!("/credits") view={Lazy::<CreditsPage>::new()} />
                    <Route path=path!("/create") view=pages::create::Create />
                    <Route path=path!("/gallery") view=pages::gallery::Gallery />
                    <Route path=path!("/history") view={Lazy::<HistoryPage>::new()} />
                    <Route path=path!("/prompts") view={Lazy::<PromptsPage>::new()} />
                    <Route path=path!("/developers") view={Lazy::<DevelopersPage>::new()} />
                    <Route path=path!("/oauth/authorize") view={Lazy::<AuthorizePage>::new()} />
                    <Route path=path!("/device") view={Lazy::<DevicePage>::new()} />
                    <Route path=path!("/privacy") view={Lazy::<PrivacyPage>::new()} />
                    <Route path=path!("/privacy/confirm") view={Lazy::<ConfirmErasurePage>::new()} />
                    <Route path=path!("/security") view={Lazy::<SecurityPage>::new()} />
                    <Route path=path!("/legal/:name") view={Lazy::<LegalPage>::new()} />
                    <Route path=path!("/unsubscribe") view={Lazy::<UnsubscribePage>::new()} />
                    <Route path=path!("/support") view={Lazy::<SupportPage>::new()} />
                    <Route path=path!("/support/:id") view={Lazy::<SupportTicketPage>::new()} />
                    <Route path=path!("/admin") view={Lazy::<AdminDashboardPage>::new()} />
                    <Route path=path!("/admin/users") view={Lazy::<AdminUsersPage>::new()} />
                    <Route path=path!("/admin/users/:id") view={Lazy::<AdminUserPage>::new()} />
                    <Route path=path!("/admin/tasks") view={Lazy::<AdminTasksPage>::new()} />
                    <Route path=path!("/admin/moderation") view={Lazy::<AdminModerationPage>::new()} />
                    <Route path=path!("/admin/privacy") view={Lazy::<AdminPrivacyPage>::new()} />
                    <Route path=path!("/admin/support") view={Lazy::<AdminSupportPage>::new()} />
                    <Route path=path!("/admin/support/:id") view={Lazy::<AdminSupportTicketPage>::new()} />
                    <Route path=path!("/admin/audit") view={Lazy::<AdminAuditPage>::new()} />
                    <Route path=path!("/s/:token") view=pages::shared::Shared />
                    <Route path=path!("/c/:token") view=pages::shared::SharedAlbum />
                </Routes>
            </Layout>
        </Router>
    }
}

// Pages most visits never open load as separate wasm chunks when first visited (Leptos' lazy
// routes; `scripts/build-web.sh` splits the module with wasm-split). What a first visit needs
// (home, sign-up, sign-in, create, gallery, shared links) stays in the main module.

struct VerifyEmailPage;

#[lazy_route]
impl LazyRoute for VerifyEmailPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::verify_email::VerifyEmail /> }.into_any()
    }
}

struct ForgotPasswordPage;

#[lazy_route]
impl LazyRoute for ForgotPasswordPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::forgot_password::ForgotPassword /> }.into_any()
    }
}

struct ResetPasswordPage;

#[lazy_route]
impl LazyRoute for ResetPasswordPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::reset_password::ResetPassword /> }.into_any()
    }
}

struct AccountPage;

#[lazy_route]
impl LazyRoute for AccountPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::account::Account /> }.into_any()
    }
}

struct CreditsPage;

#[lazy_route]
impl LazyRoute for CreditsPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::credits::Credits /> }.into_any()
    }
}

struct HistoryPage;

#[lazy_route]
impl LazyRoute for HistoryPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::history::History /> }.into_any()
    }
}

struct PromptsPage;

#[lazy_route]
impl LazyRoute for PromptsPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::prompts::Prompts /> }.into_any()
    }
}

struct DevelopersPage;

#[lazy_route]
impl LazyRoute for DevelopersPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::developers::Developers /> }.into_any()
    }
}

struct AuthorizePage;

#[lazy_route]
impl LazyRoute for AuthorizePage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::oauth::Authorize /> }.into_any()
    }
}

struct DevicePage;

#[lazy_route]
impl LazyRoute for DevicePage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::oauth::Device /> }.into_any()
    }
}

struct PrivacyPage;

#[lazy_route]
impl LazyRoute for PrivacyPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::privacy::PrivacyCenter /> }.into_any()
    }
}

struct ConfirmErasurePage;

#[lazy_route]
impl LazyRoute for ConfirmErasurePage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::privacy::ConfirmErasure /> }.into_any()
    }
}

struct SecurityPage;

#[lazy_route]
impl LazyRoute for SecurityPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::security::Security /> }.into_any()
    }
}

struct LegalPage;

#[lazy_route]
impl LazyRoute for LegalPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::legal::LegalPage /> }.into_any()
    }
}

struct UnsubscribePage;

#[lazy_route]
impl LazyRoute for UnsubscribePage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::privacy::Unsubscribe /> }.into_any()
    }
}

struct SupportPage;

#[lazy_route]
impl LazyRoute for SupportPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::support::Support /> }.into_any()
    }
}

struct SupportTicketPage;

#[lazy_route]
impl LazyRoute for SupportTicketPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::support::SupportTicket /> }.into_any()
    }
}

struct AdminDashboardPage;

#[lazy_route]
impl LazyRoute for AdminDashboardPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::admin::AdminDashboard /> }.into_any()
    }
}

struct AdminUsersPage;

#[lazy_route]
impl LazyRoute for AdminUsersPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::admin::AdminUsers /> }.into_any()
    }
}

struct AdminUserPage;

#[lazy_route]
impl LazyRoute for AdminUserPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::admin::AdminUser /> }.into_any()
    }
}

struct AdminTasksPage;

#[lazy_route]
impl LazyRoute for AdminTasksPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::admin::AdminTasks /> }.into_any()
    }
}

struct AdminModerationPage;

#[lazy_route]
impl LazyRoute for AdminModerationPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::admin::AdminModeration /> }.into_any()
    }
}

struct AdminPrivacyPage;

#[lazy_route]
impl LazyRoute for AdminPrivacyPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::admin::AdminPrivacy /> }.into_any()
    }
}

struct AdminSupportPage;

#[lazy_route]
impl LazyRoute for AdminSupportPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::admin::AdminSupport /> }.into_any()
    }
}

struct AdminSupportTicketPage;

#[lazy_route]
impl LazyRoute for AdminSupportTicketPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::admin::AdminSupportTicket /> }.into_any()
    }
}

struct AdminAuditPage;

#[lazy_route]
impl LazyRoute for AdminAuditPage {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::admin::AdminAudit /> }.into_any()
    }
}
