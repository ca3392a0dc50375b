//! Request fields read as JSON Schema describes them (`#[serde(deserialize_with = …)]`; the
//! `optional_` forms with `#[serde(default)]` for `Option`s).
//!
//! - Integers: `1024` and `1024.0` are the same integer, and some JSON writers (Python's for
//!   floats, spreadsheets) send the second. Both are read; a fraction, or a value outside the
//!   field's range, is refused.
//! - Nested objects: serde would also read a struct from an array of its fields in order, which
//!   the document does not allow; only a JSON object is read. (Whole bodies are checked by the
//!   API's `json_objects` middleware.)

use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer};

fn to_integer<T: TryFrom<i128>, E: Error>(n: &serde_json::Number) -> Result<T, E> {
    let value = if let Some(i) = n.as_i64() {
        i128::from(i)
    } else if let Some(u) = n.as_u64() {
        i128::from(u)
    } else {
        let f = n.as_f64().unwrap_or(f64::NAN);
        // Beyond ±2^64 nothing fits any of our fields; the bound also keeps the cast exact.
        if f.fract() != 0.0 || !f.is_finite() || f.abs() > 1.8e19 {
            return Err(E::custom(format!("expected an integer, found {n}")));
        }
        f as i128
    };
    T::try_from(value).map_err(|_| E::custom(format!("{n} is out of range")))
}

/// A required integer field.
pub fn integer<'de, D: Deserializer<'de>, T: TryFrom<i128>>(de: D) -> Result<T, D::Error> {
    to_integer(&serde_json::Number::deserialize(de)?)
}

/// An optional integer field (`null` or absent is `None`).
pub fn optional_integer<'de, D: Deserializer<'de>, T: TryFrom<i128>>(
    de: D,
) -> Result<Option<T>, D::Error> {
    Option::<serde_json::Number>::deserialize(de)?
        .map(|n| to_integer(&n))
        .transpose()
}

fn from_object<T: DeserializeOwned, E: Error>(
    map: serde_json::Map<String, serde_json::Value>,
) -> Result<T, E> {
    T::deserialize(serde_json::Value::Object(map)).map_err(E::custom)
}

/// A nested object field.
pub fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(de: D) -> Result<T, D::Error> {
    from_object(serde_json::Map::deserialize(de)?)
}

/// An optional nested object field (`null` or absent is `None`).
pub fn optional_object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    de: D,
) -> Result<Option<T>, D::Error> {
    Option::<serde_json::Map<String, serde_json::Value>>::deserialize(de)?
        .map(from_object)
        .transpose()
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Inner {
        #[serde(default)]
        a: Option<u8>,
        #[serde(default)]
        b: Option<u8>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::integer")]
        count: u32,
        #[serde(default, deserialize_with = "super::optional_integer")]
        seed: Option<i64>,
        #[serde(default, deserialize_with = "super::optional_object")]
        inner: Option<Inner>,
    }

    #[test]
    fn nested_objects_must_be_objects() {
        let body = read(r#"{"count": 1, "inner": {"a": 1}}"#).unwrap();
        assert_eq!(
            body.inner,
            Some(Inner {
                a: Some(1),
                b: None
            })
        );
        assert_eq!(read(r#"{"count": 1, "inner": null}"#).unwrap().inner, None);
        assert!(read(r#"{"count": 1, "inner": [1, 2]}"#).is_err());
        assert!(read(r#"{"count": 1, "inner": {"a": "x"}}"#).is_err());
    }

    fn read(json: &str) -> Result<Body, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn whole_numbers_are_read_however_written() {
        let body = read(r#"{"count": 4.0, "seed": 1138688.0}"#).unwrap();
        assert_eq!((body.count, body.seed), (4, Some(1_138_688)));
        let body = read(r#"{"count": 4, "seed": null}"#).unwrap();
        assert_eq!((body.count, body.seed), (4, None));
        assert_eq!(read(r#"{"count": 1e2}"#).unwrap().count, 100);
    }

    #[test]
    fn fractions_and_out_of_range_values_are_refused() {
        for bad in [
            r#"{"count": 4.5}"#,
            r#"{"count": -1}"#,
            r#"{"count": 4294967296}"#,
            r#"{"count": 1e300}"#,
            r#"{"count": "4"}"#,
            r#"{"count": 1, "seed": 0.1}"#,
            r#"{"count": 1, "seed": 9223372036854775808}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
