//! Queries on support tickets and their messages.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{support_messages, support_tickets, users};
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = support_tickets, check_for_backend(diesel::pg::Pg))]
pub struct TicketRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub number: String,
    pub subject: String,
    pub status: String,
    pub task_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = support_messages, check_for_backend(diesel::pg::Pg))]
pub struct MessageRow {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub author_id: Option<Uuid>,
    pub from_staff: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_ticket(conn: &mut AsyncPgConnection, row: &TicketRow) -> QueryResult<()> {
    diesel::insert_into(support_tickets::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn insert_message(conn: &mut AsyncPgConnection, row: &MessageRow) -> QueryResult<()> {
    diesel::insert_into(support_messages::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn count_open(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<i64> {
    support_tickets::table
        .filter(support_tickets::user_id.eq(user_id))
        .filter(support_tickets::status.ne("closed"))
        .count()
        .get_result(conn)
        .await
}

/// Locks a ticket for the rest of the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<TicketRow>> {
    support_tickets::table
        .find(id)
        .select(TicketRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// A ticket and its customer's e-mail address.
pub async fn find_with_email(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(TicketRow, String)>> {
    support_tickets::table
        .inner_join(users::table)
        .filter(support_tickets::id.eq(id))
        .select((TicketRow::as_select(), users::email))
        .first(conn)
        .await
        .optional()
}

pub async fn messages(
    conn: &mut AsyncPgConnection,
    ticket_id: Uuid,
) -> QueryResult<Vec<MessageRow>> {
    support_messages::table
        .filter(support_messages::ticket_id.eq(ticket_id))
        .select(MessageRow::as_select())
        .order((
            support_messages::created_at.asc(),
            support_messages::id.asc(),
        ))
        .load(conn)
        .await
}

pub async fn set_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(support_tickets::table.find(id))
        .set((
            support_tickets::status.eq(status),
            support_tickets::updated_at.eq(now),
            support_tickets::closed_at.eq((status == "closed").then_some(now)),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The user's tickets, most recently active first.
pub async fn list_for_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<TicketRow>> {
    let mut query = support_tickets::table
        .filter(support_tickets::user_id.eq(user_id))
        .select(TicketRow::as_select())
        .order((
            support_tickets::updated_at.desc(),
            support_tickets::id.desc(),
        ))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            support_tickets::updated_at
                .lt(after.created_at)
                .or(support_tickets::updated_at
                    .eq(after.created_at)
                    .and(support_tickets::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// The support queue: tickets in `status`, longest waiting first.
pub async fn queue(
    conn: &mut AsyncPgConnection,
    status: &str,
    page: PageRequest,
) -> QueryResult<Vec<(TicketRow, String)>> {
    let mut query = support_tickets::table
        .inner_join(users::table)
        .filter(support_tickets::status.eq(status))
        .select((TicketRow::as_select(), users::email))
        .order((support_tickets::updated_at.asc(), support_tickets::id.asc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            support_tickets::updated_at
                .gt(after.created_at)
                .or(support_tickets::updated_at
                    .eq(after.created_at)
                    .and(support_tickets::id.gt(after.id))),
        );
    }
    query.load(conn).await
}

/// Where support notices go when no address is configured: every administrator.
pub async fn admin_emails(conn: &mut AsyncPgConnection) -> QueryResult<Vec<(String, String)>> {
    users::table
        .filter(users::role.eq("admin"))
        .filter(users::disabled_at.is_null())
        .select((users::email, users::locale))
        .load(conn)
        .await
}
