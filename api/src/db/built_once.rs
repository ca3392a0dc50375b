//! Query-builder queries whose SQL text is built once per process, not on every call.
//!
//! diesel-async builds a query's SQL text on every call, even when the statement is already
//! prepared on the connection (it needs the text before it knows). For a select of a few dozen
//! columns that is dozens of quoted identifiers, each copied through `str::replace`: about 4 % of
//! the serving process's CPU on the authenticated-read benchmark. A query type with a static
//! query id always has the same text (diesel's own statement cache relies on that: it keys
//! prepared statements by that id), so [`BuiltOnce`] builds the text the first time a query type
//! is run and afterwards copies it. Its values are still collected from the query itself on each
//! call, so they stay in step with the text. Queries without a static id, or that diesel says
//! must not be cached, are built as usual.

use diesel::QueryResult;
use diesel::pg::{Pg, PgQueryBuilder};
use diesel::query_builder::{AstPass, Query, QueryBuilder, QueryFragment, QueryId};
use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

/// A query whose SQL text is built once per query type; see the module docs.
#[must_use = "a query does nothing until it is run"]
pub struct BuiltOnce<Q>(Q);

/// Wraps query-builder queries in [`BuiltOnce`].
pub trait BuildOnce: Sized {
    /// This query, with its SQL text built once per process.
    fn built_once(self) -> BuiltOnce<Self> {
        BuiltOnce(self)
    }
}

impl<Q: Query> BuildOnce for Q {}

/// Texts built so far, by query type (one per query written in the code, so it stays small).
static TEXTS: LazyLock<RwLock<HashMap<TypeId, &'static str>>> = LazyLock::new(Default::default);

impl<Q: QueryFragment<Pg> + QueryId> BuiltOnce<Q> {
    /// The stored text of this query type, building it the first time; `None` when it must be
    /// built on every call.
    fn text(&self) -> QueryResult<Option<&'static str>> {
        let Some(id) = Q::query_id() else {
            return Ok(None);
        };
        if !self.0.is_safe_to_cache_prepared(&Pg)? {
            return Ok(None);
        }
        if let Some(text) = TEXTS.read().unwrap_or_else(|p| p.into_inner()).get(&id) {
            return Ok(Some(text));
        }
        let mut builder = PgQueryBuilder::default();
        self.0.to_sql(&mut builder, &Pg)?;
        let mut texts = TEXTS.write().unwrap_or_else(|p| p.into_inner());
        // Built at most a few times per query type (threads racing on the first call).
        let text = *texts
            .entry(id)
            .or_insert_with(|| Box::leak(builder.finish().into_boxed_str()));
        Ok(Some(text))
    }
}

impl<Q: QueryFragment<Pg> + QueryId> QueryFragment<Pg> for BuiltOnce<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    // Overriding the text builder is diesel API behind the opted-in feature
    // `i-implement-a-third-party-backend-and-opt-into-breaking-changes` (see api/Cargo.toml).
    fn to_sql(&self, out: &mut PgQueryBuilder, backend: &Pg) -> QueryResult<()> {
        match self.text()? {
            Some(text) => {
                out.push_sql(text);
                Ok(())
            }
            None => self.0.to_sql(out, backend),
        }
    }
}

impl<Q: QueryId> QueryId for BuiltOnce<Q> {
    type QueryId = Q::QueryId;
    const HAS_STATIC_QUERY_ID: bool = Q::HAS_STATIC_QUERY_ID;
}

impl<Q: Query> Query for BuiltOnce<Q> {
    type SqlType = Q::SqlType;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::schema::{ai_tasks, images};
    use diesel::prelude::*;
    use uuid::Uuid;

    fn sql_of(query: &impl QueryFragment<Pg>) -> String {
        let mut builder = PgQueryBuilder::default();
        query.to_sql(&mut builder, &Pg).unwrap();
        builder.finish()
    }

    #[test]
    fn the_text_is_the_query_builders_and_the_values_are_each_calls() {
        let query = |id: Uuid, limit: i64| {
            images::table
                .filter(images::task_id.eq(id))
                .select((images::id, images::position))
                .limit(limit)
                .built_once()
        };
        let (a, b) = (query(Uuid::nil(), 1), query(Uuid::max(), 7));
        assert_eq!(sql_of(&a), sql_of(&a.0), "the text diesel would build");
        assert_eq!(sql_of(&b), sql_of(&a), "one text for the query type");
        let shown = diesel::debug_query::<Pg, _>(&b).to_string();
        assert!(
            shown.ends_with(&format!("-- binds: [{}, 7]", Uuid::max())),
            "{shown}"
        );
    }

    #[test]
    fn a_query_without_a_static_id_is_built_each_time() {
        let boxed = |status: &'static str| {
            let mut query = ai_tasks::table.select(ai_tasks::id).into_boxed::<Pg>();
            if status == "any" {
                query = query.filter(ai_tasks::status.ne("none"));
            }
            query.built_once()
        };
        assert_ne!(sql_of(&boxed("any")), sql_of(&boxed("queued")));
    }
}
