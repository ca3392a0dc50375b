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
                    <Route path=path!("/signup/finish") view={Lazy::<SsoFinishPage>::new()} />
                    <Route path=path!("/sso/link") view={Lazy::<SsoLinkPage>::new()} />
                    <Route path=path!("/email-change") view={Lazy::<ConfirmEmailChangePage>::new()} />
                    <Route path=path!("/email-change/undo") view={Lazy::<UndoEmailChangePage>::new()} />
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
                    <Route path=path!("/admin/invitations") view={Lazy::<AdminInvitationsPage>::new()} />
                    <Route path=path!("/admin/backends") view={Lazy::<AdminBackendsPage>::new()} />
                    <Route path=path!("/s/:token") view=pages::shared::Shared />
                    <Route path=path!("/c/:token") view=pages::shared::SharedAlbum />
                </Routes>
            </Layout>
        </Router>
    }
}

// Pages most visits never open load as separate wasm chunks when first visited (Leptos' lazy
// routes; `scripts/build-web.sh` splits the module with wasm-split). What a first visit needs
// (home, sign-up, sign-in, create, gallery, shared links) stays in the main module. Each route
// type becomes its own split point (the lazy view is named after the type).
macro_rules! lazy_pages {
    ($($route:ident => $page:path;)*) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    VerifyEmailPage => pages::verify_email::VerifyEmail;
    ForgotPasswordPage => pages::forgot_password::ForgotPassword;
    ResetPasswordPage => pages::reset_password::ResetPassword;
    SsoFinishPage => pages::sso::SsoFinish;
    SsoLinkPage => pages::sso::SsoLink;
    ConfirmEmailChangePage => pages::email_change::ConfirmEmailChange;
    UndoEmailChangePage => pages::email_change::UndoEmailChange;
    AccountPage => pages::account::Account;
    CreditsPage => pages::credits::Credits;
    HistoryPage => pages::history::History;
    PromptsPage => pages::prompts::Prompts;
    DevelopersPage => pages::developers::Developers;
    AuthorizePage => pages::oauth::Authorize;
    DevicePage => pages::oauth::Device;
    PrivacyPage => pages::privacy::PrivacyCenter;
    ConfirmErasurePage => pages::privacy::ConfirmErasure;
    SecurityPage => pages::security::Security;
    LegalPage => pages::legal::LegalPage;
    UnsubscribePage => pages::privacy::Unsubscribe;
    SupportPage => pages::support::Support;
    SupportTicketPage => pages::support::SupportTicket;
    AdminDashboardPage => pages::admin::AdminDashboard;
    AdminUsersPage => pages::admin::AdminUsers;
    AdminUserPage => pages::admin::AdminUser;
    AdminTasksPage => pages::admin::AdminTasks;
    AdminModerationPage => pages::admin::AdminModeration;
    AdminPrivacyPage => pages::admin::AdminPrivacy;
    AdminSupportPage => pages::admin::AdminSupport;
    AdminSupportTicketPage => pages::admin::AdminSupportTicket;
    AdminAuditPage => pages::admin::AdminAudit;
    AdminInvitationsPage => pages::admin::AdminInvitations;
    AdminBackendsPage => pages::admin::AdminBackends;
}
