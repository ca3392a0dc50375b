//! Input rules both the API (authoritative) and the web client (early feedback) apply.

/// Shortest password accepted.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Longest password accepted (bounds hashing cost).
pub const PASSWORD_MAX_CHARS: usize = 128;
/// Longest e-mail address (RFC 5321 path limit).
pub const EMAIL_MAX_CHARS: usize = 254;
/// Longest display name.
pub const DISPLAY_NAME_MAX_CHARS: usize = 80;
/// Longest organisation name.
pub const ORGANIZATION_MAX_CHARS: usize = 120;
/// Longest avatar URL.
pub const AVATAR_URL_MAX_CHARS: usize = 2048;
/// Longest API key name.
pub const API_KEY_NAME_MAX_CHARS: usize = 64;

/// Why a value was refused. The API sends `message()`; the web client translates the variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    Required,
    EmailFormat,
    TooLong(usize),
    PasswordTooShort,
    PasswordTooLong,
    PasswordIsEmail,
    PasswordCommon,
    UrlNotHttps,
    ControlCharacters,
    MustAcceptTerms,
    MustConfirmAge,
    UnknownLocale,
}

impl Invalid {
    /// English message for API responses.
    pub fn message(self) -> String {
        match self {
            Self::Required => "is required".into(),
            Self::EmailFormat => "must be a valid e-mail address".into(),
            Self::TooLong(max) => format!("must be at most {max} characters"),
            Self::PasswordTooShort => {
                format!("must be at least {PASSWORD_MIN_CHARS} characters")
            }
            Self::PasswordTooLong => format!("must be at most {PASSWORD_MAX_CHARS} characters"),
            Self::PasswordIsEmail => "must not be your e-mail address".into(),
            Self::PasswordCommon => "is too common; choose a less guessable password".into(),
            Self::UrlNotHttps => "must be an https:// URL".into(),
            Self::ControlCharacters => "must not contain control characters".into(),
            Self::MustAcceptTerms => "the terms of service must be accepted".into(),
            Self::MustConfirmAge => "you must be at least 13 years old to sign up".into(),
            Self::UnknownLocale => "must be one of: en, zh-CN".into(),
        }
    }
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Trims and lower-cases an e-mail address and checks its shape.
pub fn normalize_email(raw: &str) -> Result<String, Invalid> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(Invalid::Required);
    }
    if char_len(&email) > EMAIL_MAX_CHARS {
        return Err(Invalid::TooLong(EMAIL_MAX_CHARS));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(Invalid::EmailFormat);
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    let local_ok = !local.is_empty()
        && char_len(local) <= 64
        && !local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '@');
    if domain_ok && local_ok {
        Ok(email)
    } else {
        Err(Invalid::EmailFormat)
    }
}

/// Checks the password rules that need no word list (length, not the e-mail).
pub fn check_password_shape(password: &str, email: &str) -> Result<(), Invalid> {
    let len = char_len(password);
    if len < PASSWORD_MIN_CHARS {
        return Err(Invalid::PasswordTooShort);
    }
    if len > PASSWORD_MAX_CHARS {
        return Err(Invalid::PasswordTooLong);
    }
    let lowered = password.trim().to_lowercase();
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if !email.is_empty() && (lowered == email || (local.len() >= 4 && lowered == local)) {
        return Err(Invalid::PasswordIsEmail);
    }
    Ok(())
}

/// A control character free text may hold: a tab or line feed, or a carriage return that starts
/// a `\r\n` line break.
fn allowed_in_multiline(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let fine = !c.is_control()
            || matches!(c, '\n' | '\t')
            || (c == '\r' && chars.peek() == Some(&'\n'));
        if !fine {
            return false;
        }
    }
    true
}

/// Optional single-line text: at most `max` characters as sent, no control characters; trimmed,
/// and blank becomes `None`. Matches [`pattern::LINE`].
pub fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    if char_len(raw) > max {
        return Err(Invalid::TooLong(max));
    }
    if raw.chars().any(char::is_control) {
        return Err(Invalid::ControlCharacters);
    }
    let text = raw.trim();
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// Required single-line text (e.g. an API key name). Matches [`pattern::REQUIRED_LINE`].
pub fn required_text(raw: &str, max: usize) -> Result<String, Invalid> {
    optional_text(Some(raw), max)?.ok_or(Invalid::Required)
}

/// Optional text that may span lines (a negative prompt, a description): at most `max`
/// characters as sent; line breaks and tabs are allowed (`\r\n` becomes `\n`), other control
/// characters are not; trimmed, and blank becomes `None`. Matches [`pattern::TEXT`].
pub fn optional_multiline(raw: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    if char_len(raw) > max {
        return Err(Invalid::TooLong(max));
    }
    if !allowed_in_multiline(raw) {
        return Err(Invalid::ControlCharacters);
    }
    let text = raw.trim().replace("\r\n", "\n");
    Ok((!text.is_empty()).then_some(text))
}

/// Required text that may span lines (a prompt, a message). Matches [`pattern::REQUIRED_TEXT`].
pub fn required_multiline(raw: &str, max: usize) -> Result<String, Invalid> {
    optional_multiline(Some(raw), max)?.ok_or(Invalid::Required)
}

/// An optional `https://` URL such as an avatar. Matches [`pattern::HTTPS_URL`].
pub fn optional_https_url(raw: Option<&str>) -> Result<Option<String>, Invalid> {
    let Some(url) = optional_text(raw, AVATAR_URL_MAX_CHARS)? else {
        return Ok(None);
    };
    let rest = url.strip_prefix("https://").ok_or(Invalid::UrlNotHttps)?;
    if rest.is_empty() || rest.starts_with('/') || url.chars().any(char::is_whitespace) {
        return Err(Invalid::UrlNotHttps);
    }
    Ok(Some(url))
}

/// A path on this site to go to after signing in (`next`, as the address bar's query gave it,
/// decoded): it must start with one `/`, and may hold no white space, control characters or
/// backslashes, which browsers drop or read as `/` (so `/\t/evil.example` would leave the site).
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2000
        && !path
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

/// The text rules above as JSON Schema patterns (in the syntax ECMA-262 and Python share), so the
/// OpenAPI document says exactly which strings the validators accept; the tests hold them to it.
pub mod pattern {
    /// Control characters (Unicode `Cc`), which `char::is_control` finds.
    macro_rules! control {
        () => {
            r"\u0000-\u001f\u007f-\u009f"
        };
    }
    /// Control characters but tab and line feed.
    macro_rules! control_but_breaks {
        () => {
            r"\u0000-\u0008\u000b-\u001f\u007f-\u009f"
        };
    }
    /// White space that is not a control character (the rest of `char::is_whitespace`).
    macro_rules! space {
        () => {
            r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
        };
    }

    /// [`super::optional_text`]: no control characters.
    pub const LINE: &str = concat!("^[^", control!(), "]*$");
    /// [`super::required_text`]: no control characters, not blank.
    pub const REQUIRED_LINE: &str = concat!(
        "^[",
        space!(),
        "]*[^",
        control!(),
        space!(),
        "][^",
        control!(),
        "]*$"
    );
    /// [`super::optional_multiline`]: no control characters but tabs and line breaks.
    pub const TEXT: &str = concat!(r"^(?:[^", control_but_breaks!(), r"]|\r\n)*$");
    /// [`super::required_multiline`]: as [`TEXT`], not blank.
    pub const REQUIRED_TEXT: &str = concat!(
        r"^(?:[\t\n",
        space!(),
        r"]|\r\n)*[^",
        control!(),
        space!(),
        r"](?:[^",
        control_but_breaks!(),
        r"]|\r\n)*$"
    );
    /// [`super::optional_https_url`]: blank, or `https://` and a host, without spaces inside.
    pub const HTTPS_URL: &str = concat!(
        "^[",
        space!(),
        "]*(?:https://[^/",
        control!(),
        space!(),
        "][^",
        control!(),
        space!(),
        "]*[",
        space!(),
        "]*)?$"
    );
}

/// Schemas of text fields with these rules for the OpenAPI document (`schema_with`).
#[cfg(feature = "openapi")]
pub mod schema {
    use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

    fn text(pattern: &str, max: usize, nullable: bool) -> Object {
        let kind = if nullable {
            SchemaType::from_iter([Type::String, Type::Null])
        } else {
            SchemaType::Type(Type::String)
        };
        let description = match pattern {
            super::pattern::REQUIRED_LINE => {
                format!("1–{max} characters on one line, not blank; no control characters; trimmed")
            }
            super::pattern::LINE => format!(
                "Up to {max} characters on one line; no control characters; trimmed, and blank \
                 clears it"
            ),
            super::pattern::REQUIRED_TEXT => format!(
                "1–{max} characters, not blank; line breaks and tabs allowed, no other control \
                 characters; trimmed"
            ),
            super::pattern::TEXT => format!(
                "Up to {max} characters; line breaks and tabs allowed, no other control \
                 characters; trimmed, and blank clears it"
            ),
            _ => format!("An `https://` URL of up to {max} characters; blank clears it"),
        };
        ObjectBuilder::new()
            .schema_type(kind)
            .description(Some(description))
            .max_length(Some(max))
            .pattern(Some(pattern))
            .build()
    }

    /// A task's `metadata`: a small map of strings, or `null`.
    pub fn metadata() -> Object {
        use crate::generation::{
            MAX_METADATA_KEY_CHARS, MAX_METADATA_KEYS, MAX_METADATA_VALUE_CHARS,
        };
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
            .description(Some(format!(
                "Up to {MAX_METADATA_KEYS} keys of 1–{MAX_METADATA_KEY_CHARS} characters, each a \
                 string of up to {MAX_METADATA_VALUE_CHARS}; no control characters"
            )))
            .max_properties(Some(MAX_METADATA_KEYS))
            .property_names(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(MAX_METADATA_KEY_CHARS))
                    .pattern(Some(super::pattern::LINE)),
            ))
            .additional_properties(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(MAX_METADATA_VALUE_CHARS))
                    .pattern(Some(super::pattern::LINE)),
            ))
            .build()
    }

    /// Required single-line text of at most `MAX` characters.
    pub fn line<const MAX: usize>() -> Object {
        text(super::pattern::REQUIRED_LINE, MAX, false)
    }
    /// As [`line`], or `null` to leave the field as it is.
    pub fn line_or_null<const MAX: usize>() -> Object {
        text(super::pattern::REQUIRED_LINE, MAX, true)
    }
    /// Optional single-line text (blank or `null` clears).
    pub fn optional_line<const MAX: usize>() -> Object {
        text(super::pattern::LINE, MAX, true)
    }
    /// Required text that may span lines.
    pub fn text_block<const MAX: usize>() -> Object {
        text(super::pattern::REQUIRED_TEXT, MAX, false)
    }
    /// As [`text_block`], or `null` to leave the field as it is.
    pub fn text_block_or_null<const MAX: usize>() -> Object {
        text(super::pattern::REQUIRED_TEXT, MAX, true)
    }
    /// Optional text that may span lines.
    pub fn optional_text_block<const MAX: usize>() -> Object {
        text(super::pattern::TEXT, MAX, true)
    }
    /// A confirmation that must be given: `true`.
    pub fn must_be_true() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .enum_values(Some([true]))
            .description(Some("Must be `true`."))
            .build()
    }
    /// An optional `https://` URL.
    pub fn optional_https_url() -> Object {
        text(super::pattern::HTTPS_URL, super::AVATAR_URL_MAX_CHARS, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_local() {
        for path in [
            "/gallery",
            "/gallery?q=caf%C3%A9&page=2",
            "/images/1#top",
            "/",
        ] {
            assert!(is_local_path(path), "{path}");
        }
        for path in [
            "",
            "gallery",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/gallery\\..\\x",
            "javascript:alert(1)",
        ] {
            assert!(!is_local_path(path), "{path:?}");
        }
    }

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            normalize_email("  Ada.Lovelace@Example.ORG "),
            Ok("ada.lovelace@example.org".into())
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "ada@ex..org",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn password_shape_rules() {
        assert_eq!(
            check_password_shape("short", "a@b.co"),
            Err(Invalid::PasswordTooShort)
        );
        assert_eq!(
            check_password_shape("ada.lovelace@example.org", "Ada.Lovelace@example.org"),
            Err(Invalid::PasswordIsEmail)
        );
        assert_eq!(
            check_password_shape(&"x".repeat(129), "a@b.co"),
            Err(Invalid::PasswordTooLong)
        );
        assert_eq!(
            check_password_shape("correct horse battery", "a@b.co"),
            Ok(())
        );
    }

    #[test]
    fn avatar_urls_must_be_https() {
        assert_eq!(
            optional_https_url(Some("http://x.org/a.png")),
            Err(Invalid::UrlNotHttps)
        );
        assert_eq!(optional_https_url(Some("  ")), Ok(None));
        assert_eq!(
            optional_https_url(Some("https://x.org/a.png")),
            Ok(Some("https://x.org/a.png".into()))
        );
    }

    /// The patterns in `regex` syntax (`\u{…}` for `\u…`).
    fn regex(pattern: &str) -> regex::Regex {
        let mut out = String::new();
        let mut rest = pattern;
        while let Some(at) = rest.find(r"\u") {
            out.push_str(&rest[..at]);
            out.push_str(&format!(r"\u{{{}}}", &rest[at + 2..at + 6]));
            rest = &rest[at + 6..];
        }
        out.push_str(rest);
        regex::Regex::new(&out).unwrap()
    }

    #[test]
    fn each_pattern_accepts_exactly_what_its_validator_accepts() {
        let samples = [
            "",
            " ",
            "a",
            " a ",
            "\u{3000}",
            "\u{3000}x\u{3000}",
            "\t",
            "a\tb",
            "a\nb",
            "\na\n",
            "a\r\nb",
            "a\rb",
            "a\r",
            "\r\n",
            "\r\na",
            "a\u{0}",
            "\u{1f}",
            "\u{7f}",
            "\u{85}",
            "\u{85}a",
            "a\u{85}",
            "\u{a0}",
            "\u{a0}b",
            "\u{b}a",
            "a\u{c}",
            "\u{1c}",
            "\u{feff}",
            "\u{200b}",
            "é",
            "日本",
            "https://x",
            " https://x.org/a.png ",
            "https://",
            "https:///x",
            "https://x y",
            "http://x",
            "https://x\u{a0}",
            "https://\u{a0}x",
            "https://x/\u{7}",
        ];
        type Accepts = fn(&str) -> bool;
        let rules: [(&str, Accepts); 5] = [
            (pattern::LINE, |t| optional_text(Some(t), 100).is_ok()),
            (pattern::REQUIRED_LINE, |t| required_text(t, 100).is_ok()),
            (pattern::TEXT, |t| optional_multiline(Some(t), 100).is_ok()),
            (pattern::REQUIRED_TEXT, |t| {
                required_multiline(t, 100).is_ok()
            }),
            (pattern::HTTPS_URL, |t| optional_https_url(Some(t)).is_ok()),
        ];
        for (pattern, valid) in rules {
            let re = regex(pattern);
            for sample in samples {
                assert_eq!(
                    re.is_match(sample),
                    valid(sample),
                    "{pattern} on {sample:?}"
                );
            }
        }
    }

    #[test]
    fn lengths_count_characters_as_sent() {
        assert_eq!(required_text(" abc ", 4), Err(Invalid::TooLong(4)));
        assert_eq!(required_text("日本語", 3), Ok("日本語".into()));
        assert_eq!(
            optional_multiline(Some("a\r\nb"), 3),
            Err(Invalid::TooLong(3))
        );
    }

    #[test]
    fn multiline_text_keeps_line_breaks_but_not_other_controls() {
        assert_eq!(
            required_multiline("  one\r\ntwo\n\tthree ", 100).unwrap(),
            "one\ntwo\n\tthree"
        );
        assert!(required_multiline(" \n ", 100).is_err());
        assert!(required_multiline("bell\u{7}", 100).is_err());
        assert!(required_multiline("abcdef", 5).is_err());
        assert!(required_multiline("lone\rreturn", 100).is_err());
        assert_eq!(optional_multiline(Some(" \r\n "), 100), Ok(None));
    }
}
