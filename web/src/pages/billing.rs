//! The buying half of the Credits page: catalog, checkout return, orders, subscription.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use zimage_shared::billing::{
    Catalog, CheckoutRequest, CheckoutResponse, Order, OrderStatus, PortalResponse, Product,
    ProductKind, Subscription, SubscriptionResponse,
};

use crate::api;
use crate::components::form::Notice;
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, t, tr, use_i18n};
use crate::session::use_session;

fn price(minor: i64, currency: &str) -> String {
    zimage_shared::money::format(minor, currency)
}

fn status_key(status: OrderStatus) -> Key {
    match status {
        OrderStatus::Created => Key::StatusCreated,
        OrderStatus::Paid => Key::StatusPaid,
        OrderStatus::Failed => Key::StatusFailed,
        OrderStatus::Expired => Key::StatusExpired,
        OrderStatus::Refunded => Key::StatusRefunded,
    }
}

fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(url);
    }
}

/// Shows the outcome of a return from Checkout and refreshes the balance until the payment lands.
#[component]
pub fn CheckoutReturn() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let outcome = match query.get_untracked().get("checkout").as_deref() {
        Some("success") => Some(Key::CheckoutReturned),
        Some("canceled") => Some(Key::CheckoutCanceled),
        _ => None,
    };
    if outcome == Some(Key::CheckoutReturned) {
        // Stripe confirms by webhook, usually within seconds of the redirect.
        crate::util::spawn(async move {
            let before = session.credits.get_untracked().map(|c| c.balance);
            for _ in 0..20 {
                session.reload_credits().await;
                if session.credits.get_untracked().map(|c| c.balance) != before {
                    break;
                }
                crate::util::sleep_ms(1500).await;
            }
        });
    }
    let message = RwSignal::new(outcome);
    view! { <Notice message=message success=true /> }
}

#[component]
fn ProductCard(product: Product, enabled: bool, error: RwSignal<Option<Key>>) -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let id = product.id.clone();
    let buy = move |_| {
        let request = CheckoutRequest {
            product_id: id.clone(),
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match session
                .call::<CheckoutResponse>("POST", "/v1/billing/checkout", api::body(&request))
                .await
            {
                Ok(started) => go_to(&started.checkout_url),
                Err(err) => {
                    error.set(Some(err.message()));
                    busy.set(false);
                }
            }
        });
    };
    let (label, period) = match product.kind {
        ProductKind::Pack => (Key::Buy, None),
        ProductKind::Plan => (
            Key::Subscribe,
            Some(if product.interval.as_deref() == Some("year") {
                Key::PerYear
            } else {
                Key::PerMonth
            }),
        ),
    };
    view! {
        <li class="product" data-product=product.id.clone()>
            <h3>{product.name.clone()}</h3>
            <p class="product-price">
                {price(product.price_cents, &product.currency)}
                {period.map(|p| view! { <span class="muted small">" " {move || tr(i18n.locale.get(), p)}</span> })}
            </p>
            <p class="muted small">{product.description.clone()}</p>
            <button
                type="button"
                class="button button-primary"
                disabled=move || !enabled || busy.get()
                aria-busy=move || busy.get().to_string()
                on:click=buy
            >
                {move || tr(i18n.locale.get(), if busy.get() { Key::Working } else { label })}
            </button>
        </li>
    }
}

/// Packs and plans with buy buttons.
#[component]
pub fn BuyCard() -> impl IntoView {
    let catalog = RwSignal::new(None::<Catalog>);
    let error = RwSignal::new(None::<Key>);
    // Names and descriptions come in the page's language, so a change of language asks again.
    let i18n = crate::i18n::use_i18n();
    Effect::new(move || {
        i18n.locale.track();
        crate::util::spawn(async move {
            match api::public::<Catalog>("GET", "/v1/billing/catalog", None).await {
                Ok(c) => catalog.set(Some(c)),
                Err(err) => error.set(Some(err.message())),
            }
        });
    });
    let products = move |kind: ProductKind| {
        catalog
            .get()
            .map(|c| {
                (
                    c.payments_enabled,
                    if kind == ProductKind::Pack {
                        c.packs
                    } else {
                        c.plans
                    },
                )
            })
            .map(|(enabled, list)| {
                list.into_iter()
                    .map(|p| view! { <ProductCard product=p enabled=enabled error=error /> })
                    .collect_view()
            })
    };
    view! {
        <section class="card" aria-labelledby="buy-heading">
            <h2 id="buy-heading">{t(Key::BuySection)}</h2>
            <Notice message=error />
            <Show when=move || catalog.get().is_some_and(|c| !c.payments_enabled)>
                <p class="notice">{t(Key::PaymentsDisabled)}</p>
            </Show>
            <Show when=move || catalog.get().is_none() && error.get().is_none()>
                <p class="loading" role="status">{t(Key::Loading)}</p>
            </Show>
            <ul class="products">{move || products(ProductKind::Pack)}</ul>
            <h3 class="subheading">{t(Key::PlansSection)}</h3>
            <ul class="products">{move || products(ProductKind::Plan)}</ul>
        </section>
    }
}

/// The current subscription with cancel and portal buttons.
#[component]
pub fn SubscriptionCard() -> impl IntoView {
    let session = use_session();
    let current = RwSignal::new(None::<Subscription>);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    crate::util::spawn(async move {
        if let Ok(response) = session
            .call::<SubscriptionResponse>("GET", "/v1/billing/subscription", None)
            .await
        {
            current.set(response.subscription);
        }
        loaded.set(true);
    });
    let cancel = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<Subscription>("POST", "/v1/billing/subscription/cancel", None)
                .await
            {
                Ok(updated) => current.set(Some(updated)),
                Err(err) => error.set(Some(err.message())),
            }
            busy.set(false);
        });
    };
    let portal = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<PortalResponse>("POST", "/v1/billing/portal", None)
                .await
            {
                Ok(portal) => go_to(&portal.url),
                Err(err) => {
                    error.set(Some(err.message()));
                    busy.set(false);
                }
            }
        });
    };
    let live = move || {
        current
            .get()
            .filter(|s| matches!(s.status.as_str(), "active" | "trialing" | "past_due"))
    };
    view! {
        <section class="card" aria-labelledby="subscription-heading">
            <h2 id="subscription-heading">{t(Key::SubscriptionSection)}</h2>
            <Notice message=error />
            <Show
                when=move || live().is_some()
                fallback=move || view! { <Show when=move || loaded.get()><p class="empty">{t(Key::NoSubscription)}</p></Show> }
            >
                {move || live().map(|s| view! {
                    <p>
                        <strong>{s.plan_id.clone()}</strong> " · " {s.status.clone()} " · "
                        {if s.cancel_at_period_end { t(Key::EndsOn)() } else { t(Key::RenewsOn)() }} " "
                        {s.current_period_end.map(crate::util::when::day).unwrap_or_default()}
                    </p>
                    <div class="actions">
                        <Show when=move || !s.cancel_at_period_end>
                            <button type="button" class="button button-danger" disabled=move || busy.get() on:click=cancel>{t(Key::CancelSubscription)}</button>
                        </Show>
                        <button type="button" class="button" disabled=move || busy.get() on:click=portal>{t(Key::ManageBilling)}</button>
                    </div>
                })}
            </Show>
        </section>
    }
}

/// Purchases with their status and receipts.
#[component]
pub fn OrdersCard() -> impl IntoView {
    let i18n = use_i18n();
    let paged = Paged::<Order>::new("/v1/billing/orders");
    let Paged {
        items,
        cursor,
        loading,
        error,
        ..
    } = paged;
    view! {
        <section class="card" aria-labelledby="orders-heading">
            <h2 id="orders-heading">{t(Key::OrdersSection)}</h2>
            <Notice message=error />
            <Show when=move || !loading.get() && items.get().is_empty()>
                <p class="empty">{t(Key::NoOrders)}</p>
            </Show>
            <ul class="list">
                <For each=move || items.get() key=|o| (o.number.clone(), o.status) let:o>
                    <li class="list-row">
                        <div>
                            <strong>{o.credits} " " {t(Key::CreditsUnit)}</strong> " · " {price(o.amount_cents, &o.currency)}
                            <p class="muted small">{o.number.clone()} " · " {crate::util::when::day(o.created_at)}</p>
                        </div>
                        <div class="row-end">
                            <span class="badge" data-status=format!("{:?}", o.status).to_lowercase()>{move || tr(i18n.locale.get(), status_key(o.status))}</span>
                            {o.receipt_url.clone().map(|url| view! { <a href=url target="_blank" rel="noopener">{t(Key::Receipt)}</a> })}
                        </div>
                    </li>
                </For>
            </ul>
            <ListFooter loading=loading cursor=cursor on_more=Callback::new(move |()| paged.load(true)) />
        </section>
    }
}
