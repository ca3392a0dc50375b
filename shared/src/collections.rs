//! Collections (albums) of the user's images, and the gallery's search and filters.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest collection name.
pub const COLLECTION_NAME_MAX_CHARS: usize = 80;
/// Longest collection description.
pub const COLLECTION_DESCRIPTION_MAX_CHARS: usize = 500;
/// Most collections one user may keep.
pub const MAX_COLLECTIONS_PER_USER: i64 = 200;
/// Most images one collection may hold.
pub const MAX_IMAGES_PER_COLLECTION: i64 = 10_000;
/// Most images one request may add, remove or delete.
pub const MAX_IMAGES_PER_REQUEST: usize = 500;
/// Longest gallery search text.
pub const MAX_SEARCH_CHARS: usize = 200;

/// A collection of the user's images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Collection {
    pub id: uuid::Uuid,
    pub name: String,
    pub description: Option<String>,
    pub image_count: i64,
    /// The cover the owner chose, if it is still in the collection.
    pub cover_image_id: Option<uuid::Uuid>,
    /// A preview of the cover, or of the newest image when no cover is chosen; null when empty.
    pub cover_thumbnail_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /v1/collections`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateCollectionRequest {
    /// 1–80 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::line::<COLLECTION_NAME_MAX_CHARS>)
    )]
    pub name: String,
    /// Up to 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_text_block::<COLLECTION_DESCRIPTION_MAX_CHARS>)
    )]
    pub description: Option<String>,
}

/// `PATCH /v1/collections/{id}`: fields left out stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateCollectionRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::line_or_null::<COLLECTION_NAME_MAX_CHARS>)
    )]
    pub name: Option<String>,
    /// Blank clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_text_block::<COLLECTION_DESCRIPTION_MAX_CHARS>)
    )]
    pub description: Option<String>,
    /// One of the collection's images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_image_id: Option<uuid::Uuid>,
}

/// Images to add to or remove from a collection.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionImagesRequest {
    /// Your images (1–500); ids already in (or not in) the collection are skipped.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub image_ids: Vec<uuid::Uuid>,
}

/// What adding or removing images changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionImagesChanged {
    /// Images added or removed by this request.
    pub changed: i64,
    pub collection: Collection,
}

/// The shape of an image, for the gallery's filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImageShape {
    /// Wider than tall.
    Landscape,
    /// Taller than wide.
    Portrait,
    Square,
}

/// The gallery's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GallerySort {
    #[default]
    Newest,
    Oldest,
}

/// `POST /v1/collections/{id}/share`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateCollectionShareRequest {
    /// Show each image's prompt on the public page (off unless you opt in).
    #[serde(default)]
    pub include_prompts: bool,
}

/// The public link to one of your collections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionShareInfo {
    pub collection_id: uuid::Uuid,
    /// The secret part of the link; anyone holding it sees the collection.
    pub token: String,
    /// The page to send people (`{public_url}/c/{token}`).
    pub url: String,
    pub include_prompts: bool,
    /// Times the public page was opened.
    pub views: i64,
    pub created_at: DateTime<Utc>,
}

/// What anyone with a collection's link sees (`GET /v1/shared-collections/{token}`), a page of
/// its images at a time, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedCollection {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub image_count: i64,
    pub items: Vec<SharedCollectionImage>,
    /// Pass as `cursor` for the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One image of a shared collection. Its URLs work without an account for an hour or two.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedCollectionImage {
    pub width: u32,
    pub height: u32,
    pub format: crate::generation::OutputFormat,
    /// The image without metadata.
    pub url: String,
    pub thumbnail_url: String,
    /// Only when the owner chose to show prompts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    pub created_at: DateTime<Utc>,
}
