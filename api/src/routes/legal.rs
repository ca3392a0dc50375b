//! `/v1/legal`: the retention schedule and the legal pages, public and cacheable.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::Problem;
use zimage_shared::privacy::{LegalDocument, RetentionSchedule};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/legal")
            .service(retention)
            .service(document),
    );
}

/// How long each kind of data is kept. Scheduled jobs delete by exactly these periods.
#[utoipa::path(
    operation_id = "legal_retention_get",
    tag = "legal",
    responses((status = 200, body = RetentionSchedule))
)]
#[get("/retention")]
async fn retention(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(crate::domain::retention::schedule(&state.config))
}

/// A legal page: `privacy` or `terms`. The operator's own text from `ZIMAGE_LEGAL_DIR` when
/// present, else the built-in one.
#[utoipa::path(
    operation_id = "legal_documents_get",
    tag = "legal",
    params(("name" = String, Path, description = "`privacy` or `terms`")),
    responses(
        (status = 200, body = LegalDocument),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/documents/{name}")]
async fn document(state: web::Data<AppState>, name: web::Path<String>) -> ApiResult<HttpResponse> {
    let name = name.into_inner();
    let built_in = match name.as_str() {
        "privacy" => include_str!("../../legal/privacy.md"),
        "terms" => include_str!("../../legal/terms.md"),
        _ => return Err(ApiError::not_found("legal document")),
    };
    let custom = match &state.config.legal_dir {
        Some(dir) => tokio::fs::read_to_string(dir.join(format!("{name}.md")))
            .await
            .ok(),
        None => None,
    };
    let markdown = custom.as_deref().unwrap_or(built_in);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(render(&name, markdown)))
}

/// Markdown to HTML with any raw HTML shown as text.
pub fn render(name: &str, markdown: &str) -> LegalDocument {
    use pulldown_cmark::{Event, Options, Parser, html};
    let title = markdown
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or(name)
        .trim()
        .to_string();
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    LegalDocument {
        name: name.to_string(),
        title,
        html: out,
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn raw_html_is_escaped_and_the_title_found() {
        let doc = render(
            "terms",
            "# Our terms\n\nHello <script>alert(1)</script> **world**\n",
        );
        assert_eq!(doc.title, "Our terms");
        assert!(doc.html.contains("<strong>world</strong>"));
        assert!(!doc.html.contains("<script>"));
        assert!(doc.html.contains("&lt;script&gt;"));
    }
}
