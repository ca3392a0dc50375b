//! Cursor pagination envelope used by every list endpoint.

use serde::{Deserialize, Serialize};

/// One page of a list, newest first. Pass `next_cursor` back as `?cursor=` for the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// Opaque cursor for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Default number of items per page.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Largest `limit` a client may ask for.
pub const MAX_PAGE_SIZE: u32 = 100;
