//! Support tickets: customers open and answer them, administrators answer and close them;
//! each side is told by e-mail when the other writes.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;
use zimage_shared::support::{
    CreateTicket, MAX_MESSAGE_CHARS, MAX_SUBJECT_CHARS, Ticket, TicketMessage, TicketReply,
    TicketStatus,
};
use zimage_shared::{ErrorCode, Page};

use crate::auth::secrets;
use crate::db::models::UserRow;
use crate::db::support::{self as db, MessageRow, TicketRow};
use crate::db::{generation, users};
use crate::domain::audit::{self, Actor};
use crate::error::{ApiError, ApiResult, Validator};
use crate::mail::{Template, render};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;

/// Tickets one customer may have open at once.
pub const MAX_OPEN_TICKETS: i64 = 20;

fn text(v: &mut Validator, field: &str, value: &str, max: usize) -> String {
    v.check(
        field,
        zimage_shared::validate::required_multiline(value, max),
    )
    .unwrap_or_default()
}

fn status_of(row: &TicketRow) -> TicketStatus {
    TicketStatus::parse(&row.status).unwrap_or(TicketStatus::Open)
}

fn to_dto(row: &TicketRow, email: Option<String>, messages: &[MessageRow]) -> Ticket {
    Ticket {
        id: row.id,
        number: row.number.clone(),
        subject: row.subject.clone(),
        status: status_of(row),
        task_id: row.task_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
        closed_at: row.closed_at,
        customer_email: email,
        messages: messages
            .iter()
            .map(|m| TicketMessage {
                id: m.id,
                from_staff: m.from_staff,
                body: m.body.clone(),
                created_at: m.created_at,
            })
            .collect(),
    }
}

/// Tells support that a customer wrote.
async fn notify_staff(state: &AppState, conn: &mut AsyncPgConnection, ticket: &TicketRow) {
    let link = format!("{}/admin/support/{}", state.config.public_url, ticket.id);
    let template = Template::SupportCustomerMessage {
        number: &ticket.number,
        subject: &ticket.subject,
        link: &link,
    };
    let recipients: Vec<(String, String)> = match &state.config.support_email {
        Some(address) => vec![(address.clone(), "en".into())],
        None => db::admin_emails(conn).await.unwrap_or_default(),
    };
    for (address, locale) in recipients {
        let locale = zimage_shared::account::Locale::parse(&locale).unwrap_or_default();
        state
            .mailer
            .send_or_log(&render(&template, locale, &address))
            .await;
    }
}

pub async fn create(state: &AppState, user: &UserRow, req: CreateTicket) -> ApiResult<Ticket> {
    let mut v = Validator::new();
    let subject = v
        .check(
            "subject",
            zimage_shared::validate::required_text(&req.subject, MAX_SUBJECT_CHARS),
        )
        .unwrap_or_default();
    let body = text(&mut v, "body", &req.body, MAX_MESSAGE_CHARS);
    let mut conn = state.db.get().await?;
    if let Some(task_id) = req.task_id
        && generation::find_task(&mut conn, task_id)
            .await?
            .is_none_or(|t| t.user_id != user.id)
    {
        v.add("task_id", "is not one of your tasks");
    }
    v.finish()?;
    if db::count_open(&mut conn, user.id).await? >= MAX_OPEN_TICKETS {
        return Err(ApiError::new(
            ErrorCode::LimitReached,
            format!("at most {MAX_OPEN_TICKETS} open tickets; close one you no longer need"),
        ));
    }
    let now = state.clock.now();
    let ticket = TicketRow {
        id: Uuid::new_v4(),
        user_id: user.id,
        number: format!("T-{}", &secrets::referral_code()),
        subject,
        status: TicketStatus::Open.as_str().into(),
        task_id: req.task_id,
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    let message = MessageRow {
        id: Uuid::new_v4(),
        ticket_id: ticket.id,
        author_id: Some(user.id),
        from_staff: false,
        body,
        created_at: now,
    };
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::insert_ticket(conn, &ticket).await?;
        db::insert_message(conn, &message).await?;
        Ok(())
    })
    .await?;
    tracing::info!(user_id = %user.id, ticket_id = %ticket.id, "support ticket opened");
    notify_staff(state, &mut conn, &ticket).await;
    Ok(to_dto(&ticket, None, std::slice::from_ref(&message)))
}

pub async fn list(state: &AppState, user_id: Uuid, page: PageRequest) -> ApiResult<Page<Ticket>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_for_user(&mut conn, user_id, page).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.updated_at,
            id: r.id,
        },
        |r| to_dto(r, None, &[]),
    ))
}

/// One ticket with its conversation; `owner` limits it to that customer's tickets.
pub async fn get(state: &AppState, owner: Option<Uuid>, id: Uuid) -> ApiResult<Ticket> {
    let mut conn = state.db.get().await?;
    let (row, email) = db::find_with_email(&mut conn, id)
        .await?
        .filter(|(r, _)| owner.is_none_or(|o| o == r.user_id))
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    let messages = db::messages(&mut conn, id).await?;
    Ok(to_dto(&row, owner.is_none().then_some(email), &messages))
}

/// Adds a message. A customer's reply (re)opens the ticket; staff's marks it answered and
/// e-mails the customer. Staff cannot write on a closed ticket.
pub async fn reply(
    state: &AppState,
    author: Uuid,
    staff: Option<&Actor>,
    id: Uuid,
    req: TicketReply,
) -> ApiResult<Ticket> {
    let mut v = Validator::new();
    let body = text(&mut v, "body", &req.body, MAX_MESSAGE_CHARS);
    v.finish()?;
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    let ticket = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let ticket = db::lock(conn, id)
                .await?
                .filter(|t| staff.is_some() || t.user_id == author)
                .ok_or_else(|| ApiError::not_found("ticket"))?;
            if staff.is_some() && status_of(&ticket) == TicketStatus::Closed {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "the ticket is closed; the customer can reopen it by replying",
                ));
            }
            db::insert_message(
                conn,
                &MessageRow {
                    id: Uuid::new_v4(),
                    ticket_id: id,
                    author_id: Some(author),
                    from_staff: staff.is_some(),
                    body,
                    created_at: now,
                },
            )
            .await?;
            let status = if staff.is_some() {
                TicketStatus::Answered
            } else {
                TicketStatus::Open
            };
            db::set_status(conn, id, status.as_str(), now).await?;
            if let Some(actor) = staff {
                audit::record(
                    conn,
                    actor,
                    "support.replied",
                    "support_ticket",
                    Some(id.to_string()),
                    json!({"number": ticket.number}),
                )
                .await?;
            }
            Ok(ticket)
        })
        .await?;
    if staff.is_some() {
        if let Some(customer) = users::find(&mut conn, ticket.user_id).await? {
            let link = format!("{}/support/{}", state.config.public_url, ticket.id);
            state
                .mailer
                .send_or_log(&render(
                    &Template::SupportReply {
                        number: &ticket.number,
                        subject: &ticket.subject,
                        link: &link,
                    },
                    customer.locale(),
                    &customer.email,
                ))
                .await;
        }
    } else {
        notify_staff(state, &mut conn, &ticket).await;
    }
    get(state, staff.is_none().then_some(author), id).await
}

/// Closes a ticket (its customer or staff).
pub async fn close(
    state: &AppState,
    author: Uuid,
    staff: Option<&Actor>,
    id: Uuid,
) -> ApiResult<Ticket> {
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let ticket = db::lock(conn, id)
            .await?
            .filter(|t| staff.is_some() || t.user_id == author)
            .ok_or_else(|| ApiError::not_found("ticket"))?;
        if status_of(&ticket) != TicketStatus::Closed {
            db::set_status(conn, id, TicketStatus::Closed.as_str(), now).await?;
            if let Some(actor) = staff {
                audit::record(
                    conn,
                    actor,
                    "support.closed",
                    "support_ticket",
                    Some(id.to_string()),
                    json!({"number": ticket.number}),
                )
                .await?;
            }
        }
        Ok(())
    })
    .await?;
    get(state, staff.is_none().then_some(author), id).await
}

/// The administrators' queue of tickets in one status, longest waiting first.
pub async fn queue(
    state: &AppState,
    status: TicketStatus,
    page: PageRequest,
) -> ApiResult<Page<Ticket>> {
    let mut conn = state.db.get().await?;
    let rows = db::queue(&mut conn, status.as_str(), page).await?;
    Ok(page.page(
        rows,
        |(r, _)| Cursor {
            created_at: r.updated_at,
            id: r.id,
        },
        |(r, email)| to_dto(r, Some(email.clone()), &[]),
    ))
}
