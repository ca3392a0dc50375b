//! Prompt moderation: refuse matching prompts before any credits are held.

use diesel_async::AsyncConnection;
use regex::{Regex, RegexBuilder};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;
use zimage_shared::ErrorCode;
use zimage_shared::generation::{CreateModerationRule, ModerationKind, ModerationRule};

use crate::db::moderation::{self as db, RuleRow};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Compiled size limit for administrator regexes (guards against pathological patterns).
const REGEX_SIZE_LIMIT: usize = 256 * 1024;

/// How long a process trusts its compiled copy of the rules. A rule added or removed takes effect
/// at once on the replica that changed it, and on the others within this time; in exchange a
/// submission neither reads the rules nor compiles them.
const RULES_FRESH_FOR: Duration = Duration::from_secs(5);

type Compiled = Arc<Vec<(Uuid, Regex)>>;

/// This process's compiled rules, as last read.
#[derive(Default)]
pub struct RuleCache(Mutex<CacheState>);

#[derive(Default)]
struct CacheState {
    /// Bumped by every change made here, so a read that raced a change is not kept.
    generation: u64,
    rules: Option<(Instant, Compiled)>,
}

impl RuleCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The rules if read recently, else the generation to read them under.
    fn fresh(&self) -> Result<Compiled, u64> {
        let state = self.lock();
        match &state.rules {
            Some((at, rules)) if at.elapsed() < RULES_FRESH_FOR => Ok(rules.clone()),
            _ => Err(state.generation),
        }
    }

    fn keep(&self, generation: u64, rules: Compiled) {
        let mut state = self.lock();
        if state.generation == generation {
            state.rules = Some((Instant::now(), rules));
        }
    }

    /// A rule changed here: read them again next time.
    fn forget(&self) {
        let mut state = self.lock();
        state.generation += 1;
        state.rules = None;
    }
}

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
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    user_id: Uuid,
    texts: &[&str],
) -> ApiResult<()> {
    let rules = match state.moderation.fresh() {
        Ok(rules) => rules,
        Err(generation) => {
            let compiled: Compiled = Arc::new(
                db::list_rules(conn)
                    .await?
                    .iter()
                    .filter_map(|rule| Some((rule.id, compile(kind_of(rule), &rule.pattern).ok()?)))
                    .collect(),
            );
            state.moderation.keep(generation, compiled.clone());
            compiled
        }
    };
    for (rule_id, regex) in rules.iter() {
        if texts.iter().any(|t| regex.is_match(t)) {
            db::record_event(conn, user_id, *rule_id, &texts.join("\n")).await?;
            tracing::info!(user_id = %user_id, rule_id = %rule_id, "prompt refused by moderation");
            return Err(ApiError::new(
                ErrorCode::PromptRejected,
                "this prompt is not allowed on this service; nothing was charged",
            ));
        }
    }
    Ok(())
}

pub async fn list(
    state: &AppState,
    page: crate::pagination::PageRequest,
) -> ApiResult<zimage_shared::Page<ModerationRule>> {
    let mut conn = state.db.get().await?;
    let rows = db::rules_page(&mut conn, page).await?;
    Ok(page.page(
        rows,
        |r| crate::pagination::Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        dto,
    ))
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
    state.moderation.forget();
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
    .await?;
    state.moderation.forget();
    Ok(())
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
