//! Keyset pagination: `?cursor=&limit=` in, `{items, next_cursor}` out.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;
use zimage_shared::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use zimage_shared::{ErrorCode, Page};

use crate::error::ApiError;

/// Query parameters of every list endpoint.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next_cursor` from the previous page.
    #[param(pattern = "^[0-9a-f]{48}$")]
    pub cursor: Option<String>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// A position in a list ordered by `(created_at DESC, id DESC)`.
///
/// Written as 48 lower-case hex digits: the microsecond timestamp (16) and the id (32). Every
/// string of that shape is a position, so a cursor a client made up pages from where it points
/// rather than failing; anything else is refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

/// Latest instant a cursor names (the end of year 9999); later ones mean the same.
const LATEST_MICROS: i64 = 253_402_300_799_999_999;

impl Cursor {
    pub fn encode(&self) -> String {
        let micros = self.created_at.timestamp_micros().clamp(0, LATEST_MICROS);
        format!("{micros:016x}{}", self.id.simple())
    }

    pub fn decode(raw: &str) -> Result<Self, ApiError> {
        let bad = || {
            ApiError::new(
                ErrorCode::InvalidQuery,
                "cursor is not valid; use next_cursor from a previous page",
            )
        };
        let well_formed =
            raw.len() == 48 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !well_formed {
            return Err(bad());
        }
        let (micros, id) = raw.split_at(16);
        let micros = u64::from_str_radix(micros, 16).map_err(|_| bad())?;
        let micros = i64::try_from(micros).unwrap_or(i64::MAX).min(LATEST_MICROS);
        Ok(Self {
            created_at: DateTime::from_timestamp_micros(micros).ok_or_else(bad)?,
            id: Uuid::try_parse(id).map_err(|_| bad())?,
        })
    }
}

/// A validated page request.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub after: Option<Cursor>,
    pub limit: u32,
}

impl PageQuery {
    pub fn parse(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(ApiError::new(
                ErrorCode::InvalidQuery,
                format!("limit must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        Ok(PageRequest {
            after: self.cursor.as_deref().map(Cursor::decode).transpose()?,
            limit,
        })
    }
}

impl PageRequest {
    /// Rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Cuts the extra row and maps the rest to DTOs.
    pub fn page<R, T>(
        &self,
        mut rows: Vec<R>,
        key: impl Fn(&R) -> Cursor,
        to_dto: impl Fn(&R) -> T,
    ) -> Page<T> {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| key(r).encode())
        } else {
            None
        };
        Page {
            items: rows.iter().map(to_dto).collect(),
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let cursor = Cursor {
            created_at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            id: Uuid::new_v4(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        for garbage in [
            "not-a-cursor",
            "",
            &cursor.encode().to_uppercase(),
            &cursor.encode()[1..],
            &format!("{}0", cursor.encode()),
        ] {
            assert!(Cursor::decode(garbage).is_err(), "{garbage:?}");
        }
    }

    #[test]
    fn any_cursor_of_the_documented_shape_is_a_position() {
        let last = Cursor::decode(&"f".repeat(48)).unwrap();
        assert_eq!(last.created_at.timestamp_micros(), LATEST_MICROS);
        let first = Cursor::decode(&"0".repeat(48)).unwrap();
        assert_eq!(
            (first.created_at.timestamp_micros(), first.id),
            (0, Uuid::nil())
        );
    }

    #[test]
    fn limit_out_of_range_is_refused() {
        let query = PageQuery {
            cursor: None,
            limit: Some(0),
        };
        assert!(query.parse().is_err());
        let query = PageQuery {
            cursor: None,
            limit: Some(101),
        };
        assert!(query.parse().is_err());
    }
}
