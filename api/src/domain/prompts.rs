//! The prompt library: save, list, search, edit and delete prompts with their settings.

use chrono::Utc;
use uuid::Uuid;
use zimage_shared::generation::{MAX_PROMPT_CHARS, MAX_SEED};
use zimage_shared::prompts::{
    CreatePromptRequest, MAX_TITLE_CHARS, PromptParameters, SavedPrompt, UpdatePromptRequest,
};
use zimage_shared::{ErrorCode, Page, validate};

use crate::db::prompts::{self as db, PromptChanges, PromptRow};
use crate::error::{ApiError, ApiResult, Validator};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;

/// Most prompts one user may keep.
pub const MAX_PROMPTS_PER_USER: i64 = 500;

/// Longest search term.
pub const MAX_SEARCH_CHARS: usize = 100;

/// Widest bounds for sizes when no model is named (a named model's own limits apply otherwise).
const SIDE_BOUNDS: (u32, u32) = (64, 4096);

fn dto(row: &PromptRow) -> SavedPrompt {
    SavedPrompt {
        id: row.id,
        title: row.title.clone(),
        prompt: row.prompt.clone(),
        negative_prompt: row.negative_prompt.clone(),
        parameters: serde_json::from_value(row.parameters.clone()).unwrap_or_default(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// A title: one line.
fn title(v: &mut Validator, raw: &str) -> String {
    v.check("title", validate::required_text(raw, MAX_TITLE_CHARS))
        .unwrap_or_default()
}

/// A prompt: may span lines.
fn prompt(v: &mut Validator, raw: &str) -> String {
    v.check(
        "prompt",
        validate::required_multiline(raw, MAX_PROMPT_CHARS),
    )
    .unwrap_or_default()
}

fn negative(v: &mut Validator, raw: Option<&str>) -> Option<String> {
    v.check(
        "negative_prompt",
        validate::optional_multiline(raw, MAX_PROMPT_CHARS),
    )
    .flatten()
}

/// Checks saved settings against the model they name (or general bounds without one).
fn check_parameters(state: &AppState, v: &mut Validator, p: &PromptParameters) {
    let model = match p.model.as_deref() {
        Some(id) => match state.models.find(id) {
            Some(model) => Some(&model.info),
            None => {
                v.add("parameters.model", "is not a model from GET /v1/models");
                None
            }
        },
        None => None,
    };
    let (min, max) = model.map_or(SIDE_BOUNDS, |m| (m.min_side, m.max_side));
    let max_images = model.map_or(16, |m| m.max_images);
    if p.seed.is_some_and(|s| !(0..=MAX_SEED).contains(&s)) {
        v.add(
            "parameters.seed",
            format!("must be between 0 and {MAX_SEED}"),
        );
    }
    if p.num_images.is_some_and(|n| n == 0 || n > max_images) {
        v.add(
            "parameters.num_images",
            format!("must be between 1 and {max_images}"),
        );
    }
    match (p.aspect_ratio, p.width, p.height) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => v.add(
            "parameters.aspect_ratio",
            "give an aspect ratio or a width and height, not both",
        ),
        (None, Some(_), None) | (None, None, Some(_)) => {
            v.add("parameters.width", "give both width and height")
        }
        (Some(ratio), None, None) => {
            if model.is_some_and(|m| !m.aspect_ratios.contains(&ratio)) {
                v.add("parameters.aspect_ratio", "is not offered by this model");
            }
        }
        (None, Some(w), Some(h)) => {
            for (field, side) in [("parameters.width", w), ("parameters.height", h)] {
                if !(min..=max).contains(&side) || side % 8 != 0 {
                    v.add(
                        field,
                        format!("must be a multiple of 8 from {min} to {max}"),
                    );
                }
            }
        }
        (None, None, None) => {}
    }
}

fn to_json(p: &PromptParameters) -> ApiResult<serde_json::Value> {
    serde_json::to_value(p).map_err(ApiError::internal)
}

pub async fn create(
    state: &AppState,
    user_id: Uuid,
    req: &CreatePromptRequest,
) -> ApiResult<SavedPrompt> {
    let mut v = Validator::new();
    let title = title(&mut v, &req.title);
    let prompt = prompt(&mut v, &req.prompt);
    let negative_prompt = negative(&mut v, req.negative_prompt.as_deref());
    check_parameters(state, &mut v, &req.parameters);
    v.finish()?;
    let mut conn = state.db.get().await?;
    if db::count(&mut conn, user_id).await? >= MAX_PROMPTS_PER_USER {
        return Err(ApiError::new(
            ErrorCode::LimitReached,
            format!("you can keep at most {MAX_PROMPTS_PER_USER} prompts; delete some first"),
        ));
    }
    let now = Utc::now();
    let row = PromptRow {
        id: Uuid::new_v4(),
        user_id,
        title,
        prompt,
        negative_prompt,
        parameters: to_json(&req.parameters)?,
        created_at: now,
        updated_at: now,
    };
    db::insert(&mut conn, &row).await?;
    Ok(dto(&row))
}

pub async fn list(
    state: &AppState,
    user_id: Uuid,
    search: Option<&str>,
    page: PageRequest,
) -> ApiResult<Page<SavedPrompt>> {
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    if search.is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS) {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            format!("`q` must be at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    // PostgreSQL text cannot hold NUL; found by schemathesis as a 500.
    if search.is_some_and(|s| s.contains('\0')) {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "`q` cannot contain NUL characters",
        ));
    }
    let mut conn = state.db.get().await?;
    let rows = db::list(&mut conn, user_id, search, page).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        dto,
    ))
}

pub async fn get(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<SavedPrompt> {
    let mut conn = state.db.get().await?;
    db::find(&mut conn, id, user_id)
        .await?
        .map(|r| dto(&r))
        .ok_or_else(|| ApiError::not_found("prompt"))
}

pub async fn update(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
    req: &UpdatePromptRequest,
) -> ApiResult<SavedPrompt> {
    let mut v = Validator::new();
    let title = req.title.as_deref().map(|t| title(&mut v, t));
    let prompt = req.prompt.as_deref().map(|p| prompt(&mut v, p));
    let negative_prompt = req
        .negative_prompt
        .as_ref()
        .map(|n| negative(&mut v, n.as_deref()));
    if let Some(p) = &req.parameters {
        check_parameters(state, &mut v, p);
    }
    v.finish()?;
    let changes = PromptChanges {
        title,
        prompt,
        negative_prompt,
        parameters: req.parameters.as_ref().map(to_json).transpose()?,
        updated_at: Some(Utc::now()),
    };
    let mut conn = state.db.get().await?;
    db::update(&mut conn, id, user_id, &changes)
        .await?
        .map(|r| dto(&r))
        .ok_or_else(|| ApiError::not_found("prompt"))
}

pub async fn delete(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    if db::delete(&mut conn, id, user_id).await? {
        Ok(())
    } else {
        Err(ApiError::not_found("prompt"))
    }
}
