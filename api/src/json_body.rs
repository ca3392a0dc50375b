//! `Json<T>`: the request-body extractor of every JSON route, with one rule for all of them.
//!
//! actix reads the body (its `Content-Type`, size limit and syntax errors are answered by the
//! `JsonConfig` error handler in `startup`), then the value is checked here:
//!
//! - it must be an object (serde would also read a struct from an array of its fields in order);
//! - a field the request type does not have is refused, at any depth, rather than ignored
//!   (an `expires_at` sent where none is accepted must not vanish silently);
//! - a missing field or a value of the wrong type is reported in `errors` under its path
//!   (`parameters.width`), as every other validation failure is, so a form can point at it.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use zimage_shared::{ErrorCode, FieldErrors};

use crate::error::ApiError;

/// A JSON request body of type `T`, checked as described in the module documentation.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            from_value(value).map(Json).map_err(Into::into)
        })
    }
}

/// JSON Schema counts `1.0` as an integer, so every integer field takes it: numbers with no
/// fraction (and exact in a double) are read as integers before the typed fields see them.
fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() <= EXACT
            {
                // Exact: |f| ≤ 2^53 with no fraction.
                #[allow(clippy::cast_possible_truncation)]
                let whole = f as i64;
                *value = Value::from(whole);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// Reads `T` from a parsed body under the rules above.
pub fn from_value<T: DeserializeOwned>(mut value: serde_json::Value) -> Result<T, ApiError> {
    integral_floats_as_integers(&mut value);
    if !value.is_object() {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "the body must be a JSON object",
        ));
    }
    let mut unknown = Vec::new();
    let mut track = serde_path_to_error::Track::new();
    let parsed = {
        let mut note = |path: serde_ignored::Path<'_>| unknown.push(field_path(&path));
        let ignored = serde_ignored::Deserializer::new(value, &mut note);
        T::deserialize(serde_path_to_error::Deserializer::new(ignored, &mut track))
    };
    match parsed {
        Ok(_) if !unknown.is_empty() => {
            let errors: FieldErrors = unknown
                .into_iter()
                .map(|path| (path, vec!["is not a field of this request".to_string()]))
                .collect();
            Err(ApiError::validation(errors))
        }
        Ok(parsed) => Ok(parsed),
        Err(err) => Err(shape_error(&track.path().to_string(), &err.to_string())),
    }
}

/// `parameters.width`, `images[2].url`: the path as the other field errors name it.
fn field_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", field_path(parent)),
        Path::Map { parent, key } => match field_path(parent) {
            parent if parent.is_empty() => key.clone(),
            parent => format!("{parent}.{key}"),
        },
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => field_path(parent),
    }
}

/// A deserialisation failure as a 422 naming the field: serde reports a missing or unknown
/// field at the object that lacks or has it, with the field's name in backticks.
fn shape_error(at: &str, message: &str) -> ApiError {
    let join = |field: &str| {
        if at.is_empty() || at == "." {
            field.to_string()
        } else {
            format!("{at}.{field}")
        }
    };
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(join)
    };
    let (field, text) = if let Some(field) = named("missing field `") {
        (field, "is required".to_string())
    } else if let Some(field) = named("unknown field `") {
        (field, "is not a field of this request".to_string())
    } else {
        let field = if at.is_empty() || at == "." {
            "body".to_string()
        } else {
            at.to_string()
        };
        (field, message.to_string())
    };
    ApiError::validation(FieldErrors::from([(field, vec![text])]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        width: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        prompt: String,
        #[serde(default)]
        parameters: Option<Inner>,
        #[serde(default)]
        tags: Vec<String>,
    }

    fn errors(value: serde_json::Value) -> FieldErrors {
        let err = from_value::<Outer>(value).expect_err("refused");
        assert_eq!(err.code(), ErrorCode::ValidationFailed);
        err.problem(None).errors.unwrap_or_default()
    }

    #[test]
    fn shape_errors_name_their_field() {
        let e = errors(serde_json::json!({}));
        assert_eq!(e["prompt"], ["is required"]);
        let e = errors(serde_json::json!({"prompt": 5}));
        assert!(e["prompt"][0].contains("expected a string"), "{e:?}");
        let e = errors(serde_json::json!({"prompt": "a", "parameters": {"width": "x"}}));
        assert!(e.contains_key("parameters.width"), "{e:?}");
        let e = errors(serde_json::json!({"prompt": "a", "parameters": {}}));
        assert_eq!(e["parameters.width"], ["is required"]);
        let e = errors(serde_json::json!({"prompt": "a", "tags": ["x", 3]}));
        assert!(e.contains_key("tags[1]"), "{e:?}");
    }

    #[test]
    fn unknown_fields_are_refused_at_any_depth() {
        let e = errors(serde_json::json!({"prompt": "a", "expires_at": "2030-01-01"}));
        assert_eq!(e["expires_at"], ["is not a field of this request"]);
        let e = errors(serde_json::json!({"prompt": "a", "parameters": {"width": 1, "hieght": 2}}));
        assert_eq!(e["parameters.hieght"], ["is not a field of this request"]);
    }

    #[test]
    fn only_objects_are_bodies() {
        let err = from_value::<Outer>(serde_json::json!(["a", null])).expect_err("refused");
        assert_eq!(err.code(), ErrorCode::ValidationFailed);
        assert!(from_value::<Outer>(serde_json::json!({"prompt": "a"})).is_ok());
    }

    #[test]
    fn integral_numbers_written_with_a_fraction_are_integers() {
        // JSON Schema's `integer` includes 1.0; a fraction is still refused.
        let parsed: Outer =
            from_value(serde_json::json!({"prompt": "a", "parameters": {"width": 512.0}}))
                .expect("512.0 is an integer");
        assert_eq!(parsed.parameters.map(|p| p.width), Some(512));
        let e = errors(serde_json::json!({"prompt": "a", "parameters": {"width": 1.5}}));
        assert!(e.contains_key("parameters.width"), "{e:?}");
    }
}
