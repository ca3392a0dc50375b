use leptos::prelude::*;
use zimage_shared::account::Locale;
use zimage_shared::credits::{GrantSource, LedgerEntry, LedgerKind};

use crate::components::form::Notice;
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, t, tr, use_i18n};
use crate::pages::billing::{BuyCard, CheckoutReturn, OrdersCard, SubscriptionCard};
use crate::session::{redirect_signed_out, use_session};

fn source_key(source: GrantSource) -> Key {
    match source {
        GrantSource::SignupBonus => Key::SourceSignupBonus,
        GrantSource::Purchase => Key::SourcePurchase,
        GrantSource::Subscription => Key::SourceSubscription,
        GrantSource::Referral => Key::SourceReferral,
        GrantSource::Admin => Key::SourceAdmin,
        GrantSource::RefundAdjustment => Key::SourceRefundAdjustment,
    }
}

fn kind_key(kind: LedgerKind) -> Key {
    match kind {
        LedgerKind::Grant => Key::KindGrant,
        LedgerKind::Hold => Key::KindHold,
        LedgerKind::Settle => Key::KindSettle,
        LedgerKind::Release => Key::KindRelease,
        LedgerKind::Expire => Key::KindExpire,
        LedgerKind::Clawback => Key::KindClawback,
        LedgerKind::AdminAdjust => Key::KindAdminAdjust,
    }
}

/// What a movement was for, in the reader's language; an administrator's own words as written.
fn detail(locale: Locale, e: &LedgerEntry) -> String {
    let key = match (e.kind, e.source) {
        (LedgerKind::Grant, Some(GrantSource::Purchase)) => {
            let order = e.reference.as_deref().unwrap_or_default();
            return format!("{} {order}", tr(locale, Key::SourcePurchase));
        }
        (LedgerKind::Grant, Some(source)) if source != GrantSource::Admin => source_key(source),
        (LedgerKind::Hold | LedgerKind::Settle, _) => Key::WhyGeneration,
        (LedgerKind::Release, _) => Key::WhyReturned,
        (LedgerKind::Expire, _) => Key::WhyExpired,
        (LedgerKind::Clawback, _) => Key::WhyClawback,
        _ => return e.reason.clone(),
    };
    tr(locale, key).to_string()
}

fn amount_class(amount: i64) -> &'static str {
    match amount.signum() {
        1 => "amount amount-positive",
        -1 => "amount amount-negative",
        _ => "amount",
    }
}

use crate::util::when::day;

/// Balance, the grants it is made of, and every movement.
#[component]
pub fn Credits() -> impl IntoView {
    let session = use_session();
    redirect_signed_out();
    crate::util::spawn(session.reload_credits());
    view! {
        <Show
            when=move || session.user.get().is_some()
            fallback=|| view! { <p class="loading" role="status">{t(Key::Loading)}</p> }
        >
            <crate::components::layout::Heading key=Key::CreditsTitle />
            <p class="muted">{t(Key::CreditsLead)}</p>
            <CheckoutReturn />
            <div class="stack">
                <BalanceCard />
                <BuyCard />
                <SubscriptionCard />
                <GrantsCard />
                <HistoryCard />
                <OrdersCard />
            </div>
        </Show>
    }
}

#[component]
fn BalanceCard() -> impl IntoView {
    let session = use_session();
    let value = move |f: fn(&zimage_shared::credits::CreditBalance) -> i64| {
        move || {
            session
                .credits
                .get()
                .map(|c| f(&c).to_string())
                .unwrap_or_else(|| "…".into())
        }
    };
    view! {
        <section class="card balance" aria-labelledby="balance-heading">
            <h2 id="balance-heading" class="visually-hidden">{t(Key::Balance)}</h2>
            <div class="stat stat-main">
                <span class="stat-value" id="credits-available">{value(|c| c.available)}</span>
                <span class="stat-label">{t(Key::Available)}</span>
            </div>
            <div class="stat">
                <span class="stat-value">{value(|c| c.held)}</span>
                <span class="stat-label">{t(Key::Held)}</span>
            </div>
            <div class="stat">
                <span class="stat-value">{value(|c| c.balance)}</span>
                <span class="stat-label">{t(Key::Balance)}</span>
            </div>
        </section>
    }
}

#[component]
fn GrantsCard() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let grants = move || session.credits.get().map(|c| c.grants).unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="grants-heading">
            <h2 id="grants-heading">{t(Key::GrantsSection)}</h2>
            <Show when=move || session.credits.get().is_some_and(|c| c.grants.is_empty())>
                <p class="empty">{t(Key::NoGrants)}</p>
            </Show>
            <ul class="list">
                <For each=grants key=|g| (g.id, g.remaining) let:g>
                    <li class="list-row">
                        <div>
                            <strong>{move || tr(i18n.locale.get(), source_key(g.source))}</strong>
                            <p class="muted small">
                                {match g.expires_at {
                                    Some(at) => view! { <span>{t(Key::ExpiresOn)} " " {day(at)}</span> }.into_any(),
                                    None => view! { <span>{t(Key::NeverExpires)}</span> }.into_any(),
                                }}
                            </p>
                        </div>
                        <span class="amount">{g.remaining} " " {t(Key::Remaining)} " " {g.amount}</span>
                    </li>
                </For>
            </ul>
        </section>
    }
}

#[component]
fn HistoryCard() -> impl IntoView {
    let i18n = use_i18n();
    let paged = Paged::<LedgerEntry>::new("/v1/credits/ledger");
    let Paged {
        items,
        cursor,
        loading,
        error,
        ..
    } = paged;
    view! {
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">{t(Key::HistorySection)}</h2>
            <Notice message=error />
            <Show when=move || !loading.get() && items.get().is_empty()>
                <p class="empty">{t(Key::NoHistory)}</p>
            </Show>
            <ul class="list" aria-busy=move || loading.get().to_string()>
                // Entries that moved nothing (a hold settled at no cost) are bookkeeping, not history.
                <For each=move || items.get().into_iter().filter(|e| e.amount != 0) key=|e| e.id let:e>
                    <li class="list-row">
                        <div>
                            <strong>{move || tr(i18n.locale.get(), kind_key(e.kind))}</strong>
                            <p class="muted small">{let e = e.clone(); move || detail(i18n.locale.get(), &e)} " · " {format!("{} UTC", crate::util::when::minute(e.created_at))}</p>
                        </div>
                        <span class=amount_class(e.amount)>
                            {if e.amount > 0 { format!("+{}", e.amount) } else { e.amount.to_string() }}
                        </span>
                    </li>
                </For>
            </ul>
            <ListFooter loading=loading cursor=cursor on_more=Callback::new(move |()| paged.load(true)) />
        </section>
    }
}
