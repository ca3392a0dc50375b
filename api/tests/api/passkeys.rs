//! Passkeys: adding them, signing in with one alone or as the second step after a password, and
//! the answers refused (another origin, no user verification, a cloned key's counter, a used or
//! another session's ceremony, another account's passkey). The authenticator is a software one
//! written from the WebAuthn specification (`zimage_api::testing::passkey`); the browser journey
//! runs Chromium's virtual authenticator.

use reqwest::StatusCode;
use serde_json::{Value, json};
use zimage_api::testing::passkey::SoftAuthenticator;

use crate::helpers::{PASSWORD, Signed, TestApp, assert_problem, spawn_app, spawn_app_with};

/// Browsers offer passkeys only in a secure context: the installation's public URL is HTTPS.
const ORIGIN: &str = "https://zimage.test";

async fn passkey_app() -> TestApp {
    spawn_app_with(&[("ZIMAGE_PUBLIC_URL", ORIGIN)]).await
}

async fn registration_options(app: &TestApp, who: &Signed) -> Value {
    let options = app
        .post_auth(
            "/v1/me/passkey-options",
            &who.access,
            &json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(options.status(), StatusCode::OK);
    options.json().await.unwrap()
}

async fn finish_registration(
    app: &TestApp,
    who: &Signed,
    options: &Value,
    name: &str,
    credential: &Value,
) -> reqwest::Response {
    app.post_auth(
        "/v1/me/passkeys",
        &who.access,
        &json!({"ceremony": options["ceremony"], "name": name, "credential": credential}),
    )
    .await
}

/// Adds a passkey made by `authenticator` to `who`'s account.
pub(crate) async fn add_passkey(
    app: &TestApp,
    who: &Signed,
    authenticator: &mut SoftAuthenticator,
    name: &str,
) -> Value {
    let options = registration_options(app, who).await;
    let credential = authenticator.create(&options["public_key"]);
    let added = finish_registration(app, who, &options, name, &credential).await;
    assert_eq!(added.status(), StatusCode::CREATED);
    added.json().await.unwrap()
}

async fn sign_in_options(app: &TestApp, challenge: Option<&str>) -> Value {
    let body = match challenge {
        Some(challenge) => json!({"challenge": challenge}),
        None => json!({}),
    };
    let options = app.post("/v1/auth/passkey/options", &body).await;
    assert_eq!(options.status(), StatusCode::OK);
    options.json().await.unwrap()
}

async fn finish_sign_in(
    app: &TestApp,
    options: &Value,
    credential: &Value,
    challenge: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({"ceremony": options["ceremony"], "credential": credential});
    if let Some(challenge) = challenge {
        body["challenge"] = json!(challenge);
    }
    app.post("/v1/auth/passkey", &body).await
}

/// Signs in with the authenticator's `which`-th passkey for this site, without a password.
async fn sign_in(
    app: &TestApp,
    authenticator: &mut SoftAuthenticator,
    which: usize,
) -> reqwest::Response {
    let options = sign_in_options(app, None).await;
    let credential = authenticator.get(&options["public_key"], which);
    finish_sign_in(app, &options, &credential, None).await
}

async fn passkeys_of(app: &TestApp, who: &Signed) -> Vec<Value> {
    app.get_json("/v1/me/passkeys", &who.access).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn signup_options(app: &TestApp) -> Value {
    let response = app
        .client
        .get(app.url("/v1/auth/signup-options"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn signed(body: &Value) -> Signed {
    Signed {
        access: body["access_token"].as_str().unwrap().to_string(),
        refresh: body["refresh_token"].as_str().unwrap().to_string(),
        user: body["user"].clone(),
    }
}

#[tokio::test]
async fn a_passkey_is_added_with_the_password_and_signs_in_without_one() {
    let app = passkey_app().await;
    assert_eq!(signup_options(&app).await["passkeys"], true);
    let ada = app.signed_in_user("ada@example.org").await;
    // A synced passkey: its counter stays at 0, so only the ceremony stops a replay.
    let mut phone = SoftAuthenticator::new(ORIGIN);
    phone.counts = false;

    // A new way in needs the password, as a new password or address does.
    let no_password = app
        .post_auth("/v1/me/passkey-options", &ada.access, &json!({}))
        .await;
    let problem = assert_problem(no_password, 422, "validation_failed").await;
    assert!(problem.to_string().contains("password"), "{problem}");

    let options = registration_options(&app, &ada).await;
    let public_key = &options["public_key"];
    assert_eq!(public_key["rp"]["id"], "zimage.test");
    assert_eq!(
        public_key["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert_eq!(
        public_key["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(options["expires_in"], 300);
    let credential = phone.create(public_key);
    let added = finish_registration(&app, &ada, &options, "  Phone  ", &credential).await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: Value = added.json().await.unwrap();
    assert_eq!(added["name"], "Phone");
    assert_eq!(added["backed_up"], true);
    assert!(added["last_used_at"].is_null());
    // A ceremony works once.
    let again = finish_registration(&app, &ada, &options, "Phone", &credential).await;
    assert_problem(again, 403, "passkey_rejected").await;
    assert!(
        app.mail_arrives("ada@example.org", "A passkey was added")
            .await
    );

    // The authenticator is told which passkeys the account has, so it makes no second one.
    let options = registration_options(&app, &ada).await;
    let excluded = options["public_key"]["excludeCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(excluded.len(), 1);
    assert_eq!(excluded[0]["id"], credential["id"]);

    // Signing in: no address typed, the browser offers the passkey it holds.
    let options = sign_in_options(&app, None).await;
    assert!(
        options["public_key"]
            .get("allowCredentials")
            .is_none_or(|list| list.as_array().is_some_and(Vec::is_empty)),
        "{options}"
    );
    assert_eq!(options["public_key"]["userVerification"], "required");
    let assertion = phone.get(&options["public_key"], 0);
    let response = finish_sign_in(&app, &options, &assertion, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("zimage_refresh=")),
        "a browser gets the refresh cookie, as with a password"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], "ada@example.org");
    let session = signed(&body);
    assert_eq!(app.get_auth("/v1/me", &session.access).await.status(), 200);

    // The same answer again, or with another ceremony's options, is refused.
    let replayed = finish_sign_in(&app, &options, &assertion, None).await;
    assert_problem(replayed, 403, "passkey_rejected").await;
    let fresh = sign_in_options(&app, None).await;
    let replayed = finish_sign_in(&app, &fresh, &assertion, None).await;
    assert_problem(replayed, 403, "passkey_rejected").await;

    let list = passkeys_of(&app, &ada).await;
    assert_eq!(list.len(), 1);
    assert!(list[0]["last_used_at"].is_string());

    // Renaming.
    let id = added["id"].as_str().unwrap();
    let renamed = app
        .patch_auth(
            &format!("/v1/me/passkeys/{id}"),
            &ada.access,
            &json!({"name": "Work phone"}),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(renamed.json::<Value>().await.unwrap()["name"], "Work phone");
    let empty = app
        .patch_auth(
            &format!("/v1/me/passkeys/{id}"),
            &ada.access,
            &json!({"name": "   "}),
        )
        .await;
    assert_problem(empty, 422, "validation_failed").await;
    let long = app
        .patch_auth(
            &format!("/v1/me/passkeys/{id}"),
            &ada.access,
            &json!({"name": "x".repeat(65)}),
        )
        .await;
    assert_problem(long, 422, "validation_failed").await;

    let events = app.get_json("/v1/me/security-events", &ada.access).await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"passkey.added"), "{kinds:?}");
    assert!(kinds.contains(&"passkey.sign_in"), "{kinds:?}");

    // Removed, it signs in no more.
    let removed = app
        .delete_auth(&format!("/v1/me/passkeys/{id}"), &ada.access)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert!(
        app.mail_arrives("ada@example.org", "A passkey was removed")
            .await
    );
    let after = sign_in(&app, &mut phone, 0).await;
    assert_problem(after, 403, "passkey_rejected").await;
}

#[tokio::test]
async fn refused_answers_add_nothing_and_open_nothing() {
    let app = passkey_app().await;
    let ada = app.signed_in_user("ada@example.org").await;

    // Made for another site: the browser there reports its own origin.
    let mut elsewhere = SoftAuthenticator::new("https://zimage.test.evil.example");
    let options = registration_options(&app, &ada).await;
    let credential = elsewhere.create(&options["public_key"]);
    let refused = finish_registration(&app, &ada, &options, "Evil", &credential).await;
    assert_problem(refused, 403, "passkey_rejected").await;

    // No user verification (no biometrics or PIN): not a passkey.
    let mut unverified = SoftAuthenticator::new(ORIGIN);
    unverified.verify_user = false;
    let options = registration_options(&app, &ada).await;
    let credential = unverified.create(&options["public_key"]);
    let refused = finish_registration(&app, &ada, &options, "Key", &credential).await;
    assert_problem(refused, 403, "passkey_rejected").await;

    // Not a credential at all.
    let options = registration_options(&app, &ada).await;
    let garbage = finish_registration(&app, &ada, &options, "Key", &json!({"id": 7})).await;
    assert_problem(garbage, 422, "validation_failed").await;

    // A ceremony belongs to the session that asked for it.
    let other_session = app.sign_in("ada@example.org", PASSWORD).await;
    let mut laptop = SoftAuthenticator::new(ORIGIN);
    let options = registration_options(&app, &ada).await;
    let credential = laptop.create(&options["public_key"]);
    let refused = finish_registration(&app, &other_session, &options, "Laptop", &credential).await;
    assert_problem(refused, 403, "passkey_rejected").await;
    assert!(passkeys_of(&app, &ada).await.is_empty());

    // A passkey that verified once.
    let mut phone = SoftAuthenticator::new(ORIGIN);
    add_passkey(&app, &ada, &mut phone, "Phone").await;
    assert_eq!(sign_in(&app, &mut phone, 0).await.status(), StatusCode::OK);

    // Its counter moved back, as a cloned key's would: refused.
    phone.credentials[0].counter = 0;
    let cloned = sign_in(&app, &mut phone, 0).await;
    assert_problem(cloned, 403, "passkey_rejected").await;
    phone.credentials[0].counter = 10;
    assert_eq!(sign_in(&app, &mut phone, 0).await.status(), StatusCode::OK);

    // Unverified at sign-in: refused.
    phone.verify_user = false;
    let refused = sign_in(&app, &mut phone, 0).await;
    assert_problem(refused, 403, "passkey_rejected").await;
    phone.verify_user = true;

    // Ada's passkey presented as Bob's (his id as the user handle) opens neither account.
    let bob = app.signed_in_user("bob@example.org").await;
    let bob_id = crate::helpers::user_id(&bob);
    phone.credentials[0].user_handle = bob_id.as_bytes().to_vec();
    let refused = sign_in(&app, &mut phone, 0).await;
    assert_problem(refused, 403, "passkey_rejected").await;

    // An unknown ceremony, and a malformed answer.
    let options = sign_in_options(&app, None).await;
    let bogus = app
        .post(
            "/v1/auth/passkey",
            &json!({"ceremony": uuid::Uuid::new_v4().to_string(), "credential": phone.get(&options["public_key"], 0)}),
        )
        .await;
    assert_problem(bogus, 403, "passkey_rejected").await;
    let malformed = finish_sign_in(&app, &options, &json!("nope"), None).await;
    assert_problem(malformed, 422, "validation_failed").await;
}

#[tokio::test]
async fn a_passkey_answers_the_second_step_and_counts_as_the_second_factor() {
    let app = passkey_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    crate::two_factor::turn_on(&app, &ada).await;
    let mut phone = SoftAuthenticator::new(ORIGIN);
    add_passkey(&app, &ada, &mut phone, "Phone").await;

    // The password step now offers the passkey too.
    let first = app.login("ada@example.org", PASSWORD).await;
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    let first: Value = first.json().await.unwrap();
    assert_eq!(
        first["methods"],
        json!(["totp", "recovery_code", "passkey"])
    );
    let challenge = first["challenge"].as_str().unwrap();
    let options = sign_in_options(&app, Some(challenge)).await;
    let allowed = options["public_key"]["allowCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(allowed.len(), 1);
    // Bob's passkey cannot answer Ada's challenge.
    let bob = app.signed_in_user("bob@example.org").await;
    let mut bobs = SoftAuthenticator::new(ORIGIN);
    add_passkey(&app, &bob, &mut bobs, "Bob's").await;
    let mut bobs_options = options.clone();
    bobs_options["public_key"]["allowCredentials"] = json!([]);
    let wrong = finish_sign_in(
        &app,
        &options,
        &bobs.get(&bobs_options["public_key"], 0),
        Some(challenge),
    )
    .await;
    assert_problem(wrong, 403, "passkey_rejected").await;
    // Options made for one of Ada's challenges do not answer another of hers.
    let other = app.login("ada@example.org", PASSWORD).await;
    let other: Value = other.json().await.unwrap();
    let other = other["challenge"].as_str().unwrap();
    let options = sign_in_options(&app, Some(other)).await;
    let crossed = finish_sign_in(
        &app,
        &options,
        &phone.get(&options["public_key"], 0),
        Some(challenge),
    )
    .await;
    assert_problem(crossed, 403, "passkey_rejected").await;
    // Ada's passkey answers (new options: a ceremony is taken by any answer).
    let options = sign_in_options(&app, Some(challenge)).await;
    let answered = finish_sign_in(
        &app,
        &options,
        &phone.get(&options["public_key"], 0),
        Some(challenge),
    )
    .await;
    assert_eq!(answered.status(), StatusCode::OK);
    // The challenge is used up: no code answers it now.
    let late = app
        .post(
            "/v1/auth/login/second-factor",
            &json!({"challenge": challenge, "code": "123456"}),
        )
        .await;
    assert_problem(late, 403, "challenge_ended").await;

    // A passkey alone opens the account, without a code, and the session may do sensitive
    // things at once: it proved a second factor.
    let alone = sign_in(&app, &mut phone, 0).await;
    assert_eq!(alone.status(), StatusCode::OK);
    let session = signed(&alone.json().await.unwrap());
    let codes = app
        .post_auth(
            "/v1/me/two-factor/recovery-codes",
            &session.access,
            &json!({}),
        )
        .await;
    assert_eq!(codes.status(), StatusCode::OK);
}

async fn step_up_options(app: &TestApp, who: &Signed) -> reqwest::Response {
    app.post_auth("/v1/me/two-factor/passkey-options", &who.access, &json!({}))
        .await
}

async fn finish_step_up(
    app: &TestApp,
    who: &Signed,
    options: &Value,
    credential: &Value,
) -> reqwest::Response {
    app.post_auth(
        "/v1/me/two-factor/passkey",
        &who.access,
        &json!({"ceremony": options["ceremony"], "credential": credential}),
    )
    .await
}

async fn create_api_key(app: &TestApp, who: &Signed) -> reqwest::Response {
    app.post_auth("/v1/me/api-keys", &who.access, &json!({"name": "ci"}))
        .await
}

#[tokio::test]
async fn a_passkey_confirms_it_is_you_before_a_sensitive_action() {
    let app = passkey_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    crate::two_factor::turn_on(&app, &ada).await;
    let mut phone = SoftAuthenticator::new(ORIGIN);
    add_passkey(&app, &ada, &mut phone, "Phone").await;
    let bob = app.signed_in_user("bob@example.org").await;
    crate::two_factor::turn_on(&app, &bob).await;
    let mut bobs = SoftAuthenticator::new(ORIGIN);
    add_passkey(&app, &bob, &mut bobs, "Bob's").await;
    // A second session of Ada's, from a passkey sign-in.
    let elsewhere = signed(&sign_in(&app, &mut phone, 0).await.json().await.unwrap());

    // Eleven minutes on, a sensitive action asks again, and says a passkey can answer.
    app.state.clock.advance(chrono::Duration::minutes(11));
    let stale = create_api_key(&app, &ada).await;
    let problem = assert_problem(stale, 403, "second_factor_required").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("/v1/me/two-factor/passkey"),
        "{problem}"
    );

    let options = step_up_options(&app, &ada).await;
    assert_eq!(options.status(), StatusCode::OK);
    assert_eq!(
        options.headers()["cache-control"].to_str().unwrap(),
        "no-store"
    );
    let options: Value = options.json().await.unwrap();
    let allowed = options["public_key"]["allowCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(allowed.len(), 1, "only Ada's passkeys may answer");
    // Bob's passkey does not answer for Ada, and the ceremony is spent by trying.
    let mut open = options.clone();
    open["public_key"]["allowCredentials"] = json!([]);
    let wrong = finish_step_up(&app, &ada, &options, &bobs.get(&open["public_key"], 0)).await;
    assert_problem(wrong, 403, "passkey_rejected").await;
    let spent = finish_step_up(&app, &ada, &options, &phone.get(&options["public_key"], 0)).await;
    assert_problem(spent, 403, "passkey_rejected").await;
    // Options asked by another session of Ada's do not prove this one.
    let theirs: Value = step_up_options(&app, &elsewhere)
        .await
        .json()
        .await
        .unwrap();
    let crossed = finish_step_up(&app, &ada, &theirs, &phone.get(&theirs["public_key"], 0)).await;
    assert_problem(crossed, 403, "passkey_rejected").await;
    // Nor are Ada's options Bob's to answer, even with his own passkey.
    let adas: Value = step_up_options(&app, &ada).await.json().await.unwrap();
    let mut open = adas.clone();
    open["public_key"]["allowCredentials"] = json!([]);
    let foreign = finish_step_up(&app, &bob, &adas, &bobs.get(&open["public_key"], 0)).await;
    assert_problem(foreign, 403, "passkey_rejected").await;
    let bobs_key = create_api_key(&app, &bob).await;
    assert_problem(bobs_key, 403, "second_factor_required").await;
    // A sign-in ceremony does not answer a step-up.
    let signing_in = sign_in_options(&app, None).await;
    let other_kind = finish_step_up(
        &app,
        &ada,
        &signing_in,
        &phone.get(&signing_in["public_key"], 0),
    )
    .await;
    assert_problem(other_kind, 403, "passkey_rejected").await;
    // Not a credential at all.
    let options: Value = step_up_options(&app, &ada).await.json().await.unwrap();
    let junk = finish_step_up(&app, &ada, &options, &json!({"id": "x"})).await;
    assert_problem(junk, 422, "validation_failed").await;
    let still = create_api_key(&app, &ada).await;
    assert_problem(still, 403, "second_factor_required").await;

    // Ada's passkey answers: the action works now, and the log says how it was proved.
    let answered =
        finish_step_up(&app, &ada, &options, &phone.get(&options["public_key"], 0)).await;
    assert_eq!(answered.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        create_api_key(&app, &ada).await.status(),
        StatusCode::CREATED
    );
    // Only this session: the other still has to prove it.
    let other = create_api_key(&app, &elsewhere).await;
    assert_problem(other, 403, "second_factor_required").await;
    let events = app.get_json("/v1/me/security-events", &ada.access).await;
    let verified = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "two_factor.verified")
        .expect("the step-up is logged")
        .clone();
    assert_eq!(verified["detail"]["method"], "passkey");
    // The answer moved the passkey's counter on: a key that does not count past it (a clone's
    // signature) is refused.
    phone.counts = false;
    let options: Value = step_up_options(&app, &ada).await.json().await.unwrap();
    let cloned = finish_step_up(&app, &ada, &options, &phone.get(&options["public_key"], 0)).await;
    assert_problem(cloned, 403, "passkey_rejected").await;

    // Without two-factor authentication there is nothing to confirm; without a passkey, a code
    // it is.
    let cleo = app.signed_in_user("cleo@example.org").await;
    let mut cleos = SoftAuthenticator::new(ORIGIN);
    add_passkey(&app, &cleo, &mut cleos, "Cleo's").await;
    assert_problem(step_up_options(&app, &cleo).await, 409, "conflict").await;
    let dan = app.signed_in_user("dan@example.org").await;
    crate::two_factor::turn_on(&app, &dan).await;
    assert_problem(step_up_options(&app, &dan).await, 409, "conflict").await;
}

#[tokio::test]
async fn the_last_way_in_stays_and_an_account_keeps_twenty() {
    use diesel_async::RunQueryDsl;
    let app = passkey_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut phone = SoftAuthenticator::new(ORIGIN);
    let first = add_passkey(&app, &ada, &mut phone, "Phone").await;
    // With a password, the passkey is not the only way in.
    let mut laptop = SoftAuthenticator::new(ORIGIN);
    let second = add_passkey(&app, &ada, &mut laptop, "Laptop").await;
    assert_eq!(
        app.delete_auth(
            &format!("/v1/me/passkeys/{}", second["id"].as_str().unwrap()),
            &ada.access
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    // An account without a password (as one made at an identity provider and unlinked since).
    let mut conn = app.state.db.get().await.unwrap();
    diesel::sql_query("UPDATE users SET password_hash = NULL WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(crate::helpers::user_id(&ada))
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let last = app
        .delete_auth(
            &format!("/v1/me/passkeys/{}", first["id"].as_str().unwrap()),
            &ada.access,
        )
        .await;
    let problem = assert_problem(last, 409, "conflict").await;
    assert!(problem["detail"].as_str().unwrap().contains("only way"));
    assert_eq!(passkeys_of(&app, &ada).await.len(), 1);
    // It signs in still.
    assert_eq!(sign_in(&app, &mut phone, 0).await.status(), StatusCode::OK);

    // Twenty at most.
    let bob = app.signed_in_user("bob@example.org").await;
    for n in 0..20 {
        // One authenticator holds one passkey per account (it is told which to exclude).
        let mut key = SoftAuthenticator::new(ORIGIN);
        add_passkey(&app, &bob, &mut key, &format!("Key {n}")).await;
    }
    let over = app
        .post_auth(
            "/v1/me/passkey-options",
            &bob.access,
            &json!({"password": PASSWORD}),
        )
        .await;
    assert_problem(over, 409, "limit_reached").await;
    assert_eq!(passkeys_of(&app, &bob).await.len(), 20);
}

#[tokio::test]
async fn without_a_secure_public_address_there_are_no_passkeys() {
    // The tests' usual public URL is plain http at a host name: browsers would refuse.
    let app = spawn_app().await;
    assert_eq!(signup_options(&app).await["passkeys"], false);
    let ada = app.signed_in_user("ada@example.org").await;
    let list = app.get_json("/v1/me/passkeys", &ada.access).await;
    assert_eq!(list["available"], false);
    assert_eq!(list["items"], json!([]));
    let refused = app.post("/v1/auth/passkey/options", &json!({})).await;
    assert_problem(refused, 403, "forbidden").await;
    let refused = app
        .post_auth(
            "/v1/me/passkey-options",
            &ada.access,
            &json!({"password": PASSWORD}),
        )
        .await;
    assert_problem(refused, 403, "forbidden").await;
    let turned_off =
        spawn_app_with(&[("ZIMAGE_PUBLIC_URL", ORIGIN), ("ZIMAGE_PASSKEYS", "false")]).await;
    assert_eq!(signup_options(&turned_off).await["passkeys"], false);
}

#[tokio::test]
async fn a_password_reset_removes_the_passkeys_an_intruder_could_have_added() {
    // A passkey signs in with the second factor included: one added by whoever held the
    // session and the password would outlive the owner's reset.
    let app = passkey_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut intruders = SoftAuthenticator::new(ORIGIN);
    add_passkey(&app, &ada, &mut intruders, "Mine").await;
    assert_eq!(
        sign_in(&app, &mut intruders, 0).await.status(),
        StatusCode::OK
    );

    app.post(
        "/v1/auth/password/forgot",
        &json!({"email": "ada@example.org"}),
    )
    .await;
    let token = app
        .token_from_mail("ada@example.org", "reset-password")
        .await;
    let reset = app.reset_password(&token, "a brand new passphrase").await;
    assert_eq!(reset.status(), 204);
    let refused = sign_in(&app, &mut intruders, 0).await;
    assert_problem(refused, 403, "passkey_rejected").await;
    let ada = app
        .sign_in("ada@example.org", "a brand new passphrase")
        .await;
    assert!(passkeys_of(&app, &ada).await.is_empty());
}

#[tokio::test]
async fn a_passkey_sign_in_can_keep_an_account_scheduled_for_deletion() {
    let app = passkey_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut phone = SoftAuthenticator::new(ORIGIN);
    add_passkey(&app, &ada, &mut phone, "Phone").await;
    crate::privacy::schedule_erasure(&app, &ada).await;

    // The passkey's owner hears why; nothing is kept unless asked.
    assert_problem(sign_in(&app, &mut phone, 0).await, 403, "erasure_pending").await;
    let options = sign_in_options(&app, None).await;
    let credential = phone.get(&options["public_key"], 0);
    let kept = app
        .post(
            "/v1/auth/passkey",
            &json!({"ceremony": options["ceremony"], "credential": credential, "keep_account": true}),
        )
        .await;
    assert_eq!(kept.status(), StatusCode::OK);
    // The deletion is off: the password signs in again without being asked.
    assert_eq!(
        app.login("ada@example.org", PASSWORD).await.status(),
        StatusCode::OK
    );
}
