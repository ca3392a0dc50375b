//! Raw SQL that each connection prepares once and then reuses.
//!
//! Diesel never caches `sql_query` statements (their text could be built at run time), so every
//! call parses and plans its SQL again: two round trips (prepare, then execute) and, for the
//! claim of a job, half a millisecond of planning in PostgreSQL. Fixed texts that run often (the
//! job queue and its completion, pending objects, live-stream reads, the webhook sender) use
//! [`prepared`] instead: the same `.bind` calls, and diesel's per-connection statement cache,
//! keyed by the text and the bind types. Text built at run time stays with `sql_query`.

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::Error;
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use std::marker::PhantomData;

/// A fixed SQL text with `$1`, `$2`, … placeholders and the values bound to them, in order.
#[must_use = "a statement does nothing until it is run"]
pub struct Prepared<B = ()> {
    sql: &'static str,
    binds: B,
}

/// Starts a statement over `sql`; add its values with [`Prepared::bind`].
pub fn prepared(sql: &'static str) -> Prepared {
    Prepared { sql, binds: () }
}

impl<B: Binds> Prepared<B> {
    /// Binds the next placeholder (`$1` first) to `value`, sent as SQL type `ST`.
    pub fn bind<ST, V>(self, value: V) -> Prepared<(B, Bound<ST, V>)> {
        Prepared {
            sql: self.sql,
            binds: (
                self.binds,
                Bound {
                    value,
                    sql_type: PhantomData,
                },
            ),
        }
    }
}

/// One bound value and its SQL type.
pub struct Bound<ST, V> {
    value: V,
    sql_type: PhantomData<fn() -> ST>,
}

/// The values of a statement, as a list built by [`Prepared::bind`].
pub trait Binds {
    /// How many values are bound.
    const LEN: usize;

    /// Passes value `index` (from 0) to the query builder.
    fn push<'b>(&'b self, index: usize, out: AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

impl Binds for () {
    const LEN: usize = 0;

    fn push<'b>(&'b self, index: usize, _: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        Err(Error::QueryBuilderError(
            format!("placeholder ${} has no bound value", index + 1).into(),
        ))
    }
}

impl<B, ST, V> Binds for (B, Bound<ST, V>)
where
    B: Binds,
    Pg: HasSqlType<ST>,
    V: ToSql<ST, Pg>,
{
    const LEN: usize = B::LEN + 1;

    fn push<'b>(&'b self, index: usize, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if index == B::LEN {
            out.push_bind_param::<ST, V>(&self.1.value)
        } else {
            self.0.push(index, out)
        }
    }
}

impl<B: Binds> QueryFragment<Pg> for Prepared<B> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // Diesel numbers placeholders itself, in the order values are pushed; pushing each
        // value where its `$n` stands keeps text and values in step.
        let mut rest = self.sql;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let after = &rest[at + 1..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let number: usize = after[..digits].parse().map_err(|_| {
                Error::QueryBuilderError(
                    "a `$` in a prepared statement must start a placeholder".into(),
                )
            })?;
            let index = number.checked_sub(1).ok_or_else(|| {
                Error::QueryBuilderError("placeholders are numbered from $1".into())
            })?;
            self.binds.push(index, out.reborrow())?;
            rest = &after[digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

impl<B> QueryId for Prepared<B> {
    type QueryId = ();
    // Not known from the type: diesel then keys its statement cache by the text and bind types.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<B> Query for Prepared<B> {
    type SqlType = Untyped;
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::sql_types::{Integer, Text};

    #[test]
    fn values_follow_their_placeholders_in_any_order_and_repeated() {
        let query = prepared("SELECT $2, $1, $2")
            .bind::<Integer, _>(7)
            .bind::<Text, _>("a");
        let shown = diesel::debug_query::<Pg, _>(&query).to_string();
        assert_eq!(shown, r#"SELECT $1, $2, $3 -- binds: ["a", 7, "a"]"#);
    }

    #[test]
    fn a_placeholder_without_a_value_or_a_stray_dollar_is_an_error() {
        for query in [
            prepared("SELECT $2").bind::<Integer, _>(1),
            prepared("SELECT $0").bind::<Integer, _>(1),
            prepared("SELECT '$'").bind::<Integer, _>(1),
        ] {
            let mut sql = diesel::pg::PgQueryBuilder::default();
            let built = QueryFragment::<Pg>::to_sql(&query, &mut sql, &Pg);
            assert!(
                matches!(built, Err(Error::QueryBuilderError(_))),
                "{built:?}"
            );
        }
    }

    #[test]
    fn fixed_text_is_cacheable_unlike_sql_query() {
        let query = prepared("SELECT $1").bind::<Integer, _>(1);
        assert!(QueryFragment::<Pg>::is_safe_to_cache_prepared(&query, &Pg).unwrap());
        let raw = diesel::sql_query("SELECT $1").bind::<Integer, _>(1);
        assert!(!QueryFragment::<Pg>::is_safe_to_cache_prepared(&raw, &Pg).unwrap());
    }
}
