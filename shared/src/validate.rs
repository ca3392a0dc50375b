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

/// Trims optional free text; empty becomes `None`. Rejects control characters and overlong text.
pub fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if char_len(text) > max {
        return Err(Invalid::TooLong(max));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid::ControlCharacters);
    }
    Ok(Some(text.to_string()))
}

/// Required free text (e.g. an API key name).
pub fn required_text(raw: &str, max: usize) -> Result<String, Invalid> {
    optional_text(Some(raw), max)?.ok_or(Invalid::Required)
}

/// Required free text that may span lines (a message, a note): line breaks and tabs are
/// allowed (`\r\n` becomes `\n`), other control characters are not.
pub fn required_multiline(raw: &str, max: usize) -> Result<String, Invalid> {
    let text = raw.trim().replace("\r\n", "\n");
    if text.is_empty() {
        return Err(Invalid::Required);
    }
    if char_len(&text) > max {
        return Err(Invalid::TooLong(max));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(Invalid::ControlCharacters);
    }
    Ok(text)
}

/// An optional `https://` URL such as an avatar.
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn multiline_text_keeps_line_breaks_but_not_other_controls() {
        assert_eq!(
            required_multiline("  one\r\ntwo\n\tthree ", 100).unwrap(),
            "one\ntwo\n\tthree"
        );
        assert!(required_multiline(" \n ", 100).is_err());
        assert!(required_multiline("bell\u{7}", 100).is_err());
        assert!(required_multiline("abcdef", 5).is_err());
    }
}
