//! Root component: context providers and the router.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

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
                    <Route path=path!("/verify-email") view=pages::verify_email::VerifyEmail />
                    <Route path=path!("/forgot-password") view=pages::forgot_password::ForgotPassword />
                    <Route path=path!("/reset-password") view=pages::reset_password::ResetPassword />
                    <Route path=path!("/account") view=pages::account::Account />
                    <Route path=path!("/credits") view=pages::credits::Credits />
                    <Route path=path!("/create") view=pages::create::Create />
                    <Route path=path!("/gallery") view=pages::gallery::Gallery />
                    <Route path=path!("/history") view=pages::history::History />
                    <Route path=path!("/prompts") view=pages::prompts::Prompts />
                    <Route path=path!("/developers") view=pages::developers::Developers />
                    <Route path=path!("/oauth/authorize") view=pages::oauth::Authorize />
                    <Route path=path!("/device") view=pages::oauth::Device />
                    <Route path=path!("/privacy") view=pages::privacy::PrivacyCenter />
                    <Route path=path!("/privacy/confirm") view=pages::privacy::ConfirmErasure />
                    <Route path=path!("/security") view=pages::security::Security />
                    <Route path=path!("/legal/:name") view=pages::legal::LegalPage />
                    <Route path=path!("/unsubscribe") view=pages::privacy::Unsubscribe />
                    <Route path=path!("/support") view=pages::support::Support />
                    <Route path=path!("/support/:id") view=pages::support::SupportTicket />
                    <Route path=path!("/admin") view=pages::admin::AdminDashboard />
                    <Route path=path!("/admin/users") view=pages::admin::AdminUsers />
                    <Route path=path!("/admin/users/:id") view=pages::admin::AdminUser />
                    <Route path=path!("/admin/tasks") view=pages::admin::AdminTasks />
                    <Route path=path!("/admin/moderation") view=pages::admin::AdminModeration />
                    <Route path=path!("/admin/privacy") view=pages::admin::AdminPrivacy />
                    <Route path=path!("/admin/support") view=pages::admin::AdminSupport />
                    <Route path=path!("/admin/support/:id") view=pages::admin::AdminSupportTicket />
                    <Route path=path!("/admin/audit") view=pages::admin::AdminAudit />
                    <Route path=path!("/s/:token") view=pages::shared::Shared />
                    <Route path=path!("/c/:token") view=pages::shared::SharedAlbum />
                </Routes>
            </Layout>
        </Router>
    }
}
