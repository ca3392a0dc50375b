//! Access tokens: HS256 JWTs, algorithm pinned, `exp`/`iat`/`sub`/`jti`/`iss`/`aud` checked.

use anyhow::Context;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;
use uuid::Uuid;
use zimage_shared::ErrorCode;

use crate::error::ApiError;

const ISSUER: &str = "zimage";
const AUDIENCE: &str = "zimage-api";
/// Clock skew tolerated between replicas.
const LEEWAY_SECS: u64 = 5;

/// The claims we issue and require.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: Uuid,
    /// Session id: revoking the session invalidates the token at once.
    pub sid: Uuid,
    pub jti: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// Signing and verification keys plus the pinned validation rules.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = LEEWAY_SECS;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A token for this user and session.
    pub fn issue(&self, user_id: Uuid, session_id: Uuid) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            sid: session_id,
            jti: Uuid::new_v4(),
            iat: now,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(900),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)
    }

    /// Verifies signature, algorithm and claims.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => {
                    ApiError::new(ErrorCode::TokenExpired, "the access token has expired")
                }
                _ => ApiError::unauthorized("the access token is invalid"),
            })?;
        let now = chrono::Utc::now().timestamp();
        if data.claims.iat > now + i64::try_from(LEEWAY_SECS).unwrap_or(5) {
            return Err(ApiError::unauthorized("the access token is invalid"));
        }
        Ok(data.claims)
    }
}

/// The configured secret, or one generated once and kept in the data directory.
pub fn load_or_create_secret(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        anyhow::ensure!(
            secret.len() >= 32,
            "ZIMAGE_JWT_SECRET must be at least 32 characters"
        );
        return Ok(secret.as_bytes().to_vec());
    }
    let path = data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            return Ok(existing.as_bytes().to_vec());
        }
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let secret = format!(
        "{}{}",
        super::secrets::random_token(),
        super::secrets::random_token()
    );
    write_private(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a JWT signing secret");
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn keys() -> JwtKeys {
        JwtKeys::new(&[7u8; 32], Duration::from_secs(60))
    }

    #[test]
    fn issued_tokens_verify() {
        let (user, session) = (Uuid::new_v4(), Uuid::new_v4());
        let claims = keys()
            .verify(&keys().issue(user, session).unwrap())
            .unwrap();
        assert_eq!((claims.sub, claims.sid), (user, session));
    }

    #[test]
    fn other_keys_and_tampering_are_refused() {
        let token = keys().issue(Uuid::new_v4(), Uuid::new_v4()).unwrap();
        let other = JwtKeys::new(&[8u8; 32], Duration::from_secs(60));
        assert_eq!(
            other.verify(&token).unwrap_err().code(),
            ErrorCode::Unauthorized
        );
        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        let mut payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        payload["sub"] = serde_json::json!(Uuid::new_v4());
        parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());
        assert!(keys().verify(&parts.join(".")).is_err());
    }

    #[test]
    fn alg_none_is_refused() {
        let token = keys().issue(Uuid::new_v4(), Uuid::new_v4()).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys().verify(&format!("{header}.{payload}.")).is_err());
    }
}
