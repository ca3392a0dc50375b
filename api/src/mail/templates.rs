//! The messages we send, in every supported language.

use zimage_shared::account::Locale;

use super::Email;

/// A message to render.
pub enum Template<'a> {
    /// Confirms the address after sign-up (or on request).
    VerifyEmail { link: &'a str },
    /// Lets the owner choose a new password.
    ResetPassword { link: &'a str },
    /// Confirms a new address for an account (sent to the new address).
    ConfirmEmailChange { link: &'a str },
    /// The account moved to `new_email` (sent to the old address, with the undo link).
    EmailChanged { new_email: &'a str, link: &'a str },
    /// Someone tried to sign up with an address that already has an account.
    AccountExists { link: &'a str },
    /// An administrator invited this address to sign up; `until` is the link's last day.
    Invitation { link: &'a str, until: &'a str },
    /// Tells the owner their password changed and all sessions were signed out.
    /// `locked_down`: API keys and passkeys were removed and webhook endpoints paused too.
    PasswordChanged { locked_down: bool },
    /// Two-factor authentication was turned on or off.
    TwoFactorChanged { enabled: bool, link: &'a str },
    /// Someone signed in at `provider` with this account's address; the link connects that
    /// sign-in to the account.
    ConfirmIdentityLink { provider: &'a str, link: &'a str },
    /// Signing in at `provider` now opens this account.
    IdentityLinked { provider: &'a str, link: &'a str },
    /// Signing in at `provider` no longer opens this account.
    IdentityUnlinked { provider: &'a str, link: &'a str },
    /// A passkey called `name` now signs in to this account.
    PasskeyAdded { name: &'a str, link: &'a str },
    /// The passkey called `name` no longer signs in.
    PasskeyRemoved { name: &'a str, link: &'a str },
    /// A recovery code was used in place of a code from the authenticator app.
    RecoveryCodeUsed { link: &'a str },
    /// New recovery codes replaced the old ones.
    RecoveryCodesReplaced { link: &'a str },
    /// Confirms a payment.
    Receipt {
        what: &'a str,
        amount: &'a str,
        order: &'a str,
        link: &'a str,
    },
    /// A second subscription was started while one was running: it was cancelled and refunded.
    DuplicateSubscription { link: &'a str },
    /// Tells the owner about a sign-in from a client not seen before.
    NewSignIn {
        device: &'a str,
        ip: &'a str,
        when: &'a str,
        link: &'a str,
    },
    /// The data export is ready to download.
    ExportReady { link: &'a str, until: &'a str },
    /// Asks the owner to confirm deleting the account (the identity check).
    ConfirmErasure { link: &'a str },
    /// The deletion is confirmed; the account is off and goes for good on `on`.
    ErasureScheduled { on: &'a str, link: &'a str },
    /// Support answered a ticket.
    SupportReply {
        number: &'a str,
        subject: &'a str,
        link: &'a str,
    },
    /// Tells support staff that a customer opened or answered a ticket.
    SupportCustomerMessage {
        number: &'a str,
        subject: &'a str,
        link: &'a str,
    },
    /// Warns that unspent credits expire soon.
    CreditsExpiring {
        credits: i64,
        on: &'a str,
        link: &'a str,
    },
}

struct Parts {
    subject: &'static str,
    intro: &'static str,
    action: Option<&'static str>,
    outro: &'static str,
}

fn parts(template: &Template<'_>, locale: Locale) -> Parts {
    match (template, locale) {
        (Template::VerifyEmail { .. }, Locale::En) => Parts {
            subject: "Confirm your e-mail address",
            intro: "Welcome to Z-Image Studio. Confirm your e-mail address to start creating images.",
            action: Some("Confirm e-mail address"),
            outro: "The link is valid for 24 hours. If you did not sign up, ignore this message.",
        },
        (Template::VerifyEmail { .. }, Locale::ZhCn) => Parts {
            subject: "请确认您的电子邮箱地址",
            intro: "欢迎使用 Z-Image Studio。确认电子邮箱地址后即可开始创作图像。",
            action: Some("确认电子邮箱"),
            outro: "链接 24 小时内有效。如果您没有注册，请忽略此邮件。",
        },
        (Template::ResetPassword { .. }, Locale::En) => Parts {
            subject: "Reset your password",
            intro: "Someone asked to reset the password of your Z-Image Studio account.",
            action: Some("Choose a new password"),
            outro: "The link is valid for 1 hour and works once. If it was not you, ignore this message; your password stays as it is.",
        },
        (Template::ConfirmEmailChange { .. }, Locale::En) => Parts {
            subject: "Confirm your new e-mail address",
            intro: "Someone, perhaps you, asked to use this address for their Z-Image Studio account.",
            action: Some("Use this address"),
            outro: "The link is valid for 24 hours and works once. If it was not you, ignore this message; nothing changes.",
        },
        (Template::ConfirmEmailChange { .. }, Locale::ZhCn) => Parts {
            subject: "请确认您的新电子邮箱地址",
            intro: "有人（可能是您）请求将此邮箱用于其 Z-Image Studio 账户。",
            action: Some("使用此邮箱"),
            outro: "链接 24 小时内有效且只能使用一次。如果不是您本人操作，请忽略此邮件，什么都不会改变。",
        },
        (Template::EmailChanged { .. }, Locale::En) => Parts {
            subject: "Your e-mail address was changed",
            intro: "The e-mail address of your Z-Image Studio account was just changed. Sign-in and messages now use the new address.",
            action: Some("This was not me: undo the change"),
            outro: "The link works for 24 hours. Undoing puts this address back, signs every device out, stops API keys and webhooks, and sends you a link to choose a new password. If it was you, there is nothing to do.",
        },
        (Template::EmailChanged { .. }, Locale::ZhCn) => Parts {
            subject: "您的电子邮箱地址已更改",
            intro: "您的 Z-Image Studio 账户的电子邮箱地址刚刚被更改。登录和通知今后将使用新地址。",
            action: Some("不是我本人：撤销更改"),
            outro: "链接 24 小时内有效。撤销后将恢复此邮箱，所有设备退出登录，API 密钥和 Webhook 停用，并向您发送设置新密码的链接。如果是您本人操作，无需任何处理。",
        },
        (Template::Invitation { .. }, Locale::En) => Parts {
            subject: "You are invited to Z-Image Studio",
            intro: "An administrator of this Z-Image Studio installation invited you to create an account with this address.",
            action: Some("Create your account"),
            outro: "If you do not want an account, ignore this message; nothing is created without you.",
        },
        (Template::Invitation { .. }, Locale::ZhCn) => Parts {
            subject: "邀请您加入 Z-Image Studio",
            intro: "此 Z-Image Studio 站点的管理员邀请您使用此邮箱创建账户。",
            action: Some("创建账户"),
            outro: "如果您不需要账户，请忽略此邮件；未经您操作不会创建任何内容。",
        },
        (Template::AccountExists { .. }, Locale::En) => Parts {
            subject: "You already have a Z-Image Studio account",
            intro: "Someone, perhaps you, tried to create a Z-Image Studio account with this address. It already has one, so nothing was created.",
            action: Some("Sign in"),
            outro: "Forgot your password? Reset it from the sign-in page. If it was not you, ignore this message.",
        },
        (Template::AccountExists { .. }, Locale::ZhCn) => Parts {
            subject: "您已拥有 Z-Image Studio 账户",
            intro: "有人（可能是您）尝试用此邮箱创建 Z-Image Studio 账户。该邮箱已有账户，因此未创建新账户。",
            action: Some("登录"),
            outro: "忘记密码？请在登录页重置。如果不是您本人操作，请忽略此邮件。",
        },
        (Template::ResetPassword { .. }, Locale::ZhCn) => Parts {
            subject: "重置您的密码",
            intro: "有人请求重置您的 Z-Image Studio 账户密码。",
            action: Some("设置新密码"),
            outro: "链接 1 小时内有效且只能使用一次。如果不是您本人操作，请忽略此邮件，您的密码不会改变。",
        },
        (Template::PasswordChanged { .. }, Locale::En) => Parts {
            subject: "Your password was changed",
            intro: "The password of your Z-Image Studio account was just changed, and every device was signed out.",
            action: None,
            outro: "If this was not you, reset your password at once.",
        },
        (Template::Receipt { .. }, Locale::En) => Parts {
            subject: "Your Z-Image Studio receipt",
            intro: "Thank you for your purchase. Your credits are in your account.",
            action: Some("View receipt"),
            outro: "Keep this e-mail for your records.",
        },
        (Template::Receipt { .. }, Locale::ZhCn) => Parts {
            subject: "您的 Z-Image Studio 收据",
            intro: "感谢您的购买，点数已存入您的账户。",
            action: Some("查看收据"),
            outro: "请保留此邮件以备查询。",
        },
        (Template::DuplicateSubscription { .. }, Locale::En) => Parts {
            subject: "Your second subscription was cancelled and refunded",
            intro: "You already had a Z-Image Studio subscription when another one was paid for, so the new one was cancelled at once and its payment refunded in full.",
            action: Some("See your subscription"),
            outro: "The refund reaches your card within 5–10 business days. Your existing plan is unchanged.",
        },
        (Template::DuplicateSubscription { .. }, Locale::ZhCn) => Parts {
            subject: "您的第二个订阅已取消并全额退款",
            intro: "您已有一个 Z-Image Studio 订阅时又支付了另一个订阅，新订阅已立即取消，款项已全额退回。",
            action: Some("查看您的订阅"),
            outro: "退款将在 5–10 个工作日内退回您的银行卡。您现有的套餐不受影响。",
        },
        (Template::CreditsExpiring { .. }, Locale::En) => Parts {
            subject: "Your credits expire soon",
            intro: "Some of your Z-Image Studio credits will expire unless you use them.",
            action: Some("Use your credits"),
            outro: "Credits are always spent soonest-expiring first, so anything you create now uses these.",
        },
        (Template::CreditsExpiring { .. }, Locale::ZhCn) => Parts {
            subject: "您的点数即将过期",
            intro: "您的部分 Z-Image Studio 点数即将过期，请尽快使用。",
            action: Some("去使用点数"),
            outro: "点数总是优先扣除最早过期的部分，因此您现在创作就会使用这些点数。",
        },
        (Template::NewSignIn { .. }, Locale::En) => Parts {
            subject: "New sign-in to your account",
            intro: "Your Z-Image Studio account was just signed in to from a browser or app it has not used before.",
            action: Some("Review your devices"),
            outro: "If this was you, there is nothing to do. If not, change your password and sign the device out.",
        },
        (Template::NewSignIn { .. }, Locale::ZhCn) => Parts {
            subject: "您的账户有新的登录",
            intro: "您的 Z-Image Studio 账户刚刚在一个此前未使用过的浏览器或应用上登录。",
            action: Some("查看您的设备"),
            outro: "如果是您本人操作，无需任何处理。如果不是，请修改密码并让该设备退出登录。",
        },
        (Template::ExportReady { .. }, Locale::En) => Parts {
            subject: "Your data export is ready",
            intro: "The copy of your Z-Image Studio data that you asked for is ready: a ZIP with one file per kind of data, your images and a README that explains each file.",
            action: Some("Download your data"),
            outro: "Sign in to download it. If you did not ask for this, change your password.",
        },
        (Template::ExportReady { .. }, Locale::ZhCn) => Parts {
            subject: "您的数据导出已就绪",
            intro: "您申请的 Z-Image Studio 数据副本已准备好：一个 ZIP 文件，每类数据一个文件，包含您的图像和说明每个文件的 README。",
            action: Some("下载您的数据"),
            outro: "请登录后下载。如果不是您本人申请，请修改密码。",
        },
        (Template::ConfirmErasure { .. }, Locale::En) => Parts {
            subject: "Confirm deleting your account",
            intro: "Someone asked to delete your Z-Image Studio account and everything in it: images, uploads, prompts, history and credits. Payment records are kept, without your name, as the law requires.",
            action: Some("Yes, delete my account"),
            outro: "The link is valid for 24 hours. If you did not ask for this, ignore this message and change your password; nothing will be deleted.",
        },
        (Template::ConfirmErasure { .. }, Locale::ZhCn) => Parts {
            subject: "确认删除您的账户",
            intro: "有人请求删除您的 Z-Image Studio 账户及其中的全部内容：图像、上传、提示词、历史记录和点数。付款记录将按法律要求在去除您的身份信息后保留。",
            action: Some("是的，删除我的账户"),
            outro: "链接 24 小时内有效。如果不是您本人申请，请忽略此邮件并修改密码，任何内容都不会被删除。",
        },
        (Template::ErasureScheduled { .. }, Locale::En) => Parts {
            subject: "Your account will be deleted",
            intro: "You confirmed deleting your Z-Image Studio account. It is switched off now: every device is signed out and every API key and webhook is revoked.",
            action: Some("Changed your mind? Sign in to keep it"),
            outro: "Until then you can keep the account by signing in and choosing to keep it. After that date nothing can be recovered.",
        },
        (Template::ErasureScheduled { .. }, Locale::ZhCn) => Parts {
            subject: "您的账户将被删除",
            intro: "您已确认删除 Z-Image Studio 账户。账户现已停用：所有设备均已退出登录，所有 API 密钥和 Webhook 均已撤销。",
            action: Some("改变主意？登录以保留账户"),
            outro: "在此之前，您可以登录并选择保留账户。此后任何内容都无法恢复。",
        },
        (Template::SupportReply { .. }, Locale::En) => Parts {
            subject: "Support answered your ticket",
            intro: "Our support team replied to your ticket.",
            action: Some("Read the reply"),
            outro: "Reply on the ticket page; answers by e-mail are not read.",
        },
        (Template::SupportReply { .. }, Locale::ZhCn) => Parts {
            subject: "客服已回复您的工单",
            intro: "我们的客服团队回复了您的工单。",
            action: Some("查看回复"),
            outro: "请在工单页面回复；我们不会阅读通过电子邮件发送的回复。",
        },
        (Template::SupportCustomerMessage { .. }, Locale::En) => Parts {
            subject: "Support ticket waiting for an answer",
            intro: "A customer opened or replied to a support ticket.",
            action: Some("Open the support queue"),
            outro: "Answers are due within 30 days; sooner is better.",
        },
        (Template::SupportCustomerMessage { .. }, Locale::ZhCn) => Parts {
            subject: "有工单等待回复",
            intro: "有客户新建或回复了支持工单。",
            action: Some("打开支持队列"),
            outro: "须在 30 天内答复，越快越好。",
        },
        (Template::TwoFactorChanged { enabled: true, .. }, Locale::En) => Parts {
            subject: "Two-factor authentication is on",
            intro: "Signing in to your Z-Image Studio account now also asks for a code from your authenticator app.",
            action: Some("Review your security settings"),
            outro: "If this was not you, reset your password at once and tell support.",
        },
        (Template::TwoFactorChanged { enabled: true, .. }, Locale::ZhCn) => Parts {
            subject: "已开启双重验证",
            intro: "现在登录您的 Z-Image Studio 账户时，还需要输入身份验证器应用中的验证码。",
            action: Some("查看安全设置"),
            outro: "如果不是您本人操作，请立即重置密码并联系客服。",
        },
        (Template::TwoFactorChanged { enabled: false, .. }, Locale::En) => Parts {
            subject: "Two-factor authentication is off",
            intro: "Two-factor authentication was turned off for your Z-Image Studio account: signing in asks for the password only.",
            action: Some("Review your security settings"),
            outro: "If this was not you, reset your password at once and tell support.",
        },
        (Template::TwoFactorChanged { enabled: false, .. }, Locale::ZhCn) => Parts {
            subject: "已关闭双重验证",
            intro: "您的 Z-Image Studio 账户已关闭双重验证：登录时只需密码。",
            action: Some("查看安全设置"),
            outro: "如果不是您本人操作，请立即重置密码并联系客服。",
        },
        (Template::ConfirmIdentityLink { .. }, Locale::En) => Parts {
            subject: "Connect a sign-in to your Z-Image Studio account?",
            intro: "Someone, perhaps you, signed in at an identity provider with this address. Your account was not opened: connect that sign-in first, and it will open your account from then on.",
            action: Some("Connect this sign-in"),
            outro: "The link works for 24 hours. If it was not you, ignore this message: nothing changes without you.",
        },
        (Template::ConfirmIdentityLink { .. }, Locale::ZhCn) => Parts {
            subject: "要将此登录方式关联到您的 Z-Image Studio 账户吗？",
            intro: "有人（可能是您）使用此邮箱在身份提供方登录。您的账户尚未被打开：请先关联该登录方式，之后即可用它登录您的账户。",
            action: Some("关联此登录方式"),
            outro: "链接 24 小时内有效。如果不是您本人操作，请忽略此邮件：未经您操作不会有任何变化。",
        },
        (Template::IdentityLinked { .. }, Locale::En) => Parts {
            subject: "A new way to sign in was added",
            intro: "Signing in at an identity provider now opens your Z-Image Studio account.",
            action: Some("Review your security settings"),
            outro: "If this was not you, remove it in Security, reset your password at once and tell support.",
        },
        (Template::IdentityLinked { .. }, Locale::ZhCn) => Parts {
            subject: "已添加新的登录方式",
            intro: "现在可以通过身份提供方登录您的 Z-Image Studio 账户。",
            action: Some("查看安全设置"),
            outro: "如果不是您本人操作，请在安全设置中移除它，立即重置密码并联系客服。",
        },
        (Template::IdentityUnlinked { .. }, Locale::En) => Parts {
            subject: "A way to sign in was removed",
            intro: "Signing in at an identity provider no longer opens your Z-Image Studio account.",
            action: Some("Review your security settings"),
            outro: "If this was not you, reset your password at once and tell support.",
        },
        (Template::IdentityUnlinked { .. }, Locale::ZhCn) => Parts {
            subject: "已移除一种登录方式",
            intro: "通过身份提供方登录将不再打开您的 Z-Image Studio 账户。",
            action: Some("查看安全设置"),
            outro: "如果不是您本人操作，请立即重置密码并联系客服。",
        },
        (Template::PasskeyAdded { .. }, Locale::En) => Parts {
            subject: "A passkey was added to your account",
            intro: "A new passkey now signs in to your Z-Image Studio account without a password.",
            action: Some("Review your security settings"),
            outro: "If this was not you, remove it in Security, reset your password at once and tell support.",
        },
        (Template::PasskeyAdded { .. }, Locale::ZhCn) => Parts {
            subject: "您的账户已添加通行密钥",
            intro: "新的通行密钥现在无需密码即可登录您的 Z-Image Studio 账户。",
            action: Some("查看安全设置"),
            outro: "如果不是您本人操作，请在安全设置中移除它，立即重置密码并联系客服。",
        },
        (Template::PasskeyRemoved { .. }, Locale::En) => Parts {
            subject: "A passkey was removed from your account",
            intro: "A passkey no longer signs in to your Z-Image Studio account.",
            action: Some("Review your security settings"),
            outro: "If this was not you, reset your password at once and tell support.",
        },
        (Template::PasskeyRemoved { .. }, Locale::ZhCn) => Parts {
            subject: "您的账户已移除一个通行密钥",
            intro: "一个通行密钥将不再能登录您的 Z-Image Studio 账户。",
            action: Some("查看安全设置"),
            outro: "如果不是您本人操作，请立即重置密码并联系客服。",
        },
        (Template::RecoveryCodeUsed { .. }, Locale::En) => Parts {
            subject: "A recovery code was used",
            intro: "One of your recovery codes was just used instead of a code from your authenticator app. It will not work again.",
            action: Some("Review your security settings"),
            outro: "If this was not you, reset your password at once and make new recovery codes.",
        },
        (Template::RecoveryCodeUsed { .. }, Locale::ZhCn) => Parts {
            subject: "有一个恢复码已被使用",
            intro: "刚刚有人使用了您的一个恢复码代替身份验证器应用中的验证码。该恢复码已失效。",
            action: Some("查看安全设置"),
            outro: "如果不是您本人操作，请立即重置密码并重新生成恢复码。",
        },
        (Template::RecoveryCodesReplaced { .. }, Locale::En) => Parts {
            subject: "You have new recovery codes",
            intro: "New recovery codes were made for your Z-Image Studio account; the old ones no longer work.",
            action: Some("Review your security settings"),
            outro: "If this was not you, reset your password at once and tell support.",
        },
        (Template::RecoveryCodesReplaced { .. }, Locale::ZhCn) => Parts {
            subject: "已生成新的恢复码",
            intro: "您的 Z-Image Studio 账户已生成新的恢复码，旧恢复码已失效。",
            action: Some("查看安全设置"),
            outro: "如果不是您本人操作，请立即重置密码并联系客服。",
        },
        (Template::PasswordChanged { .. }, Locale::ZhCn) => Parts {
            subject: "您的密码已更改",
            intro: "您的 Z-Image Studio 账户密码刚刚被更改，所有设备均已退出登录。",
            action: None,
            outro: "如果不是您本人操作，请立即重置密码。",
        },
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders `template` for `to` in `locale` as plain text and HTML.
pub fn render(template: &Template<'_>, locale: Locale, to: &str) -> Email {
    let parts = parts(template, locale);
    let link = match template {
        Template::VerifyEmail { link }
        | Template::ResetPassword { link }
        | Template::ConfirmEmailChange { link }
        | Template::EmailChanged { link, .. }
        | Template::AccountExists { link }
        | Template::Invitation { link, .. }
        | Template::CreditsExpiring { link, .. }
        | Template::Receipt { link, .. }
        | Template::DuplicateSubscription { link }
        | Template::NewSignIn { link, .. }
        | Template::ExportReady { link, .. }
        | Template::ConfirmErasure { link }
        | Template::ErasureScheduled { link, .. }
        | Template::SupportReply { link, .. }
        | Template::SupportCustomerMessage { link, .. }
        | Template::TwoFactorChanged { link, .. }
        | Template::ConfirmIdentityLink { link, .. }
        | Template::IdentityLinked { link, .. }
        | Template::IdentityUnlinked { link, .. }
        | Template::PasskeyAdded { link, .. }
        | Template::PasskeyRemoved { link, .. }
        | Template::RecoveryCodeUsed { link }
        | Template::RecoveryCodesReplaced { link } => Some(*link),
        Template::PasswordChanged { .. } => None,
    };
    let fact = match (template, locale) {
        (
            Template::NewSignIn {
                device, ip, when, ..
            },
            Locale::En,
        ) => Some(format!("{when} · {device} · IP {ip}")),
        (
            Template::NewSignIn {
                device, ip, when, ..
            },
            Locale::ZhCn,
        ) => Some(format!("{when} · {device} · IP {ip}")),
        (Template::EmailChanged { new_email, .. }, Locale::En) => {
            Some(format!("New address: {new_email}"))
        }
        (Template::EmailChanged { new_email, .. }, Locale::ZhCn) => {
            Some(format!("新地址：{new_email}"))
        }
        (
            Template::ConfirmIdentityLink { provider, .. }
            | Template::IdentityLinked { provider, .. }
            | Template::IdentityUnlinked { provider, .. },
            Locale::En,
        ) => Some(format!("Provider: {provider}")),
        (
            Template::ConfirmIdentityLink { provider, .. }
            | Template::IdentityLinked { provider, .. }
            | Template::IdentityUnlinked { provider, .. },
            Locale::ZhCn,
        ) => Some(format!("身份提供方：{provider}")),
        (
            Template::PasskeyAdded { name, .. } | Template::PasskeyRemoved { name, .. },
            Locale::En,
        ) => Some(format!("Passkey: {name}")),
        (
            Template::PasskeyAdded { name, .. } | Template::PasskeyRemoved { name, .. },
            Locale::ZhCn,
        ) => Some(format!("通行密钥：{name}")),
        (Template::Invitation { until, .. }, Locale::En) => {
            Some(format!("The link works until {until}."))
        }
        (Template::Invitation { until, .. }, Locale::ZhCn) => Some(format!("链接有效期至 {until}。")),
        (Template::CreditsExpiring { credits, on, .. }, Locale::En) => {
            Some(format!("{credits} credits expire on {on}."))
        }
        (Template::CreditsExpiring { credits, on, .. }, Locale::ZhCn) => {
            Some(format!("{credits} 点将于 {on} 过期。"))
        }
        (
            Template::Receipt {
                what,
                amount,
                order,
                ..
            },
            Locale::En,
        ) => Some(format!("{what}: {amount} (order {order}).")),
        (
            Template::Receipt {
                what,
                amount,
                order,
                ..
            },
            Locale::ZhCn,
        ) => Some(format!("{what}：{amount}（订单 {order}）。")),
        (
            Template::PasswordChanged {
                locked_down: true,
            },
            Locale::En,
        ) => Some(
            "Every API key and passkey of the account was removed and every webhook endpoint \
             paused: create new keys and add your passkeys again where you need them, and switch \
             each endpoint back on once you have checked its address."
                .to_string(),
        ),
        (
            Template::PasswordChanged {
                locked_down: true,
            },
            Locale::ZhCn,
        ) => Some(
            "账户的所有 API 密钥和通行密钥均已移除，所有 Webhook 端点均已暂停：请按需创建新密钥、重新添加通行密钥，并在核对地址后重新启用各端点。"
                .to_string(),
        ),
        (Template::ExportReady { until, .. }, Locale::En) => {
            Some(format!("The download is available until {until}."))
        }
        (Template::ExportReady { until, .. }, Locale::ZhCn) => {
            Some(format!("下载有效期至 {until}。"))
        }
        (Template::ErasureScheduled { on, .. }, Locale::En) => {
            Some(format!("The account and its data will be deleted on {on}."))
        }
        (Template::ErasureScheduled { on, .. }, Locale::ZhCn) => {
            Some(format!("账户及其数据将于 {on} 删除。"))
        }
        (
            Template::SupportReply {
                number, subject, ..
            }
            | Template::SupportCustomerMessage {
                number, subject, ..
            },
            _,
        ) => Some(format!("#{number}: {subject}")),
        _ => None,
    };
    let mut text = format!("{}\n\n", parts.intro);
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#111827\">\
         <p>{}</p>",
        escape(parts.intro)
    );
    if let Some(fact) = fact {
        text.push_str(&format!("{fact}\n\n"));
        html.push_str(&format!("<p><strong>{}</strong></p>", escape(&fact)));
    }
    if let (Some(action), Some(link)) = (parts.action, link) {
        text.push_str(&format!("{action}: {link}\n\n"));
        html.push_str(&format!(
            "<p><a href=\"{0}\" style=\"display:inline-block;padding:10px 18px;background:#4f46e5;color:#fff;\
             border-radius:8px;text-decoration:none\">{1}</a></p><p style=\"font-size:13px;color:#6b7280\">{0}</p>",
            escape(link),
            escape(action)
        ));
    }
    text.push_str(parts.outro);
    text.push_str("\n\n-- \nZ-Image Studio\n");
    html.push_str(&format!(
        "<p>{}</p><p>Z-Image Studio</p></body></html>",
        escape(parts.outro)
    ));
    Email {
        to: to.to_string(),
        subject: parts.subject.to_string(),
        text,
        html,
        unsubscribe: None,
    }
}

/// An announcement (marketing, only to those who opted in): the operator's text, and an
/// unsubscribe link in the footer and the headers.
pub fn render_announcement(
    subject: &str,
    body: &str,
    unsubscribe_page: &str,
    one_click: &str,
    locale: Locale,
    to: &str,
) -> Email {
    let (why, stop) = match locale {
        Locale::En => (
            "You receive this because you agreed to news by e-mail.",
            "Unsubscribe",
        ),
        Locale::ZhCn => ("您收到此邮件是因为您同意接收电子邮件资讯。", "退订"),
    };
    let paragraphs: String = body
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect();
    Email {
        to: to.to_string(),
        subject: subject.to_string(),
        text: format!("{body}\n\n-- \n{why}\n{stop}: {unsubscribe_page}\n"),
        html: format!(
            "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#111827\">\
             {paragraphs}<hr><p style=\"font-size:13px;color:#6b7280\">{} <a href=\"{}\">{}</a></p></body></html>",
            escape(why),
            escape(unsubscribe_page),
            escape(stop)
        ),
        unsubscribe: Some(one_click.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_the_link_in_both_languages() {
        for locale in Locale::ALL {
            let email = render(
                &Template::VerifyEmail {
                    link: "https://x.test/v?t=a&b",
                },
                locale,
                "a@b.co",
            );
            assert!(email.text.contains("https://x.test/v?t=a&b"));
            assert!(email.html.contains("https://x.test/v?t=a&amp;b"));
        }
        let zh = render(
            &Template::PasswordChanged { locked_down: false },
            Locale::ZhCn,
            "a@b.co",
        );
        assert_eq!(zh.subject, "您的密码已更改");
        // Facts from outside (a User-Agent) are escaped in HTML.
        let alert = render(
            &Template::NewSignIn {
                device: "<script>x</script>",
                ip: "203.0.113.9",
                when: "2026-11-21 09:00 UTC",
                link: "https://x.test/account",
            },
            Locale::En,
            "a@b.co",
        );
        assert!(alert.text.contains("203.0.113.9"));
        assert!(!alert.html.contains("<script>"));
    }
}
