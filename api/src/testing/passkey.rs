//! A software passkey authenticator for the API tests, written from the WebAuthn Level 3
//! specification (§6.1 authenticator data, §6.5.4 attestation object with the `none` format,
//! §5.8.1 client data): it answers `navigator.credentials.create()` and `get()` options the way
//! a browser and a platform authenticator would, with ES256 keys, and can be made to misbehave
//! (another origin, no user verification, a counter moved back as a cloned key would).
//! The browser journey uses Chromium's own virtual authenticator instead.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const BE: u8 = 0x08;
const BS: u8 = 0x10;
const AT: u8 = 0x40;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .expect("base64url from the server")
}

/// The few CBOR items (RFC 8949) an attestation object needs.
enum Cbor<'a> {
    Int(i64),
    Bytes(&'a [u8]),
    Text(&'a str),
    Map(Vec<(Cbor<'a>, Cbor<'a>)>),
}

impl Cbor<'_> {
    fn head(out: &mut Vec<u8>, major: u8, n: u64) {
        let major = major << 5;
        match n {
            0..=23 => out.push(major | n as u8),
            24..=0xff => out.extend([major | 24, n as u8]),
            0x100..=0xffff => {
                out.push(major | 25);
                out.extend((n as u16).to_be_bytes());
            }
            _ => {
                out.push(major | 26);
                out.extend((n as u32).to_be_bytes());
            }
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Cbor::Int(n) if *n >= 0 => Self::head(out, 0, *n as u64),
            Cbor::Int(n) => Self::head(out, 1, (-1 - *n) as u64),
            Cbor::Bytes(b) => {
                Self::head(out, 2, b.len() as u64);
                out.extend_from_slice(b);
            }
            Cbor::Text(t) => {
                Self::head(out, 3, t.len() as u64);
                out.extend_from_slice(t.as_bytes());
            }
            Cbor::Map(entries) => {
                Self::head(out, 5, entries.len() as u64);
                for (k, v) in entries {
                    k.encode(out);
                    v.encode(out);
                }
            }
        }
    }

    fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// One credential the authenticator holds.
pub struct Credential {
    pub id: Vec<u8>,
    pub rp_id: String,
    pub user_handle: Vec<u8>,
    key: EcdsaKeyPair,
    pub counter: u32,
}

/// A platform authenticator in a browser at `origin`.
pub struct SoftAuthenticator {
    pub origin: String,
    pub credentials: Vec<Credential>,
    /// Whether the user is verified (biometrics or PIN) when asked; on by default.
    pub verify_user: bool,
    /// Whether passkeys are synced (backup eligible and backed up).
    pub synced: bool,
    /// Whether signature counters move on at each use; synced passkeys keep them at 0.
    pub counts: bool,
}

impl SoftAuthenticator {
    pub fn new(origin: &str) -> Self {
        Self {
            origin: origin.trim_end_matches('/').to_owned(),
            credentials: Vec::new(),
            verify_user: true,
            synced: true,
            counts: true,
        }
    }

    fn flags(&self) -> u8 {
        let mut flags = UP;
        if self.verify_user {
            flags |= UV;
        }
        if self.synced {
            flags |= BE | BS;
        }
        flags
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        }))
        .unwrap()
    }

    /// Answers `PublicKeyCredentialCreationOptionsJSON` as `navigator.credentials.create()`
    /// then `toJSON()` would, keeping the new credential.
    pub fn create(&mut self, options: &Value) -> Value {
        let rp_id = options["rp"]["id"].as_str().expect("rp.id").to_owned();
        let user_handle = unb64(options["user"]["id"].as_str().expect("user.id"));
        let excluded: Vec<Vec<u8>> = options["excludeCredentials"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|c| unb64(c["id"].as_str().unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            !self.credentials.iter().any(|c| excluded.contains(&c.id)),
            "InvalidStateError: the authenticator holds an excluded credential"
        );
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let key =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref()).unwrap();
        let point = key.public_key().as_ref().to_vec();
        assert_eq!(point.len(), 65, "an uncompressed P-256 point");
        let id: [u8; 32] = rand::random();
        let cose = Cbor::Map(vec![
            (Cbor::Int(1), Cbor::Int(2)),  // kty: EC2
            (Cbor::Int(3), Cbor::Int(-7)), // alg: ES256
            (Cbor::Int(-1), Cbor::Int(1)), // crv: P-256
            (Cbor::Int(-2), Cbor::Bytes(&point[1..33])),
            (Cbor::Int(-3), Cbor::Bytes(&point[33..])),
        ])
        .to_vec();
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(self.flags() | AT);
        auth_data.extend(0u32.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID: none given
        auth_data.extend((id.len() as u16).to_be_bytes());
        auth_data.extend(id);
        auth_data.extend(cose);
        let attestation = Cbor::Map(vec![
            (Cbor::Text("fmt"), Cbor::Text("none")),
            (Cbor::Text("attStmt"), Cbor::Map(Vec::new())),
            (Cbor::Text("authData"), Cbor::Bytes(&auth_data)),
        ])
        .to_vec();
        let client_data = self.client_data(
            "webauthn.create",
            options["challenge"].as_str().expect("challenge"),
        );
        self.credentials.push(Credential {
            id: id.to_vec(),
            rp_id,
            user_handle,
            key,
            counter: 0,
        });
        json!({
            "id": b64(&id),
            "rawId": b64(&id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {"credProps": {"rk": true}},
            "response": {
                "clientDataJSON": b64(&client_data),
                "attestationObject": b64(&attestation),
                "transports": ["internal", "hybrid"],
            },
        })
    }

    /// Answers `PublicKeyCredentialRequestOptionsJSON` as `navigator.credentials.get()` then
    /// `toJSON()` would, with the `which`-th credential it may use (those allowed, or, when the
    /// options allow any, those it holds for the relying party).
    pub fn get(&mut self, options: &Value, which: usize) -> Value {
        let rp_id = options["rpId"].as_str().expect("rpId").to_owned();
        let allowed: Vec<Vec<u8>> = options["allowCredentials"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|c| unb64(c["id"].as_str().unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        let flags = self.flags();
        let client_data = self.client_data(
            "webauthn.get",
            options["challenge"].as_str().expect("challenge"),
        );
        let credential = self
            .credentials
            .iter_mut()
            .filter(|c| c.rp_id == rp_id && (allowed.is_empty() || allowed.contains(&c.id)))
            .nth(which)
            .expect("NotAllowedError: no credential for these options");
        if self.counts {
            credential.counter += 1;
        }
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(flags);
        auth_data.extend(credential.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature = credential
            .key
            .sign(&SystemRandom::new(), &signed)
            .expect("signs");
        json!({
            "id": b64(&credential.id),
            "rawId": b64(&credential.id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64(&client_data),
                "authenticatorData": b64(&auth_data),
                "signature": b64(signature.as_ref()),
                "userHandle": b64(&credential.user_handle),
            },
        })
    }
}
