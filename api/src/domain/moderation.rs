//! Prompt moderation: refuse matching prompts before any credits are held.

use diesel_async::AsyncConnection;
use regex::{Regex, RegexBuilder};
use uuid::Uuid;
use zimage_shared::ErrorCode;
use zimage_shared::generation::{CreateModerationRule, ModerationKind, ModerationRule};

use crate::db::moderation::{self as db, RuleRow};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Compiled size limit for administrator regexes (guards against pathological patterns).
const REGEX_SIZE_LIMIT: usize = 256 * 1024;

fn compile(kind: ModerationKind, pattern: &str) -> Result<Regex, regex::Error> {
    let source = match kind {
        ModerationKind::Term => format!(r"\b{}\b", regex::escape(pattern.trim())),
        ModerationKind::Regex => pattern.to_string(),
    };
    RegexBuilder::new(&source)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

fn kind_of(row: &RuleRow) -> ModerationKind {
    if row.kind == "regex" {
        ModerationKind::Regex
    } else {
        ModerationKind::Term
    }
}

fn dto(row: &RuleRow) -> ModerationRule {
    ModerationRule {
        id: row.id,
        kind: kind_of(row),
        pattern: row.pattern.clone(),
        created_at: row.created_at,
    }
}

/// Refuses (422 `prompt_rejected`) and records a prompt that matches any rule.
/// Runs on the caller's connection: taking a second one while the caller holds its own could
/// exhaust the pool under load.
pub async fn check(
    conn: &mut diesel_async::AsyncPgConnection,
    user_id: Uuid,
    texts: &[&str],
) -> ApiResult<()> {
    for rule in db::list_rules(conn).await? {
        let Ok(regex) = compile(kind_of(&rule), &rule.pattern) else {
            continue;
        };
        if texts.iter().any(|t| regex.is_match(t)) {
            db::record_event(conn, user_id, rule.id, &texts.join("\n")).await?;
            tracing::info!(user_id = %user_id, rule_id = %rule.id, "prompt refused by moderation");
            return Err(ApiError::new(
                ErrorCode::PromptRejected,
                "this prompt is not allowed on this service; nothing was charged",
            ));
        }
    }
    Ok(())
}

pub async fn list(state: &AppState) -> ApiResult<Vec<ModerationRule>> {
    let mut conn = state.db.get().await?;
    Ok(db::list_rules(&mut conn).await?.iter().map(dto).collect())
}

pub async fn create(
    state: &AppState,
    admin: &crate::domain::audit::Actor,
    req: CreateModerationRule,
) -> ApiResult<ModerationRule> {
    let pattern = req.pattern.trim();
    if pattern.is_empty() || pattern.chars().count() > 500 {
        return Err(ApiError::field("pattern", "must be 1 to 500 characters"));
    }
    compile(req.kind, pattern)
        .map_err(|e| ApiError::field("pattern", format!("is not a valid pattern: {e}")))?;
    let kind = match req.kind {
        ModerationKind::Term => "term",
        ModerationKind::Regex => "regex",
    };
    let mut conn = state.db.get().await?;
    let row = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let row = db::insert_rule(conn, kind, pattern, admin.id).await?;
            crate::domain::audit::record(
                conn,
                admin,
                "moderation_rule.created",
                "moderation_rule",
                Some(row.id.to_string()),
                serde_json::json!({"kind": kind, "pattern": pattern}),
            )
            .await?;
            Ok(row)
        })
        .await?;
    tracing::info!(admin_id = %admin.id, rule_id = %row.id, "moderation rule added");
    Ok(dto(&row))
}

pub async fn delete(
    state: &AppState,
    admin: &crate::domain::audit::Actor,
    id: Uuid,
) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if !db::delete_rule(conn, id).await? {
            return Err(ApiError::not_found("moderation rule"));
        }
        crate::domain::audit::record(
            conn,
            admin,
            "moderation_rule.deleted",
            "moderation_rule",
            Some(id.to_string()),
            serde_json::json!({}),
        )
        .await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_match_whole_words_case_insensitively() {
        let re = compile(ModerationKind::Term, "gore").unwrap();
        assert!(re.is_match("Some GORE here"));
        assert!(!re.is_match("gorgeous gorez"));
        let dotted = compile(ModerationKind::Term, "a.b").unwrap();
        assert!(!dotted.is_match("axb"), "terms are literal");
        assert!(compile(ModerationKind::Regex, "(unclosed").is_err());
    }
}
