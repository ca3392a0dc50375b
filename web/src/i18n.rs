//! Every UI string, in every supported language. A key without both translations does not compile.

use leptos::prelude::*;
use zimage_shared::account::Locale;

macro_rules! translations {
    ($($key:ident => $en:literal, $zh:literal;)*) => {
        /// A translatable UI string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(clippy::enum_variant_names)]
        pub enum Key { $($key),* }

        /// The text of `key` in `locale`.
        pub fn tr(locale: Locale, key: Key) -> &'static str {
            match (locale, key) {
                $((Locale::En, Key::$key) => $en, (Locale::ZhCn, Key::$key) => $zh,)*
            }
        }
    };
}

translations! {
    NavSupport => "Support", "支持";
    NavAdmin => "Admin", "管理";
    SupportTitle => "Support", "客户支持";
    SupportLead => "Tell us what happened; we answer by e-mail and here, usually within a day and always within 30 days.", "告诉我们发生了什么；我们会通过邮件和此页面答复，通常在一天内，最迟 30 天。";
    NewTicket => "New ticket", "新建工单";
    AboutTask => "About task", "相关任务";
    TicketSubject => "Subject", "主题";
    TicketMessage => "Message", "内容";
    SendTicket => "Send to support", "发送给客服";
    YourTickets => "Your tickets", "您的工单";
    NoTickets => "No tickets yet. We hope it stays that way!", "暂无工单，希望一直如此！";
    TicketOpen => "Waiting for support", "等待客服";
    TicketAnswered => "Answered", "已答复";
    TicketClosed => "Closed", "已关闭";
    FromSupport => "Support", "客服";
    FromCustomer => "Customer", "客户";
    Reply => "Your reply", "您的回复";
    ReplyToReopen => "Reply to reopen this ticket", "回复以重新打开工单";
    SendReply => "Send reply", "发送回复";
    CloseTicket => "Close ticket", "关闭工单";
    UnsubscribeTitle => "Unsubscribe", "退订";
    UnsubscribeLead => "Stop news and offers by e-mail. Messages about your account (receipts, security, credits) still arrive.", "停止接收电子邮件资讯和优惠。与账户有关的邮件（收据、安全、点数）仍会发送。";
    UnsubscribeButton => "Unsubscribe", "退订";
    Unsubscribed => "Done: you will not receive news by e-mail any more.", "已完成：您将不再收到电子邮件资讯。";
    AdminOnly => "This page is for administrators.", "此页面仅供管理员使用。";
    AdminDashboard => "Dashboard", "概览";
    AdminUsers => "Users", "用户";
    AdminTasks => "Tasks", "任务";
    AdminModeration => "Moderation", "内容审核";
    AdminPrivacy => "Data rights", "数据权利";
    AdminSupport => "Support queue", "支持队列";
    AdminAudit => "Audit log", "审计日志";
    AdminBackends => "Backends", "后端";
    BackendsLead => "Where images are made. A model with several backends sends each task to the first that can take it; drain a backend to stop new work while its tasks finish, disable it to take it out of service. Figures cover the last hour.", "图像在这里生成。拥有多个后端的模型会把每个任务交给第一个能接收它的后端；排空后端可停止新任务并让已有任务完成，停用则使其退出服务。数据为最近一小时。";
    BackendMode => "Mode", "模式";
    BackendActive => "Active", "启用";
    BackendDraining => "Draining", "排空中";
    BackendDisabled => "Disabled", "已停用";
    BackendResting => "Resting after failures", "故障后暂停";
    BackendHealthy => "Healthy", "正常";
    Queued => "Queued", "排队";
    InFlight => "In flight", "进行中";
    LatencyP50 => "Median time", "中位耗时";
    LatencyP95 => "95th percentile", "95 分位耗时";
    NoBackends => "No backends are configured.", "尚未配置后端。";
    Period => "Period", "时间段";
    Last7Days => "Last 7 days", "最近 7 天";
    Last30Days => "Last 30 days", "最近 30 天";
    Last90Days => "Last 90 days", "最近 90 天";
    Last365Days => "Last 12 months", "最近 12 个月";
    Signups => "Sign-ups", "注册数";
    Generations => "Generations", "生成数";
    FailureRate => "Failure rate", "失败率";
    FailedCount => "Failed", "失败";
    CreditsSold => "Credits sold", "售出点数";
    CreditsSpent => "Credits spent", "消耗点数";
    Revenue => "Revenue", "收入";
    ByProvider => "By provider", "按提供方";
    Provider => "Provider", "提供方";
    ExcludedNote => "Accounts that restricted or objected to processing are left out of usage figures:", "已限制或反对处理的账户未计入使用数据：";
    UnmatchedRefunds => "Refunds that match no payment", "无法匹配付款的退款";
    UnmatchedRefundsNote => "Stripe reported these refunds more than a day ago and no payment recorded here matches them: made outside this platform, or for a payment it never saw. Check them in Stripe's dashboard; they are dropped after 90 days.", "Stripe 在一天多以前报告了这些退款，但此处没有匹配的付款记录：可能是在本平台之外发起的，或对应的付款从未记录。请在 Stripe 后台核对；90 天后将被清除。";
    RefundPayment => "Payment", "付款";
    RefundAmount => "Refunded", "已退款";
    Announcement => "Announcement", "公告";
    AnnouncementLead => "E-mailed only to verified accounts that opted in to news, never to restricted or objecting ones; each message carries a one-click unsubscribe link.", "仅发送给已验证且同意接收资讯的账户，不会发送给已限制或反对处理的账户；每封邮件都附有一键退订链接。";
    SendAnnouncement => "Send announcement", "发送公告";
    SentTo => "Recipients:", "收件人数：";
    Search => "Search", "搜索";
    NotVerified => "not verified", "未验证";
    Images => "images", "张图像";
    AdjustAmount => "Credits (negative to remove)", "点数（负数为扣除）";
    Reason => "Reason", "原因";
    AdjustCredits => "Adjust credits", "调整点数";
    SignOutEverywhere => "Sign out everywhere", "全部退出登录";
    AccountAccess => "Account access", "账户访问";
    TaskSearchHint => "Task id, provider id or prompt words", "任务 ID、提供方 ID 或提示词";
    Status => "Status", "状态";
    Refund => "Refund", "退款";
    Rules => "Rules", "规则";
    RulePattern => "Word or pattern", "词语或模式";
    AddRule => "Add rule", "添加规则";
    Remove => "Remove", "删除";
    StoppedPrompts => "Stopped prompts", "被拦截的提示词";
    NothingYet => "Nothing yet.", "暂无。";
    PrivacyQueueLead => "Open requests, the soonest due first. Exports and erasures run by themselves; overdue ones need a look.", "未完成的请求，按截止日期排序。导出和删除会自动执行；逾期的请求需要处理。";
    QueueEmpty => "The queue is empty.", "队列为空。";
    Kind => "Kind", "类型";
    Overdue => "Overdue", "已逾期";
    AuditLead => "Every administrator action. Entries cannot be changed or removed.", "所有管理员操作。记录不可修改或删除。";
    When => "When", "时间";
    Administrator => "Administrator", "管理员";
    Action => "Action", "操作";
    Target => "Target", "对象";
    AccountMore => "Privacy and security", "隐私与安全";
    SecurityTitle => "Security", "安全";
    SecurityLinkHelp => "Signed-in devices and the security log", "已登录设备与安全日志";
    PrivacyLinkHelp => "Your data: export, deletion, consents", "您的数据：导出、删除、同意";
    PrivacyCenterTitle => "Privacy Center", "隐私中心";
    PrivacyCenterLead => "Use your data rights here, without writing to anyone. Every request is answered within 30 days; most take effect at once.", "在这里直接行使您的数据权利，无需联系任何人。每项请求都会在 30 天内处理，大多数立即生效。";
    PrivacyPolicy => "Privacy policy", "隐私政策";
    Terms => "Terms of service", "服务条款";
    RetentionTitle => "How long we keep data", "数据保留期限";
    RetentionLead => "Scheduled jobs delete data by exactly these periods.", "定时任务严格按照以下期限删除数据。";
    RetentionData => "Data", "数据";
    RetentionPeriod => "Kept for", "保留期限";
    RetentionFrom => "Counted from", "起算时间";
    RetentionThen => "Then", "之后";
    ExportSection => "Download your data", "下载您的数据";
    ExportLead => "A ZIP with one file per kind of data (profile, tasks, images, ledger, orders, security log and more), your images and uploads, and a README. We e-mail you when it is ready; it can be downloaded for 7 days.", "一个 ZIP 文件：每类数据一个文件（个人资料、任务、图像、账本、订单、安全日志等），包含您的图像和上传文件以及 README。准备好后我们会发邮件通知您，可在 7 天内下载。";
    RequestExport => "Request an export", "申请导出";
    ExportQueued => "Requested. This page updates when the archive is ready.", "已申请。存档准备好后此页面会自动更新。";
    RequestsHistory => "Your requests", "您的请求";
    NoRequests => "You have not made any requests yet.", "您还没有提出任何请求。";
    Received => "Received", "收到于";
    DueBy => "answer due by", "截止处理日期";
    Answered => "answered", "处理于";
    DeletedOn => "deleted on", "删除日期";
    AvailableUntil => "available until", "可下载至";
    DownloadExport => "Download", "下载";
    Withdraw => "Withdraw", "撤回";
    KindExport => "Export", "导出";
    KindErasure => "Account deletion", "删除账户";
    KindRestriction => "Restrict processing", "限制处理";
    KindObjection => "Object to processing", "反对处理";
    StatusAwaitingConfirmation => "Waiting for your e-mail confirmation", "等待邮件确认";
    StatusPendingRequest => "Queued", "排队中";
    StatusProcessing => "Being prepared", "准备中";
    StatusScheduled => "Scheduled", "已安排";
    StatusCompleted => "Done", "已完成";
    RequestExpired => "Expired", "已过期";
    RequestCanceled => "Withdrawn", "已撤回";
    RequestFailed => "Failed", "失败";
    ErrRequestOpen => "A request of this kind is already open. You can see it in the list.", "同类请求已在处理中，可在列表中查看。";
    ErrExportLimit => "You have reached the limit of 5 exports in 30 days. Download the latest one instead.", "30 天内最多导出 5 次，请下载最近一次的导出。";
    FlagsSection => "Restrict or object", "限制或反对处理";
    RestrictionHelp => "We keep your data but use it only to run the service: it is left out of analytics and marketing.", "我们保留您的数据，但仅用于提供服务：不会用于分析和营销。";
    ObjectionHelp => "Object to any use of your data for analytics and marketing.", "反对将您的数据用于分析和营销。";
    InForceSince => "In force since", "生效自";
    Apply => "Apply", "启用";
    Lift => "Lift", "解除";
    EraseSection => "Delete your account", "删除您的账户";
    EraseLead => "Deletes your images, uploads, prompts, history and credits. We e-mail you a link to confirm; the account is then switched off at once and deleted after a short grace period in which you can change your mind by signing in. Payment records are kept for 7 years without your name.", "将删除您的图像、上传、提示词、历史记录和点数。我们会发送确认链接；确认后账户立即停用，并在短暂的宽限期后删除，期间登录即可撤销。付款记录将在去除身份信息后保留 7 年。";
    EraseButton => "Delete my account…", "删除我的账户…";
    EraseConfirmClick => "Click again to send the confirmation e-mail", "再次点击以发送确认邮件";
    ErasureMailed => "Check your inbox: the deletion only happens after you open the link we sent.", "请查收邮件：只有打开我们发送的链接后才会删除。";
    ConfirmErasureTitle => "Delete your account", "删除您的账户";
    ConfirmErasureLead => "This switches your account off now and deletes everything in it after the grace period. Until then you can keep it by signing in.", "此操作将立即停用您的账户，并在宽限期后删除其中的全部内容。在此之前，您可以通过登录保留账户。";
    ConfirmErasureButton => "Yes, delete my account", "是的，删除我的账户";
    ErasureScheduledText => "Your account is switched off and will be deleted on", "您的账户已停用，将于以下日期删除：";
    ErasurePendingText => "This account is scheduled for deletion. Keep it, and sign in?", "此账户已安排删除。要保留账户并登录吗？";
    KeepAccount => "Keep my account and sign in", "保留账户并登录";
    CookieText => "We use only the storage this app needs to work (your sign-in and settings). With your consent we also collect anonymous usage statistics.", "我们只使用应用运行所必需的存储（登录状态和设置）。经您同意后，我们还会收集匿名使用统计。";
    CookieEssential => "Essential only", "仅必要";
    CookieAll => "Accept all", "全部接受";
    EventExportRequested => "Data export requested", "申请了数据导出";
    EventErasureRequested => "Account deletion requested", "申请了删除账户";
    EventErasureConfirmed => "Account deletion confirmed", "确认了删除账户";
    EventErasureCanceled => "Account deletion canceled", "撤销了删除账户";
    EventFlagSet => "Restriction or objection applied", "启用了限制或反对处理";
    EventFlagLifted => "Restriction or objection lifted", "解除了限制或反对处理";
    EventRequestWithdrawn => "Privacy request withdrawn", "撤回了隐私请求";
    AppName => "Z-Image Studio", "Z-Image Studio";
    Tagline => "Turn words into images.", "用文字创造图像。";
    HomeLead => "Create images from prompts with the model of your choice, keep them in your gallery, and stay in control of your data.", "使用您选择的模型，根据提示词生成图像，保存在您的图库中，并始终掌控您的数据。";
    GetStarted => "Create a free account", "免费注册";
    NavLogin => "Log in", "登录";
    NavSignup => "Sign up", "注册";
    NavAccount => "Account", "账户";
    NavLogout => "Log out", "退出登录";
    Menu => "Menu", "菜单";
    NavDevelopers => "Developers", "开发者";
    AppDescription => "Create images from prompts and reference images with hosted models or your own GPUs, keep them in a gallery, and stay in control of your data.", "使用托管模型或您自己的 GPU，根据提示词和参考图生成图像，保存在图库中，并始终掌控您的数据。";
    SkipToContent => "Skip to content", "跳到正文";
    GenerateShortcut => "Ctrl+Enter (⌘+Enter on a Mac) generates.", "按 Ctrl+Enter（Mac 上为 ⌘+Enter）即可生成。";
    Language => "Language", "语言";
    Theme => "Theme", "主题";
    ThemeLight => "Light", "浅色";
    ThemeDark => "Dark", "深色";
    ThemeSystem => "System", "跟随系统";
    Email => "E-mail address", "电子邮箱";
    Password => "Password", "密码";
    PasswordHint => "At least 10 characters. A few unrelated words work well.", "至少 10 个字符。几个不相关的词组合效果很好。";
    DisplayName => "Display name", "显示名称";
    Optional => "optional", "可选";
    ReferralCode => "Referral code", "邀请码";
    AcceptTerms => "I accept the terms of service and the privacy policy.", "我接受服务条款和隐私政策。";
    AgeConfirm => "I am at least 13 years old.", "我已年满 13 周岁。";
    SignupTitle => "Create your account", "创建账户";
    SignupSubmit => "Create account", "创建账户";
    SignupInvited => "You're invited: this invitation works until", "您已受邀：此邀请有效期至";
    SignupInvitedFor => "for", "，适用于";
    SignupInviteOnly => "Sign-up here is by invitation. Open the invitation link you were sent, or ask an administrator for one.", "本站仅限受邀注册。请打开您收到的邀请链接，或向管理员索取。";
    SignupAllowedDomains => "Addresses at these domains can sign up without one:", "以下域名的邮箱无需邀请即可注册：";
    ErrInvitationRequired => "Sign-up here is by invitation, and this address needs one. Open the invitation link you were sent, or ask an administrator for one.", "本站仅限受邀注册，此邮箱需要邀请。请打开您收到的邀请链接，或向管理员索取。";
    ErrInvitationNotUsable => "This invitation can't be used any more: it expired, was used up or was withdrawn, or it is for another address. Ask for a new one.", "此邀请已无法使用：已过期、已用完、已被撤回，或属于其他邮箱。请索取新的邀请。";
    AdminInvitations => "Invitations", "邀请";
    InvitationsLead => "Invitation links let people sign up where sign-up is invite-only. A link bound to an address is mailed there and only works for it.", "在仅限受邀注册的站点，邀请链接可让他人注册。绑定邮箱的链接会发送到该邮箱，且仅对其有效。";
    SignupModeOpen => "Sign-up is open to everyone on this installation (ZIMAGE_SIGNUP=open): invitations are not needed until it is set to invite.", "本站当前开放注册（ZIMAGE_SIGNUP=open）：设置为 invite 后才需要邀请。";
    SignupModeInvite => "Sign-up is by invitation on this installation (ZIMAGE_SIGNUP=invite).", "本站仅限受邀注册（ZIMAGE_SIGNUP=invite）。";
    NewInvitation => "New invitation", "新建邀请";
    InvitationEmail => "Only for this address", "仅限此邮箱";
    InvitationNote => "Note", "备注";
    ExpiresIn => "Expires in", "有效期";
    Days => "days", "天";
    MaxUses => "Uses", "可用次数";
    CreateInvitation => "Create invitation", "创建邀请";
    InvitationLinkOnce => "Copy this link now; it is not shown again.", "请立即复制此链接，它不会再次显示。";
    InvitationMailed => "The link was also mailed to", "链接也已发送至";
    AnyAddress => "Any address", "任意邮箱";
    InvitationNotMailed => "The mail could not be sent (see the server log); send this link yourself to", "邮件未能发送（请查看服务器日志）；请自行将此链接发送给";
    UsesColumn => "Used", "已用";
    Expires => "Expires", "到期";
    CreatedBy => "Created by", "创建者";
    Revoke => "Withdraw", "撤回";
    InvitationActive => "Active", "有效";
    InvitationUsedUp => "Used up", "已用完";
    InvitationExpired => "Expired", "已过期";
    InvitationRevoked => "Withdrawn", "已撤回";
    SignupDone => "Check your inbox: we sent a link to confirm your e-mail address. You can log in right away.", "请查收邮件：我们已发送确认链接。您现在即可登录。";
    HaveAccount => "Already have an account?", "已有账户？";
    NoAccount => "New here?", "第一次来？";
    LoginTitle => "Log in", "登录";
    LoginSubmit => "Log in", "登录";
    ForgotLink => "Forgot your password?", "忘记密码？";
    ForgotTitle => "Reset your password", "重置密码";
    ForgotLead => "Enter your e-mail address and we will send you a link to choose a new password.", "输入您的电子邮箱，我们会发送一个设置新密码的链接。";
    ForgotSubmit => "Send reset link", "发送重置链接";
    ForgotDone => "If that address has an account, a reset link is on its way. It works for one hour.", "如果该邮箱已注册，重置链接已发出，1 小时内有效。";
    ResetTitle => "Choose a new password", "设置新密码";
    NewPassword => "New password", "新密码";
    CurrentPassword => "Current password", "当前密码";
    ResetSubmit => "Save new password", "保存新密码";
    ResetDone => "Your password was changed. Log in with the new one.", "密码已更改，请使用新密码登录。";
    VerifyTitle => "Confirming your e-mail address", "正在确认电子邮箱";
    VerifyWorking => "One moment…", "请稍候…";
    VerifyDone => "Your e-mail address is confirmed. Thank you!", "您的电子邮箱已确认，谢谢！";
    VerifyMissing => "This link has no token. Open the link from the e-mail again.", "链接缺少令牌，请重新打开邮件中的链接。";
    EmailSection => "E-mail address", "电子邮箱地址";
    EmailCurrent => "Signed in as", "当前地址：";
    NewEmail => "New e-mail address", "新的电子邮箱地址";
    ChangeEmail => "Change e-mail address", "更改电子邮箱";
    EmailChangeSent => "We sent a link to", "我们已向以下地址发送链接：";
    EmailChangeSentHow => "Open it to finish; until then, nothing changes. Your current address will get a notice with a way to undo it.", "打开链接即可完成更改，在此之前不会有任何变化。当前地址将收到一封可撤销此更改的通知。";
    EmailChangeConfirmTitle => "Confirming your new e-mail address", "正在确认新的电子邮箱地址";
    EmailChangeDone => "Done: your account uses this address now.", "完成：您的账户现在使用此地址。";
    EmailChangeUndoTitle => "Undo the e-mail address change", "撤销电子邮箱地址更改";
    EmailChangeUndoLead => "This puts your old address back, signs every device out, stops API keys, connected apps and webhooks, and sends you a link to choose a new password.", "这将恢复您原来的地址，让所有设备退出登录，停用 API 密钥、已连接的应用和 Webhook，并向您发送设置新密码的链接。";
    EmailChangeUndoButton => "Undo the change", "撤销更改";
    EmailChangeUndone => "Your old address is back and every device was signed out. We sent it a link to choose a new password: do that now.", "已恢复您原来的地址，并已让所有设备退出登录。我们已向该地址发送设置新密码的链接，请立即设置。";
    ContinueToAccount => "Start creating", "开始创作";
    ContinueToLogin => "Log in", "登录";
    Unverified => "Your e-mail address is not confirmed yet. Generating images and buying credits need a confirmed address.", "您的电子邮箱尚未确认。生成图像和购买点数需要先确认邮箱。";
    Resend => "Send the link again", "重新发送链接";
    Resent => "Sent. Check your inbox.", "已发送，请查收邮件。";
    AccountTitle => "Your account", "您的账户";
    ProfileSection => "Profile", "个人资料";
    Organization => "Organization", "组织";
    AvatarUpload => "Upload a picture", "上传头像";
    AvatarHint => "PNG, JPEG or WebP up to 10 MB. It is cropped to a square and its metadata (location, camera) removed.", "PNG、JPEG 或 WebP，最大 10 MB。将裁剪为正方形并去除元数据（位置、相机信息）。";
    Save => "Save", "保存";
    Saved => "Saved.", "已保存。";
    PasswordSection => "Password", "密码";
    ChangePassword => "Change password", "修改密码";
    PasswordChanged => "Password changed. Your other devices were signed out.", "密码已修改，其他设备已退出登录。";
    PasswordChangedLockedDown => "Password changed. Your other devices were signed out, your API keys revoked and your webhooks paused.", "密码已修改。其他设备已退出登录，API 密钥已吊销，Webhook 已暂停。";
    LockDown => "Also revoke all API keys and pause webhooks (if someone else may have known the old password)", "同时吊销所有 API 密钥并暂停 Webhook（如果旧密码可能已被他人知晓）";
    SessionsSection => "Signed-in devices", "已登录的设备";
    ThisDevice => "This device", "当前设备";
    LastActive => "Last active", "最近活动";
    SignOutDevice => "Sign out", "退出";
    UnknownDevice => "Unknown device", "未知设备";
    KeysSection => "API keys", "API 密钥";
    KeysLead => "Keys let your scripts and apps use the API on your behalf. They cannot change your password or manage keys.", "密钥允许您的脚本和应用代表您调用 API，但不能修改密码或管理密钥。";
    KeyName => "Key name", "密钥名称";
    ScopeProfileWrite => "May change profile settings", "可以修改个人资料";
    CreateKey => "Create key", "创建密钥";
    KeyCreated => "Copy this key now. It will not be shown again:", "请立即复制此密钥，它不会再次显示：";
    RevokeKey => "Revoke", "撤销";
    NoKeys => "No API keys yet.", "暂无 API 密钥。";
    Created => "Created", "创建于";
    NeverUsed => "never used", "从未使用";
    LoadMore => "Load more", "加载更多";
    Loading => "Loading…", "加载中…";
    Working => "Working…", "处理中…";
    NotFoundTitle => "Page not found", "页面不存在";
    NotFoundLead => "The page you are looking for does not exist.", "您访问的页面不存在。";
    BackHome => "Back to the start page", "返回首页";
    ErrGeneric => "Something went wrong. Please try again.", "出了点问题，请重试。";
    ErrNetwork => "Cannot reach the server. Check your connection and try again.", "无法连接服务器，请检查网络后重试。";
    ErrInvalidCredentials => "The e-mail address or password is incorrect.", "电子邮箱或密码不正确。";
    ErrEmailTaken => "An account with this e-mail address already exists.", "该电子邮箱已被注册。";
    ErrRateLimited => "Too many attempts. Please wait a little and try again.", "尝试次数过多，请稍后再试。";
    ErrInvalidToken => "This link is invalid, already used or expired. Request a new one.", "链接无效、已使用或已过期，请重新申请。";
    ErrSessionEnded => "Your session has ended. Please log in again.", "会话已结束，请重新登录。";
    ErrCheckFields => "Please correct the highlighted fields.", "请修正标出的字段。";
    ErrLimitReached => "You have reached the maximum number of API keys. Revoke one first.", "API 密钥数量已达上限，请先撤销一个。";
    ErrRequired => "This field is required.", "此项为必填。";
    ErrEmailFormat => "Enter a valid e-mail address.", "请输入有效的电子邮箱。";
    ErrTooLong => "This is too long.", "内容过长。";
    ErrPasswordShort => "Use at least 10 characters.", "请至少使用 10 个字符。";
    ErrPasswordLong => "Use at most 128 characters.", "最多 128 个字符。";
    ErrPasswordIsEmail => "Do not use your e-mail address as password.", "请勿使用电子邮箱作为密码。";
    ErrPasswordCommon => "This password is too common. Choose a less guessable one.", "该密码过于常见，请换一个更难猜的。";
    ErrUrlHttps => "Use an https:// address.", "请使用 https:// 地址。";
    ErrControlChars => "Remove special control characters.", "请删除特殊控制字符。";
    ErrMustAcceptTerms => "You need to accept the terms to continue.", "您需要接受条款才能继续。";
    ErrMustConfirmAge => "You must be at least 13 years old to sign up.", "您必须年满 13 周岁才能注册。";
    ErrReferral => "This referral code is not valid.", "邀请码无效。";
    ErrCurrentPassword => "The current password is incorrect.", "当前密码不正确。";
    ErrField => "Please check this field.", "请检查此项。";
    ErrInsufficientCredits => "You do not have enough credits for this.", "您的点数不足。";
    CreditsUnit => "credits", "点";
    CreditUnit => "credit", "点";
    CreditsTitle => "Credits", "点数";
    CreditsLead => "Credits pay for generations. They are spent soonest-expiring first; credits held for running tasks come back automatically if a task fails.", "点数用于支付生成费用，优先扣除最早过期的点数；如果任务失败，为其预留的点数会自动退回。";
    Balance => "Balance", "余额";
    Available => "Available", "可用";
    Held => "Reserved for running tasks", "运行中任务预留";
    GrantsSection => "Where your credits come from", "点数来源";
    NoGrants => "You have no credits right now.", "您目前没有点数。";
    Remaining => "left of", "剩余，共";
    ExpiresOn => "Expires", "过期时间";
    NeverExpires => "Never expires", "永不过期";
    HistorySection => "History", "记录";
    NoHistory => "Nothing has happened yet.", "暂无记录。";
    SourceSignupBonus => "Welcome bonus", "注册奖励";
    SourcePurchase => "Purchase", "购买";
    SourceSubscription => "Subscription", "订阅";
    SourceReferral => "Referral", "邀请奖励";
    SourceAdmin => "From the Z-Image team", "Z-Image 团队发放";
    SourceRefundAdjustment => "Refund adjustment", "退款调整";
    KindGrant => "Added", "增加";
    KindHold => "Reserved", "预留";
    KindSettle => "Spent", "消费";
    KindRelease => "Returned", "退回";
    KindExpire => "Expired", "过期";
    KindClawback => "Taken back after a refund", "退款扣回";
    KindAdminAdjust => "Correction", "调整";
    WhyGeneration => "Generation task", "生成任务";
    WhyReturned => "Returned: the task did not finish", "已退回：任务未完成";
    WhyExpired => "Credits reached their expiry date", "积分已到期";
    WhyClawback => "Credits of a refunded purchase", "已退款购买的积分";
    BuySection => "Buy credits", "购买点数";
    PlansSection => "Monthly plans", "订阅套餐";
    Buy => "Buy", "购买";
    Subscribe => "Subscribe", "订阅";
    PerMonth => "per month", "每月";
    PerYear => "per year", "每年";
    PaymentsDisabled => "Purchases are not available on this installation. Ask an administrator for credits.", "本站点未开放购买，请联系管理员获取点数。";
    CheckoutReturned => "Payment received. Your credits will appear here in a moment.", "已收到付款，点数稍后将显示在这里。";
    CheckoutCanceled => "Checkout was canceled. You were not charged.", "已取消结账，未产生费用。";
    OrdersSection => "Orders", "订单";
    NoOrders => "No purchases yet.", "暂无购买记录。";
    StatusCreated => "Awaiting payment", "待付款";
    StatusPaid => "Paid", "已付款";
    StatusFailed => "Payment failed", "付款失败";
    StatusExpired => "Abandoned", "已放弃";
    StatusRefunded => "Refunded", "已退款";
    Receipt => "Receipt", "收据";
    SubscriptionSection => "Subscription", "订阅";
    NoSubscription => "You have no subscription.", "您没有订阅。";
    RenewsOn => "Renews", "续订日期";
    EndsOn => "Ends", "结束日期";
    CancelSubscription => "Cancel at period end", "在周期结束时取消";
    ManageBilling => "Payment methods and invoices", "付款方式与发票";
    ErrEmailNotVerified => "Confirm your e-mail address first.", "请先确认您的电子邮箱。";
    ErrAlreadySubscribed => "You already have a subscription.", "您已有订阅。";
    ErrPaymentsOff => "Purchases are not available on this installation.", "本站点未开放购买。";
    ErrPaymentProvider => "The payment provider is not responding. Please try again shortly.", "支付服务暂时无响应，请稍后重试。";
    NavCreate => "Create", "创作";
    NavGallery => "Gallery", "图库";
    NavHistory => "History", "历史";
    NavPrompts => "Prompts", "提示词";
    CreateTitle => "Create an image", "生成图像";
    PromptLabel => "Prompt", "提示词";
    PromptHint => "Describe what you want to see: subject, style, light, mood.", "描述您想看到的画面：主体、风格、光线、氛围。";
    NegativePromptLabel => "Negative prompt", "反向提示词";
    ModelLabel => "Model", "模型";
    AspectLabel => "Aspect ratio", "画面比例";
    QualityLabel => "Quality", "质量";
    QualityStandard => "Standard", "标准";
    QualityHigh => "High", "高";
    FormatLabel => "File format", "文件格式";
    SeedLabel => "Seed", "种子";
    NoSeedHint => "This model takes no seed: each run gives a new image, and it cannot be reproduced exactly.", "此模型不接受种子：每次生成的图像都不同，无法精确复现。";
    SeedHint => "Leave empty for a random seed; the same seed and prompt give the same image.", "留空则随机；相同的种子和提示词会生成相同的图像。";
    CountLabel => "Number of images", "图像数量";
    MoreSettings => "More settings", "更多设置";
    YouHave => "You have", "您有";
    Generate => "Generate", "生成";
    BuyCreditsLink => "Buy credits", "购买点数";
    TaskQueued => "Waiting for a worker…", "排队中…";
    TaskRunning => "Generating…", "生成中…";
    TaskSucceeded => "Done", "已完成";
    TaskFailed => "Failed; your credits were returned.", "失败，点数已退回。";
    TaskCanceled => "Canceled; your credits were returned.", "已取消，点数已退回。";
    CancelTask => "Cancel", "取消";
    Download => "Download", "下载";
    Favorite => "Add to favourites", "收藏";
    Unfavorite => "Remove from favourites", "取消收藏";
    Reuse => "Reuse settings", "复用设置";
    SavePrompt => "Save to prompt library", "保存到提示词库";
    PromptSaved => "Saved to your prompt library.", "已保存到提示词库。";
    ResultsEmpty => "Your images will appear here.", "生成的图像会显示在这里。";
    ModelsLoading => "Loading models…", "正在加载模型…";
    ErrPromptRejected => "This prompt is not allowed here. Please rephrase it.", "此提示词不被允许，请修改后重试。";
    ErrTaskFinished => "This task has already finished.", "该任务已结束。";
    ErrTooManyTasks => "You have too many generations running. Wait for one to finish.", "您进行中的生成任务过多，请等待完成后再试。";
    GalleryTitle => "Gallery", "图库";
    GalleryEmpty => "No images yet. Your creations will be kept here.", "还没有图像。您的作品会保存在这里。";
    FilterAll => "All", "全部";
    Filters => "Filters", "筛选";
    FilterFavorites => "Favourites", "收藏";
    AllModels => "All models", "全部模型";
    Delete => "Delete", "删除";
    ConfirmDelete => "Delete for good?", "确定永久删除？";
    Close => "Close", "关闭";
    Details => "Details", "详情";
    HistoryTitle => "Generation history", "生成历史";
    HistoryEmpty => "No generations yet.", "暂无生成记录。";
    AllStatuses => "All statuses", "全部状态";
    Charged => "charged", "已扣除";
    Refunded => "returned", "已退回";
    PromptsTitle => "Prompt library", "提示词库";
    PromptsLead => "Keep prompts you like with their settings and use them again in one click.", "保存喜欢的提示词及其设置，一键再次使用。";
    PromptsEmpty => "Your library is empty. Save prompts here or from the create page.", "提示词库为空。可在此处或生成页面保存提示词。";
    TitleLabel => "Title", "标题";
    SearchLabel => "Search", "搜索";
    UsePrompt => "Use", "使用";
    Edit => "Edit", "编辑";
    CancelEdit => "Cancel", "取消";
    AddPrompt => "Save prompt", "保存提示词";
    ErrPromptLibraryFull => "Your prompt library is full. Delete some prompts first.", "提示词库已满，请先删除一些。";
    ReferenceLabel => "Start from an image", "从图片开始";
    ReferenceHint => "Drop a PNG, JPEG or WebP here, or choose a file (up to 10 MB).", "将 PNG、JPEG 或 WebP 拖到这里，或选择文件（最大 10 MB）。";
    ReferenceUploading => "Uploading…", "上传中…";
    ReferenceRemove => "Remove image", "移除图片";
    StrengthLabel => "Strength", "变化强度";
    StrengthHint => "Low keeps close to your image; high changes more.", "数值低则贴近原图，数值高则变化更大。";
    ErrUploadTooLarge => "The file is too large.", "文件过大。";
    ErrUploadInvalid => "Use a PNG, JPEG or WebP image between 64 and 4096 pixels a side.", "请使用边长在 64 到 4096 像素之间的 PNG、JPEG 或 WebP 图片。";
    Share => "Share", "分享";
    StopSharing => "Stop sharing", "停止分享";
    ShareLink => "Public link", "公开链接";
    ShowPrompt => "Show the prompt on the shared page", "在分享页面显示提示词";
    Copy => "Copy", "复制";
    Copied => "Copied", "已复制";
    SharedTitle => "A shared image", "分享的图片";
    SharedGone => "This link does not exist or was turned off by its owner.", "此链接不存在或已被所有者关闭。";
    SharedCta => "Make your own images with Z-Image Studio", "使用 Z-Image Studio 创作您自己的图片";
    SharedAlbumTitle => "A shared collection", "分享的合集";
    ImagesCount => "images", "张图像";
    ImageCountOne => "image", "张图像";
    ShareCollection => "Share this collection", "分享此合集";
    ShowPrompts => "Show the prompts on the shared page", "在分享页面显示提示词";
    DevelopersTitle => "Developers: webhooks, OAuth apps and shared links", "开发者：Webhook、OAuth 应用与分享链接";
    DevelopersLink => "Webhooks, OAuth apps and shared links", "Webhook、OAuth 应用与分享链接";
    WebhooksSection => "Webhooks", "Webhook";
    WebhooksLead => "We POST signed events (Standard Webhooks) to your HTTPS endpoints.", "我们会向您的 HTTPS 端点发送签名事件（Standard Webhooks）。";
    WebhookUrl => "Endpoint URL", "端点 URL";
    EventSucceeded => "Generation succeeded", "生成成功";
    EventFailed => "Generation failed", "生成失败";
    EventCreditsLow => "Credits running low", "点数不足";
    AddWebhook => "Add endpoint", "添加端点";
    WebhookSecret => "Signing secret — copy it now, it will not be shown again:", "签名密钥——请立即复制，它不会再次显示：";
    NoWebhooks => "No endpoints yet.", "暂无端点。";
    SendTest => "Send test", "发送测试";
    Deliveries => "Deliveries", "投递记录";
    NoDeliveries => "Nothing sent yet.", "尚未发送任何事件。";
    Disabled => "Off", "已停用";
    Enable => "Turn on", "启用";
    Disable => "Turn off", "停用";
    SharesSection => "Shared links", "分享链接";
    NoShares => "You have not shared any images.", "您还没有分享任何图片。";
    Views => "views", "次查看";
    PrivacySection => "Privacy", "隐私";
    PrivacyLead => "Optional uses of your data. Both stay off unless you turn them on; you can change your mind at any time.", "对您数据的可选使用。除非您开启，否则均保持关闭；您可以随时更改。";
    ConsentMarketing => "Send me news and offers by e-mail", "通过电子邮件向我发送新闻和优惠";
    ConsentAnalytics => "Help improve the product with anonymous usage statistics", "以匿名使用统计帮助改进产品";
    SecurityLogSection => "Security activity", "安全动态";
    NewDevice => "new device", "新设备";
    EventLogin => "Signed in", "登录";
    EventPasswordChanged => "Password changed", "密码已更改";
    EventPasswordReset => "Password reset", "密码已重置";
    EventSessionRevoked => "Device signed out", "设备已退出";
    EventKeyCreated => "API key created", "已创建 API 密钥";
    EventKeyRevoked => "API key revoked", "已撤销 API 密钥";
    EventWebhookCreated => "Webhook added", "已添加 Webhook";
    EventWebhookSecretRotated => "Webhook signing secret replaced", "已更换 Webhook 签名密钥";
    EventConsentChanged => "Privacy choices changed", "隐私选择已更改";
    EventOther => "Account activity", "账户活动";
    ScopeCreditsRead => "May read the credit balance and history", "可以查看点数余额和记录";
    ScopeGenerationsRead => "May read generations, images and prompts", "可以查看生成任务、图片和提示词";
    ScopeGenerationsWrite => "May generate images (spends credits) and edit the gallery", "可以生成图片（消耗点数）并管理图库";
    KeyLimits => "Limits (optional)", "限制（可选）";
    KeyExpires => "Expires", "有效期";
    KeyNeverExpires => "Never", "永不过期";
    KeyExpires7 => "In 7 days", "7 天后";
    KeyExpires30 => "In 30 days", "30 天后";
    KeyExpires90 => "In 90 days", "90 天后";
    KeyExpires365 => "In a year", "一年后";
    KeyExpiresOn => "expires", "过期于";
    KeyDailyCap => "Credits per day (UTC)", "每日点数上限（UTC）";
    KeyMonthlyCap => "Credits per month", "每月点数上限";
    KeyModels => "Only these models (none chosen: any)", "仅限这些模型（不选：全部）";
    KeyRequests => "requests", "次请求";
    KeyToday => "today", "今日";
    KeyThisMonth => "this month", "本月";
    KeyOnly => "only", "仅限";
    ErrWholeNumber => "Enter a whole number above 0.", "请输入大于 0 的整数。";
    ScopeWebhooksWrite => "May manage webhook endpoints (where your events are sent)", "可以管理 Webhook 端点（事件的发送地址）";
    GallerySearch => "Search prompts", "搜索提示词";
    GalleryShape => "Shape", "形状";
    GalleryAnyShape => "Any shape", "任意形状";
    GalleryLandscape => "Landscape", "横图";
    GalleryPortrait => "Portrait", "竖图";
    GallerySquare => "Square", "方图";
    GallerySort => "Order", "排序";
    GalleryFrom => "From", "从";
    GalleryTo => "to", "至";
    GalleryNewest => "Newest first", "最新优先";
    GalleryOldest => "Oldest first", "最早优先";
    CollectionsLabel => "Collection", "合集";
    AllCollections => "All images", "全部图片";
    NewCollection => "New collection name", "新合集名称";
    CreateCollection => "Create collection", "创建合集";
    AddToCollection => "Add to collection", "加入合集";
    RemoveFromCollection => "Remove from collection", "移出合集";
    Variations => "Variations", "变体";
    UseAsReference => "Use as reference", "用作参考图";
    RemovedFrom => "Removed from", "已移出";
    SelectImage => "Select", "选择";
    SelectedCount => "selected", "已选";
    SelectAll => "Select all", "全选";
    ClearSelection => "Clear selection", "取消选择";
    SelectionActions => "Selected images", "已选图像";
    DownloadZip => "Download ZIP", "下载 ZIP";
    Preparing => "Preparing…", "正在打包…";
    DeleteSelected => "Delete", "删除";
    ConfirmDeleteSelected => "Delete them for good?", "确定永久删除？";
    ImagesDeletedCount => "deleted", "已删除";
    Undo => "Undo", "撤销";
    PreviousImage => "Previous image", "上一张";
    NextImage => "Next image", "下一张";
    ActualSize => "Actual size", "原始大小";
    FitToScreen => "Fit to screen", "适应屏幕";
    CopyPrompt => "Copy prompt", "复制提示词";
    NegativePromptShort => "Negative prompt", "负面提示词";
    CostLabel => "Cost", "费用";
    SizeLabel => "Size", "尺寸";
    GallerySelectHint => "Tip: shift-click selects a range; Esc clears the selection.", "提示：按住 Shift 点击可选择一段；按 Esc 取消选择。";
    AddedTo => "Added to", "已加入";
    ScopeProfileRead => "See your name, e-mail address and account settings", "查看您的名称、邮箱地址和账户设置";
    AuthorizeTitle => "Authorize an app", "授权应用";
    AuthorizeWants => "wants to use your account. It will be able to:", "希望使用您的账户，它将能够：";
    AuthorizeBy => "by", "开发者：";
    AuthorizeUnknownDeveloper => "a developer who gave no name", "未署名的开发者";
    AuthorizeSentTo => "After you answer you will be sent to", "答复后您将被转到";
    AuthorizeAgain => "You authorized this app before. Allowing adds these permissions for this sign-in and sets the cap below.", "您之前已授权此应用。允许将为此次登录添加这些权限，并设置下方的上限。";
    AuthorizeCannot => "This app's request cannot be granted. Nothing was shared. The app's error code:", "无法批准此应用的请求，未共享任何信息。应用错误代码：";
    AuthorizeReturn => "Return to the app", "返回应用";
    AuthorizeReturnTo => "The app is at", "应用地址：";
    DeviceWarning => "Only continue if you started this on your own device just now. Never enter a code someone sent you.", "仅当您刚刚在自己的设备上发起此操作时才继续。切勿输入他人发给您的代码。";
    AuthorizeCap => "Monthly credit limit for this app", "此应用的每月点数上限";
    AuthorizeCapHint => "Leave empty for no limit beyond your balance.", "留空则只受余额限制。";
    AuthorizeNever => "It can never see your password, change it, or manage your keys and devices. You can revoke it at any time in Account.", "它永远无法查看或修改您的密码，也不能管理您的密钥和设备。您可以随时在账户页撤销授权。";
    AuthorizeAllow => "Allow", "允许";
    AuthorizeDeny => "Deny", "拒绝";
    AuthorizeInvalid => "This authorization request is not valid: the app is unknown or asked to send you somewhere it did not register. Nothing was shared.", "此授权请求无效：应用未知，或要求将您转到未登记的地址。未共享任何信息。";
    AuthorizeRedirecting => "Taking you back to the app…", "正在返回应用…";
    DeviceTitle => "Connect a device", "连接设备";
    DeviceLead => "Enter the code your TV, console or command-line tool shows.", "输入电视、游戏机或命令行工具上显示的代码。";
    DeviceCode => "Device code", "设备代码";
    DeviceContinue => "Continue", "继续";
    DeviceUnknown => "That code is unknown, expired or already used. Start again on the device.", "该代码未知、已过期或已使用。请在设备上重新开始。";
    DeviceApproved => "Done: the device is connected. You can return to it now.", "完成：设备已连接，您现在可以返回设备。";
    DeviceDenied => "The device was refused. Nothing was shared.", "已拒绝该设备，未共享任何信息。";
    OAuthAppsSection => "OAuth apps", "OAuth 应用";
    OAuthAppsLead => "Register an app so other people can let it act for them, without giving it their password. Apps use the authorization code flow with PKCE, or the device flow.", "注册应用后，其他人无需提供密码即可授权它代表自己操作。应用使用带 PKCE 的授权码流程或设备流程。";
    OAuthAppName => "App name", "应用名称";
    OAuthRedirectUris => "Redirect URIs, one per line", "回调地址（每行一个）";
    OAuthRedirectHint => "https:// addresses, http://127.0.0.1 for local tools, or com.example.app:/callback for mobile apps.", "https:// 地址；本地工具可用 http://127.0.0.1；移动应用可用 com.example.app:/callback。";
    OAuthClientType => "Type", "类型";
    OAuthPublic => "Public (mobile, desktop, browser, CLI): no secret", "公开（移动端、桌面、浏览器、命令行）：无密钥";
    OAuthConfidential => "Confidential (runs on a server): has a client secret", "机密（在服务器上运行）：有客户端密钥";
    OAuthRegister => "Register app", "注册应用";
    OAuthSecretOnce => "Copy the client secret now. It will not be shown again:", "请立即复制客户端密钥，它不会再次显示：";
    OAuthNoApps => "No apps registered yet.", "暂无已注册的应用。";
    OAuthUsers => "users authorized", "位用户已授权";
    AuthorizedAppsSection => "Authorized apps", "已授权的应用";
    AuthorizedAppsLead => "Apps you allowed to act for you. Revoking one stops it at once.", "您允许代表您操作的应用。撤销后立即失效。";
    NoAuthorizedApps => "You have not authorized any apps.", "您尚未授权任何应用。";
    ProfileOnly => "profile only", "仅个人资料";
    EventAppAuthorized => "App authorized", "已授权应用";
    EventAppRevoked => "App authorization revoked", "已撤销应用授权";
    EventAppRegistered => "OAuth app registered", "已注册 OAuth 应用";
    EventAppDeleted => "OAuth app deleted", "已删除 OAuth 应用";
    SecondFactorTitle => "Two-step verification", "两步验证";
    SecondFactorLead => "Enter the 6-digit code from your authenticator app, or one of your recovery codes.", "请输入身份验证器应用中的 6 位验证码，或您的一个恢复码。";
    SecondFactorCode => "Code", "验证码";
    SecondFactorSubmit => "Verify and sign in", "验证并登录";
    SecondFactorBack => "Use another account", "使用其他账户";
    SsoOr => "or", "或";
    SsoContinuePrefix => "Continue with ", "使用 ";
    SsoContinueSuffix => "", " 继续";
    SsoOnlyLead => "New accounts here are made by signing in with one of these.", "本站通过以下方式之一登录来创建新账户。";
    SsoLinkSent => "This address already has an account, so it was not opened. We sent that address an e-mail: open its link to connect this sign-in, then continue with the provider again. Or sign in with your password and connect it in Security.", "此邮箱已有账户，因此未打开该账户。我们已向该邮箱发送邮件：打开其中的链接以关联此登录方式，然后再次通过身份提供方继续。也可以用密码登录后在“安全”中关联。";
    SsoErrStateMismatch => "That sign-in took too long or was started in another browser. Please try again.", "本次登录耗时过长，或是在另一个浏览器中发起的。请重试。";
    SsoErrAccessDenied => "Sign-in was cancelled at the provider.", "已在身份提供方处取消登录。";
    SsoErrProvider => "The provider could not sign you in. Please try again.", "身份提供方无法为您登录。请重试。";
    SsoErrUnavailable => "The provider cannot be reached right now. Try again in a minute.", "暂时无法连接身份提供方。请稍后再试。";
    SsoErrTokenRejected => "The provider's answer could not be verified, so you were not signed in. Try again; if it keeps happening, tell support.", "无法验证身份提供方的应答，因此未登录。请重试；如果持续出现，请联系客服。";
    SsoErrEmailUnverified => "Your provider has not confirmed your e-mail address. Confirm it there first, then try again.", "身份提供方尚未确认您的邮箱。请先在那里确认，然后重试。";
    SsoErrEmailTaken => "This address is held for an account whose address was just changed. Try again tomorrow.", "此邮箱正为一个刚更改邮箱的账户保留。请明天再试。";
    SsoErrAccountDisabled => "This account is switched off; contact support.", "此账户已停用；请联系客服。";
    SsoErrErasurePending => "This account is scheduled for deletion. Sign in with your password to keep it (without one, set it with “Forgot password” first).", "此账户已安排删除。请用密码登录以保留它（如无密码，请先通过“忘记密码”设置）。";
    SsoErrIdentityTaken => "That account at the provider is already connected to another Z-Image Studio account.", "该身份提供方账户已关联到另一个 Z-Image Studio 账户。";
    SsoErrAlreadyLinked => "Your account is already connected to another account at this provider. Remove that one first.", "您的账户已关联该身份提供方的另一个账户。请先移除它。";
    SsoFinishTitle => "Create your account", "创建账户";
    SsoFinishLead => "You signed in with", "您已通过以下方式登录：";
    SsoFinishAs => "as", "账户";
    SsoFinishSubmit => "Create account", "创建账户";
    SsoFinishMissing => "This page needs the link from a sign-in. Continue with your provider again from the sign-in page.", "此页面需要来自登录的链接。请从登录页面再次通过身份提供方继续。";
    SsoLinkTitle => "Connect a sign-in", "关联登录方式";
    SsoLinkLead => "Connect this sign-in to your account? From then on, signing in with the provider opens your account.", "要将此登录方式关联到您的账户吗？之后通过该身份提供方登录即可打开您的账户。";
    SsoLinkSubmit => "Connect", "关联";
    SsoLinkDone => "Connected. Continue with the provider on the sign-in page to open your account.", "已关联。请在登录页面通过该身份提供方继续以打开您的账户。";
    SignInMethodsSection => "Ways to sign in", "登录方式";
    SignInMethodsLead => "Sign in with your password or with an account you connected here. Keep at least one.", "可以用密码或在此关联的账户登录。请至少保留一种。";
    SignInPassword => "Password", "密码";
    SignInPasswordSet => "Set", "已设置";
    SignInPasswordNone => "Not set. To add one, use “Forgot password” on the sign-in page.", "未设置。如需添加，请在登录页面使用“忘记密码”。";
    SignInConnect => "Connect", "关联";
    SignInRemove => "Remove", "移除";
    SignInLastUsed => "last used", "上次使用";
    SignInLastWay => "This is the only way to sign in to your account. Set a password first (“Forgot password” on the sign-in page), connect another provider or add a passkey.", "这是您账户唯一的登录方式。请先设置密码（登录页面的“忘记密码”），关联其他身份提供方，或添加通行密钥。";
    SsoErrAccountUnverified => "An account with this address exists, but its address was never confirmed. Use “Forgot password” with this address to take the account over, then connect the provider in Security.", "已有账户使用此邮箱，但该邮箱从未被确认。请用此邮箱通过“忘记密码”接管该账户，然后在“安全”中关联身份提供方。";
    SsoErrServer => "Something went wrong on our side while signing you in. Please try again.", "登录时我们这边出了问题。请重试。";
    SignInLinked => "Connected. Signing in with it now opens your account.", "已关联。现在可以用它登录您的账户。";
    ErrInvalidCode => "That code is wrong or was used already. Try the current code from your app.", "验证码错误或已被使用。请使用应用中当前显示的验证码。";
    ErrChallengeEnded => "That sign-in ran out of time or took too many wrong codes. Enter your password again.", "本次登录已超时或错误次数过多。请重新输入密码。";
    ErrSecondFactorRequired => "Confirm it is you with a code from your authenticator app first.", "请先用身份验证器应用中的验证码确认是您本人。";
    EventTwoFactorEnabled => "Two-factor authentication turned on", "已开启双重验证";
    EventPasskeyAdded => "Passkey added", "已添加通行密钥";
    EventPasskeyRemoved => "Passkey removed", "已移除通行密钥";
    EventPasskeySignIn => "Signed in with a passkey", "已用通行密钥登录";
    PasskeySignIn => "Sign in with a passkey", "使用通行密钥登录";
    PasskeyUseInstead => "Use a passkey instead", "改用通行密钥";
    PasskeysSection => "Passkeys", "通行密钥";
    PasskeysLead => "A passkey signs you in with your fingerprint, face or device PIN instead of a password, and counts as the second step too. It stays on your phone, computer or security key (or in your password manager); we keep only its public half.", "通行密钥让您用指纹、面容或设备 PIN 代替密码登录，也可作为第二步验证。它保存在您的手机、电脑或安全密钥中（或密码管理器里）；我们只保存其公开部分。";
    PasskeysNone => "No passkeys yet.", "尚未添加通行密钥。";
    PasskeyAdd => "Add a passkey", "添加通行密钥";
    PasskeyName => "Name", "名称";
    PasskeyNameHint => "To tell it from others, e.g. “MacBook” or “YubiKey”.", "用于区分，例如“MacBook”或“YubiKey”。";
    PasskeyAdded => "Passkey added. You can sign in with it now.", "已添加通行密钥。现在可以用它登录。";
    PasskeyAddedOn => "added", "添加于";
    PasskeySynced => "Synced", "已同步";
    PasskeyRename => "Rename", "重命名";
    PasskeySave => "Save", "保存";
    PasskeyCancelled => "The passkey prompt was closed or timed out. Nothing changed.", "通行密钥窗口已关闭或超时。未作任何更改。";
    PasskeyExists => "This device already holds a passkey for your account.", "此设备已保存您账户的通行密钥。";
    PasskeyUnsupported => "This browser cannot use passkeys. Try a current version of Chrome, Safari, Edge or Firefox.", "此浏览器无法使用通行密钥。请尝试最新版 Chrome、Safari、Edge 或 Firefox。";
    PasskeyFailed => "The passkey could not be used. Try again, or sign in another way.", "无法使用该通行密钥。请重试，或换一种方式登录。";
    PasskeysOff => "This installation does not offer passkeys.", "本站未提供通行密钥。";
    ErrPasskeyRejected => "That passkey was not accepted. It may have been removed from your account; try again or sign in another way.", "该通行密钥未被接受。它可能已从您的账户移除；请重试或换一种方式登录。";
    EventTwoFactorDisabled => "Two-factor authentication turned off", "已关闭双重验证";
    EventTwoFactorSignIn => "Second step of a sign-in passed", "登录时通过了第二步验证";
    EventTwoFactorVerified => "Identity confirmed with a code", "已用验证码确认身份";
    EventRecoveryCodesReplaced => "New recovery codes made", "已生成新的恢复码";
    TwoFactorSection => "Two-factor authentication", "双重验证";
    TwoFactorOffLead => "Sign-in asks for your password only. Turn this on to also ask for a code from an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, 1Password, Aegis, …).", "登录时只需密码。开启后，登录时还需输入手机上身份验证器应用（Google Authenticator、Microsoft Authenticator、1Password、Aegis 等）中的验证码。";
    TwoFactorTurnOn => "Turn on", "开启";
    TwoFactorScan => "Scan this QR code with your authenticator app, then enter the 6-digit code it shows.", "用身份验证器应用扫描此二维码，然后输入应用显示的 6 位验证码。";
    TwoFactorQrLabel => "QR code for your authenticator app", "用于身份验证器应用的二维码";
    TwoFactorTypeKey => "Cannot scan it? Type this key into the app instead:", "无法扫描？请在应用中手动输入此密钥：";
    TwoFactorOpenApp => "Open in an authenticator app on this device", "在本设备的身份验证器应用中打开";
    TwoFactorConfirm => "Confirm and turn on", "确认并开启";
    RecoveryCodesOnce => "Save these recovery codes now, away from your phone. Each signs you in once if you lose the app. They will not be shown again.", "请立即将这些恢复码保存在手机以外的地方。丢失应用时，每个恢复码可登录一次。它们不会再次显示。";
    RecoveryCodesSaved => "I have saved them", "我已保存";
    TwoFactorOnBadge => "On", "已开启";
    TwoFactorSince => "since", "开启于";
    RecoveryCodesLeft => "recovery codes left", "个恢复码可用";
    NewRecoveryCodes => "New recovery codes", "生成新的恢复码";
    TwoFactorTurnOff => "Turn off", "关闭";
    SecondFactorConfirmIt => "Confirm", "确认";
    StepUpTitle => "Confirm it is you", "确认是您本人";
    StepUpLead => "This change needs a code from your authenticator app (or an unused recovery code).", "此操作需要身份验证器应用中的验证码（或一个未使用的恢复码）。";
}

/// The active language, provided at the root.
#[derive(Clone, Copy)]
pub struct I18n {
    pub locale: RwSignal<Locale>,
}

const STORAGE_KEY: &str = "zimage.locale";

impl I18n {
    /// Browser language first (or the last explicit choice on this device).
    pub fn detect() -> Self {
        let stored = crate::storage::get(STORAGE_KEY).and_then(|s| Locale::parse(&s));
        let browser = web_sys::window()
            .and_then(|w| w.navigator().language())
            .and_then(|l| Locale::from_browser(&l));
        Self {
            locale: RwSignal::new(stored.or(browser).unwrap_or_default()),
        }
    }

    pub fn set(&self, locale: Locale) {
        crate::storage::set(STORAGE_KEY, locale.as_str());
        self.locale.set(locale);
        crate::theme::set_lang_attribute(locale);
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A reactive translation for use in views: `{t(Key::Save)}`.
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || tr(i18n.locale.get(), key)
}

/// "credit" or "credits" for `count` (one form in Chinese).
pub fn credits_unit(
    count: impl Fn() -> Option<i64> + Copy + Send + Sync + 'static,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || {
        let key = if count() == Some(1) {
            Key::CreditUnit
        } else {
            Key::CreditsUnit
        };
        tr(i18n.locale.get(), key)
    }
}

/// The translation of a validation failure.
pub fn invalid_key(invalid: zimage_shared::validate::Invalid) -> Key {
    use zimage_shared::validate::Invalid as I;
    match invalid {
        I::Required => Key::ErrRequired,
        I::EmailFormat => Key::ErrEmailFormat,
        I::TooLong(_) => Key::ErrTooLong,
        I::PasswordTooShort => Key::ErrPasswordShort,
        I::PasswordTooLong => Key::ErrPasswordLong,
        I::PasswordIsEmail => Key::ErrPasswordIsEmail,
        I::PasswordCommon => Key::ErrPasswordCommon,
        I::UrlNotHttps => Key::ErrUrlHttps,
        I::ControlCharacters => Key::ErrControlChars,
        I::MustAcceptTerms => Key::ErrMustAcceptTerms,
        I::MustConfirmAge => Key::ErrMustConfirmAge,
        I::UnknownLocale => Key::ErrField,
    }
}
