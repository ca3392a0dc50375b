//! Support: the customer's tickets, a form for a new one, and one ticket's conversation. The
//! conversation view is shared with the admin console (`staff` switches the endpoints).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use zimage_shared::support::{CreateTicket, Ticket, TicketReply, TicketStatus};

use crate::api;
use crate::components::form::Notice;
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, t};
use crate::session::{redirect_signed_out, use_session};

pub fn status_key(status: TicketStatus) -> Key {
    match status {
        TicketStatus::Open => Key::TicketOpen,
        TicketStatus::Answered => Key::TicketAnswered,
        TicketStatus::Closed => Key::TicketClosed,
    }
}

use crate::util::when::minute as when;

#[component]
pub fn Support() -> impl IntoView {
    redirect_signed_out();
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let tickets = Paged::<Ticket>::new("/v1/support/tickets");
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let task_id =
        query.with_untracked(|q| q.get("task").and_then(|t| t.parse::<uuid::Uuid>().ok()));
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = CreateTicket {
            subject: subject.get_untracked(),
            body: body.get_untracked(),
            task_id,
        };
        let navigate = navigate.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match session
                .call::<Ticket>("POST", "/v1/support/tickets", api::body(&request))
                .await
            {
                Ok(ticket) => navigate(&format!("/support/{}", ticket.id), Default::default()),
                Err(err) => error.set(Some(err.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <crate::components::layout::Heading key=Key::SupportTitle />
        <div class="stack">
            <section class="card" aria-labelledby="new-ticket-heading">
                <h2 id="new-ticket-heading">{t(Key::NewTicket)}</h2>
                <p class="muted">{t(Key::SupportLead)}</p>
                {task_id.map(|id| view! { <p class="small"><span class="badge">{t(Key::AboutTask)} " " {id.to_string()[..8].to_string()}</span></p> })}
                <form on:submit=submit novalidate>
                    <Notice message=error />
                    <div class="field">
                        <label for="ticket-subject">{t(Key::TicketSubject)}</label>
                        <input id="ticket-subject" type="text" maxlength="200" required bind:value=subject />
                    </div>
                    <div class="field">
                        <label for="ticket-body">{t(Key::TicketMessage)}</label>
                        <textarea id="ticket-body" rows="5" maxlength="10000" required bind:value=body></textarea>
                    </div>
                    <button type="submit" class="button button-primary" disabled=move || busy.get()>
                        {move || if busy.get() { t(Key::Working)() } else { t(Key::SendTicket)() }}
                    </button>
                </form>
            </section>
            <section class="card" aria-labelledby="tickets-heading">
                <h2 id="tickets-heading">{t(Key::YourTickets)}</h2>
                <Notice message=tickets.error />
                <Show when=move || !tickets.loading.get() && tickets.items.get().is_empty()>
                    <p class="empty muted">{t(Key::NoTickets)}</p>
                </Show>
                <ul class="list tickets">
                    <For each=move || tickets.items.get() key=|x| (x.id, x.status) let:ticket>
                        <li class="list-row" data-status=ticket.status.as_str()>
                            <div>
                                <A href=format!("/support/{}", ticket.id)><strong>{ticket.subject.clone()}</strong></A>
                                <p class="muted small">{ticket.number.clone()} " · " {when(ticket.updated_at)}</p>
                            </div>
                            <span class="badge">{t(status_key(ticket.status))}</span>
                        </li>
                    </For>
                </ul>
                <ListFooter loading=tickets.loading cursor=tickets.cursor on_more=Callback::new(move |()| tickets.load(true)) />
            </section>
        </div>
    }
}

#[component]
pub fn SupportTicket() -> impl IntoView {
    redirect_signed_out();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    view! {
        <p><A href="/support">"← " {t(Key::SupportTitle)}</A></p>
        {move || view! { <Conversation id=id() staff=false /> }}
    }
}

/// One ticket's messages, a reply box and a close button.
#[component]
pub fn Conversation(id: String, staff: bool) -> impl IntoView {
    let session = use_session();
    let base = if staff {
        format!("/v1/admin/support/tickets/{id}")
    } else {
        format!("/v1/support/tickets/{id}")
    };
    let ticket = RwSignal::new(None::<Ticket>);
    let error = RwSignal::new(None::<Key>);
    let reply = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let path = StoredValue::new(base);
    crate::util::spawn(async move {
        match session.call::<Ticket>("GET", &path.get_value(), None).await {
            Ok(t) => ticket.set(Some(t)),
            Err(err) => error.set(Some(err.message())),
        }
    });
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = TicketReply {
            body: reply.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match session
                .call::<Ticket>(
                    "POST",
                    &format!("{}/messages", path.get_value()),
                    api::body(&body),
                )
                .await
            {
                Ok(t) => {
                    ticket.set(Some(t));
                    reply.set(String::new());
                }
                Err(err) => error.set(Some(err.message())),
            }
            busy.set(false);
        });
    };
    let close = move |_| {
        leptos::task::spawn_local(async move {
            match session
                .call::<Ticket>("POST", &format!("{}/close", path.get_value()), None)
                .await
            {
                Ok(t) => ticket.set(Some(t)),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <Notice message=error />
        {move || match ticket.get() {
            None => view! { <p class="loading" role="status">{t(Key::Loading)}</p> }.into_any(),
            Some(tk) => {
                let closed = tk.status == TicketStatus::Closed;
                view! {
                    <section class="card ticket" data-status=tk.status.as_str()>
                        <h1>{crate::components::layout::set_title(&tk.subject); tk.subject.clone()}</h1>
                        <p class="muted small">
                            {tk.number.clone()} " · " <span class="badge">{t(status_key(tk.status))}</span>
                            {tk.customer_email.clone().map(|e| view! { " · " {e} })}
                            {tk.task_id.map(|task| view! { " · " {t(Key::AboutTask)} " " <code>{task.to_string()}</code> })}
                        </p>
                        <ol class="thread">
                            {tk.messages.iter().map(|m| view! {
                                <li class=if m.from_staff { "message message-staff" } else { "message" }>
                                    <p class="muted small">
                                        {if m.from_staff { t(Key::FromSupport)() } else { t(Key::FromCustomer)() }}
                                        " · " {when(m.created_at)}
                                    </p>
                                    <p class="message-body">{m.body.clone()}</p>
                                </li>
                            }).collect_view()}
                        </ol>
                        <Show when=move || !(staff && closed)>
                            <form on:submit=send novalidate>
                                <div class="field">
                                    <label for="reply-body">{t(if closed { Key::ReplyToReopen } else { Key::Reply })}</label>
                                    <textarea id="reply-body" rows="4" maxlength="10000" bind:value=reply></textarea>
                                </div>
                                <div class="actions">
                                    <button type="submit" class="button button-primary" disabled=move || busy.get()>{t(Key::SendReply)}</button>
                                    <Show when=move || !closed>
                                        <button id="close-ticket" type="button" class="button button-ghost" on:click=close>{t(Key::CloseTicket)}</button>
                                    </Show>
                                </div>
                            </form>
                        </Show>
                    </section>
                }
                .into_any()
            }
        }}
    }
}
