//! Identifier newtypes: a user id can never be passed where a session id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        #[cfg(feature = "random-ids")]
        impl $name {
            /// A new random (v4) identifier.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

id_type!(
    /// Identifies a user account.
    UserId
);
id_type!(
    /// Identifies a login session (one refresh-token family).
    SessionId
);
id_type!(
    /// Identifies an API key.
    ApiKeyId
);
id_type!(
    /// Identifies an OAuth app a user registered.
    OAuthAppId
);
id_type!(
    /// Identifies a user's authorization of an OAuth app.
    OAuthGrantId
);
id_type!(
    /// Identifies an outside identity (a provider's account) linked to a user account.
    IdentityId
);
id_type!(
    /// Identifies a passkey (a WebAuthn credential) of a user account.
    PasskeyId
);
