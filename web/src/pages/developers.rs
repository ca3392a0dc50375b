//! Webhook endpoints (create, one-time secret, test, deliveries, on/off, delete) and the
//! user's shared links.

use leptos::prelude::*;
use zimage_shared::Page;
use zimage_shared::generation::ShareInfo;
use zimage_shared::webhooks::{
    CreateWebhookRequest, DeliveryStatus, UpdateWebhookRequest, WebhookCreated, WebhookDelivery,
    WebhookEndpoint, WebhookEvent,
};

use crate::api;
use crate::components::form::{CheckField, Notice, Submit, TextField};
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, t};
use crate::session::{redirect_signed_out, use_session};

fn event_key(event: WebhookEvent) -> Key {
    match event {
        WebhookEvent::GenerationSucceeded => Key::EventSucceeded,
        WebhookEvent::GenerationFailed => Key::EventFailed,
        WebhookEvent::CreditsLow => Key::EventCreditsLow,
    }
}

#[component]
pub fn Developers() -> impl IntoView {
    redirect_signed_out();
    view! {
        <crate::components::layout::Heading key=Key::DevelopersTitle />
        <div class="stack">
            <WebhooksCard />
            <crate::pages::oauth::OAuthAppsCard />
            <SharesCard />
        </div>
    }
}

#[component]
fn WebhooksCard() -> impl IntoView {
    let session = use_session();
    let endpoints = Paged::<WebhookEndpoint>::new("/v1/me/webhooks");
    let url = RwSignal::new(String::new());
    let url_err = RwSignal::new(None::<Key>);
    let on_success = RwSignal::new(true);
    let on_failure = RwSignal::new(true);
    let on_low = RwSignal::new(false);
    let secret = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let events: Vec<WebhookEvent> = [
            (on_success.get(), WebhookEvent::GenerationSucceeded),
            (on_failure.get(), WebhookEvent::GenerationFailed),
            (on_low.get(), WebhookEvent::CreditsLow),
        ]
        .into_iter()
        .filter_map(|(on, e)| on.then_some(e))
        .collect();
        if url.get().trim().is_empty() {
            url_err.set(Some(Key::ErrRequired));
            return;
        }
        let body = CreateWebhookRequest {
            url: url.get(),
            events,
            description: None,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<WebhookCreated>("POST", "/v1/me/webhooks", api::body(&body))
                .await
            {
                Ok(created) => {
                    secret.set(Some(created.secret));
                    endpoints
                        .items
                        .update(|all| all.insert(0, created.endpoint));
                    url.set(String::new());
                }
                Err(err) => {
                    url_err.set(err.field("url"));
                    error.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">{t(Key::WebhooksSection)}</h2>
            <p class="muted">{t(Key::WebhooksLead)}</p>
            <Show when=move || secret.get().is_some()>
                <div class="secret" role="status">
                    <p>{t(Key::WebhookSecret)}</p>
                    <code class="secret-value">{move || secret.get().unwrap_or_default()}</code>
                </div>
            </Show>
            <form on:submit=create novalidate class="inline-form">
                <TextField id="webhook_url" label=Key::WebhookUrl value=url error=url_err kind="url" />
                <CheckField id="event_succeeded" label=Key::EventSucceeded checked=on_success />
                <CheckField id="event_failed" label=Key::EventFailed checked=on_failure />
                <CheckField id="event_low" label=Key::EventCreditsLow checked=on_low />
                <Notice message=error />
                <Submit label=Key::AddWebhook busy=busy />
            </form>
            <Show when=move || !endpoints.loading.get() && endpoints.items.get().is_empty()>
                <p class="empty">{t(Key::NoWebhooks)}</p>
            </Show>
            <ul class="list">
                <For each=move || endpoints.items.get() key=|e| (e.id, e.enabled) let:endpoint>
                    <EndpointRow endpoint=endpoint endpoints=endpoints />
                </For>
            </ul>
            <ListFooter loading=endpoints.loading cursor=endpoints.cursor on_more=Callback::new(move |()| endpoints.load(true)) />
        </section>
    }
}

#[component]
fn EndpointRow(endpoint: WebhookEndpoint, endpoints: Paged<WebhookEndpoint>) -> impl IntoView {
    let session = use_session();
    let id = endpoint.id;
    let log = RwSignal::new(None::<Vec<WebhookDelivery>>);
    let error = RwSignal::new(None::<Key>);
    let load_log = move || {
        leptos::task::spawn_local(async move {
            match session
                .call::<Page<WebhookDelivery>>(
                    "GET",
                    &format!("/v1/me/webhooks/{id}/deliveries?limit=10"),
                    None,
                )
                .await
            {
                Ok(page) => log.set(Some(page.items)),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    let test = move |_| {
        leptos::task::spawn_local(async move {
            match session
                .call::<WebhookDelivery>("POST", &format!("/v1/me/webhooks/{id}/test"), None)
                .await
            {
                Ok(_) => {
                    crate::util::sleep_ms(1500).await;
                    load_log();
                }
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    let enabled = endpoint.enabled;
    let toggle = move |_| {
        let body = UpdateWebhookRequest {
            enabled: Some(!enabled),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            match session
                .call::<WebhookEndpoint>(
                    "PATCH",
                    &format!("/v1/me/webhooks/{id}"),
                    api::body(&body),
                )
                .await
            {
                Ok(updated) => endpoints.items.update(|all| {
                    for e in all.iter_mut().filter(|e| e.id == id) {
                        *e = updated.clone();
                    }
                }),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    let events = endpoint
        .events
        .iter()
        .map(|e| t(event_key(*e))())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <li class="list-row endpoint-row">
            <div class="task-main">
                <p class="task-prompt"><code>{endpoint.url.clone()}</code>
                    {(!endpoint.enabled).then(|| view! { " " <span class="badge badge-failed">{t(Key::Disabled)}</span> })}
                </p>
                <p class="muted small">{events}</p>
                {endpoint.disabled_reason.clone().map(|r| view! { <p class="small">{r}</p> })}
                <Notice message=error />
                {move || log.get().map(|items| view! {
                    <h3 class="subheading">{t(Key::Deliveries)}</h3>
                    <Show when={ let empty = items.is_empty(); move || empty }>
                        <p class="muted small">{t(Key::NoDeliveries)}</p>
                    </Show>
                    <ul class="list deliveries">
                        {items.into_iter().map(|d| view! {
                            <li class="small" data-status=match d.status { DeliveryStatus::Succeeded => "succeeded", DeliveryStatus::Failed => "failed", DeliveryStatus::Pending => "pending" }>
                                <code>{d.event_type.clone()}</code> " · "
                                {match d.status { DeliveryStatus::Succeeded => "✓", DeliveryStatus::Failed => "✗", DeliveryStatus::Pending => "…" }}
                                " " {d.last_status.map(|s| s.to_string()).unwrap_or_default()}
                                " · " {crate::util::when::second(d.created_at)}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
            <div class="actions">
                <button type="button" class="button button-small" on:click=test>{t(Key::SendTest)}</button>
                <button type="button" class="button button-small" on:click=move |_| load_log()>{t(Key::Deliveries)}</button>
                <button type="button" class="button button-small button-ghost" on:click=toggle>
                    {if enabled { t(Key::Disable)() } else { t(Key::Enable)() }}
                </button>
                <button type="button" class="button button-small button-danger" on:click=move |_| endpoints.delete(id, move |e| e.id != id)>{t(Key::Delete)}</button>
            </div>
        </li>
    }
}

#[component]
fn SharesCard() -> impl IntoView {
    let session = use_session();
    let shares = Paged::<ShareInfo>::new("/v1/shares");
    let error = RwSignal::new(None::<Key>);
    let revoke = move |image_id: uuid::Uuid| {
        leptos::task::spawn_local(async move {
            match session
                .call::<()>("DELETE", &format!("/v1/images/{image_id}/share"), None)
                .await
            {
                Ok(()) => shares
                    .items
                    .update(|all| all.retain(|s| s.image_id != image_id)),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="shares-heading">
            <h2 id="shares-heading">{t(Key::SharesSection)}</h2>
            <Notice message=error />
            <Show when=move || !shares.loading.get() && shares.items.get().is_empty()>
                <p class="empty">{t(Key::NoShares)}</p>
            </Show>
            <ul class="list">
                <For each=move || shares.items.get() key=|s| s.id let:share>
                    <li class="list-row task-row">
                        <div class="task-thumbs"><img src=share.thumbnail_url.clone() alt="" width="56" height="56" /></div>
                        <div class="task-main">
                            <p class="task-prompt"><a href=share.url.clone()>{share.url.clone()}</a></p>
                            <p class="muted small">{share.views} " " {t(Key::Views)} " · " {crate::util::when::day(share.created_at)}</p>
                        </div>
                        <div class="actions">
                            {
                                let image_id = share.image_id;
                                view! { <button type="button" class="button button-small button-danger" on:click=move |_| revoke(image_id)>{t(Key::StopSharing)}</button> }
                            }
                        </div>
                    </li>
                </For>
            </ul>
            <ListFooter loading=shares.loading cursor=shares.cursor on_more=Callback::new(move |()| shares.load(true)) />
        </section>
    }
}
