//! Sign-in with identity providers, against panva's certified OpenID provider run by the test
//! (discovery, JWKS and its rotation, code + PKCE), a forger in front of it for `id_token`s that
//! must fail, and a GitHub of GitHub's documented shapes: the way back with bad `state` or from
//! another browser, tokens with the wrong audience, expired, with another nonce or tampered,
//! unverified addresses, new accounts only after age and terms, linking only with proof, the
//! last way to sign in kept, two-factor authentication still asked, and the operator settings.

use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use zimage_api::testing::identity::{
    CLIENT_ID, CLIENT_SECRET, Forger, Forgery, GithubFake, GithubUser, OpenIdProvider,
};

use crate::helpers::{PASSWORD, PUBLIC_URL, TestApp, assert_problem, spawn_app_with, user_id};

fn accounts() -> Value {
    json!({
        "alice": {"email": "alice@example.test", "email_verified": true, "name": "Alice Example"},
        "bob": {"email": "bob@example.test", "email_verified": false, "name": "Bob Example"},
        "carol": {"email": "carol@example.test", "email_verified": true, "name": "Carol"},
        "dave": {"email": "dave@corp.example", "email_verified": true, "name": "Dave"},
    })
}

fn redirect_uri(provider: &str) -> String {
    format!("{PUBLIC_URL}/v1/auth/sso/{provider}/callback")
}

/// The installation's address where it offers passkeys (they need HTTPS).
const SECURE_URL: &str = "https://zimage.test";

async fn idp() -> OpenIdProvider {
    let secure = format!("{SECURE_URL}/v1/auth/sso/corp/callback");
    OpenIdProvider::start(&accounts(), &[redirect_uri("corp"), secure]).await
}

fn settings(issuer: &str) -> Vec<(String, String)> {
    vec![
        ("ZIMAGE_SSO".into(), "corp".into()),
        ("ZIMAGE_SSO_CORP_ISSUER".into(), issuer.into()),
        ("ZIMAGE_SSO_CORP_NAME".into(), "Corp SSO".into()),
        ("ZIMAGE_SSO_CORP_CLIENT_ID".into(), CLIENT_ID.into()),
        ("ZIMAGE_SSO_CORP_CLIENT_SECRET".into(), CLIENT_SECRET.into()),
    ]
}

async fn app_for(issuer: &str, extra: &[(&str, &str)]) -> TestApp {
    let mut all = settings(issuer);
    all.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string())),
    );
    let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    spawn_app_with(&refs).await
}

/// A browser: keeps the provider's cookies, and ours by hand.
struct Browser {
    client: reqwest::Client,
}

impl Browser {
    fn new() -> Self {
        Self {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// Follows the provider's redirects until it sends the browser to our public URL; returns
    /// that path and query.
    async fn through_provider(&self, mut url: String) -> String {
        for _ in 0..10 {
            if let Some(rest) = url
                .strip_prefix(PUBLIC_URL)
                .or_else(|| url.strip_prefix(SECURE_URL))
            {
                return rest.to_string();
            }
            let answer = self.client.get(&url).send().await.unwrap();
            let status = answer.status();
            let Some(location) = answer.headers().get(LOCATION) else {
                panic!("{url} answered {status}: {}", answer.text().await.unwrap());
            };
            let location = location.to_str().unwrap().to_string();
            url = reqwest::Url::parse(&url)
                .unwrap()
                .join(&location)
                .unwrap()
                .to_string();
        }
        panic!("the provider never sent the browser back");
    }
}

fn cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_string())
        })
}

fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()[LOCATION].to_str().unwrap().to_string()
}

/// A sign-in started at `start_path` (optionally signed in), carried through the provider as
/// `account`: the way back's path and the flow cookie.
async fn to_the_way_back(
    app: &TestApp,
    start_path: &str,
    bearer: Option<&str>,
    body: Value,
) -> (String, String) {
    let mut request = app.client.post(app.url(start_path)).json(&body);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let started = request.send().await.unwrap();
    assert_eq!(started.status(), StatusCode::OK, "{start_path}");
    let flow = cookie(&started, "zimage_sso").expect("the start sets the flow cookie");
    let set = started.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let url = started.json::<Value>().await.unwrap()["authorization_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.contains("code_challenge_method=S256") && url.contains("state="));
    let back = Browser::new().through_provider(url).await;
    (back, flow)
}

async fn come_back(app: &TestApp, back: &str, flow: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(back));
    if let Some(flow) = flow {
        request = request.header("cookie", format!("zimage_sso={flow}"));
    }
    request.send().await.unwrap()
}

/// Signs in at the provider as `account` and comes back in the same browser.
async fn sign_in_as(app: &TestApp, provider: &str, account: &str) -> reqwest::Response {
    let (back, flow) = to_the_way_back(
        app,
        &format!("/v1/auth/sso/{provider}/start"),
        None,
        json!({"login_hint": account}),
    )
    .await;
    come_back(app, &back, Some(&flow)).await
}

/// Connects the provider's `account` to `who`'s account from a signed-in session: where the
/// way back lands.
async fn link_as(app: &TestApp, who: &crate::helpers::Signed, account: &str) -> String {
    let (back, flow) = to_the_way_back(
        app,
        "/v1/me/identities",
        Some(&who.access),
        json!({"provider": "corp", "login_hint": account, "password": PASSWORD}),
    )
    .await;
    location(&come_back(app, &back, Some(&flow)).await)
}

fn fragment_token(location: &str, prefix: &str) -> String {
    location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}"))
        .to_string()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    use diesel::QueryableByName;
    use diesel_async::RunQueryDsl;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.state.db.get().await.unwrap();
    diesel::sql_query(sql)
        .get_result::<N>(&mut conn)
        .await
        .unwrap()
        .n
}

async fn users(app: &TestApp) -> i64 {
    count(app, "SELECT count(*) AS n FROM users").await
}

async fn identities(app: &TestApp) -> i64 {
    count(app, "SELECT count(*) AS n FROM identities").await
}

/// The account a sign-in offered, made with age and terms confirmed.
async fn finish_signup(app: &TestApp, location: &str) -> reqwest::Response {
    let token = fragment_token(location, "/signup/finish#token=");
    app.post(
        "/v1/auth/sso/signup",
        &json!({"token": token, "accept_terms": true, "age_confirmed": true}),
    )
    .await
}

#[tokio::test]
async fn someone_new_gets_an_account_only_after_age_and_terms_then_signs_in_with_the_provider() {
    let idp = idp().await;
    let app = app_for(&idp.issuer, &[]).await;

    let options: Value = app
        .client
        .get(app.url("/v1/auth/signup-options"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        options["providers"],
        json!([{"id": "corp", "name": "Corp SSO", "kind": "oidc"}])
    );
    assert_eq!(options["password_signup"], json!(true));

    // Someone new, started from a page that asked to come back: the sign-up page is told where.
    let (back, flow) = to_the_way_back(
        &app,
        "/v1/auth/sso/corp/start",
        None,
        json!({"login_hint": "alice", "return_to": "/pricing"}),
    )
    .await;
    let landing = location(&come_back(&app, &back, Some(&flow)).await);
    assert!(
        landing.starts_with("/signup/finish?next=%2Fpricing#token="),
        "{landing}"
    );

    let back = sign_in_as(&app, "corp", "alice").await;
    assert!(cookie(&back, "zimage_refresh").is_none());
    let landing = location(&back);
    assert!(landing.starts_with("/signup/finish#token="), "{landing}");
    // Nothing exists before age and terms.
    assert_eq!((users(&app).await, identities(&app).await), (0, 0));

    let token = fragment_token(&landing, "/signup/finish#token=");
    let details = app
        .post("/v1/auth/sso/signup/details", &json!({"token": token}))
        .await;
    assert_eq!(details.status(), StatusCode::OK);
    let details: Value = details.json().await.unwrap();
    assert_eq!(details["email"], "alice@example.test");
    assert_eq!(details["provider_name"], "Corp SSO");
    assert_eq!(details["display_name"], "Alice Example");

    let refused = app
        .post(
            "/v1/auth/sso/signup",
            &json!({"token": token, "accept_terms": true}),
        )
        .await;
    let problem = assert_problem(refused, 422, "validation_failed").await;
    assert!(problem["errors"]["age_confirmed"].is_array(), "{problem}");
    assert_eq!(users(&app).await, 0);

    let made = finish_signup(&app, &landing).await;
    assert_eq!(made.status(), StatusCode::OK);
    assert!(cookie(&made, "zimage_refresh").is_some_and(|c| !c.is_empty()));
    let tokens: Value = made.json().await.unwrap();
    assert_eq!(tokens["user"]["email"], "alice@example.test");
    assert_eq!(tokens["user"]["email_verified"], true);
    assert_eq!(tokens["user"]["display_name"], "Alice Example");
    let access = tokens["access_token"].as_str().unwrap();
    let methods = app.get_json("/v1/me/identities", access).await;
    assert_eq!(methods["password"], false);
    assert_eq!(methods["identities"][0]["provider"], "corp");
    assert_eq!(methods["identities"][0]["email"], "alice@example.test");
    assert_eq!(methods["available"], json!([]));
    // The welcome credits of a confirmed address.
    let balance = app.get_json("/v1/credits", access).await;
    assert_eq!(balance["available"], json!(20), "{balance}");

    // The offer works once.
    let again = finish_signup(&app, &landing).await;
    assert_problem(again, 400, "invalid_token").await;

    // From now on the provider signs in, landing where the start asked.
    let (back, flow) = to_the_way_back(
        &app,
        "/v1/auth/sso/corp/start",
        None,
        json!({"login_hint": "alice", "return_to": "/gallery?q=café"}),
    )
    .await;
    let back = come_back(&app, &back, Some(&flow)).await;
    assert!(cookie(&back, "zimage_refresh").is_some_and(|c| !c.is_empty()));
    assert!(cookie(&back, "zimage_signed_in").is_some());
    assert_eq!(location(&back), "/gallery?q=caf%C3%A9");
    assert_eq!(users(&app).await, 1);
    // A password does not open an account that has none.
    assert_problem(
        app.login("alice@example.test", "").await,
        401,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test]
async fn the_way_back_needs_this_sign_ins_state_in_the_browser_that_started_it_once() {
    let idp = idp().await;
    let app = app_for(&idp.issuer, &[]).await;

    // Another browser arriving with the code and state (a link sent to a victim).
    let (back, _flow) = to_the_way_back(
        &app,
        "/v1/auth/sso/corp/start",
        None,
        json!({"login_hint": "alice"}),
    )
    .await;
    assert_eq!(
        location(&come_back(&app, &back, None).await),
        "/login?sso_error=state_mismatch"
    );
    // …and the flow is spent: the right browser cannot use it afterwards either.
    let (back, flow) = to_the_way_back(
        &app,
        "/v1/auth/sso/corp/start",
        None,
        json!({"login_hint": "alice"}),
    )
    .await;
    assert_eq!(
        location(&come_back(&app, &back, Some("another-browsers-cookie")).await),
        "/login?sso_error=state_mismatch"
    );
    assert_eq!(
        location(&come_back(&app, &back, Some(&flow)).await),
        "/login?sso_error=state_mismatch"
    );

    // A state nobody issued, and none at all.
    let (back, flow) = to_the_way_back(
        &app,
        "/v1/auth/sso/corp/start",
        None,
        json!({"login_hint": "alice"}),
    )
    .await;
    let forged: String = {
        let (path, query) = back.split_once('?').unwrap();
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.starts_with("state="))
            .collect();
        format!("{path}?{}&state=guessed", kept.join("&"))
    };
    assert_eq!(
        location(&come_back(&app, &forged, Some(&flow)).await),
        "/login?sso_error=state_mismatch"
    );
    let stateless = forged.replace("&state=guessed", "");
    assert_eq!(
        location(&come_back(&app, &stateless, Some(&flow)).await),
        "/login?sso_error=state_mismatch"
    );
    // The real one still works, once.
    let landing = location(&come_back(&app, &back, Some(&flow)).await);
    assert!(landing.starts_with("/signup/finish#token="), "{landing}");

    // The provider refusing (the person cancelled).
    let (back, flow) = to_the_way_back(
        &app,
        "/v1/auth/sso/corp/start",
        None,
        json!({"login_hint": "alice"}),
    )
    .await;
    let state = back
        .split('&')
        .find_map(|p| p.split_once("state=").map(|(_, s)| s.to_string()))
        .unwrap();
    let denied = format!("/v1/auth/sso/corp/callback?error=access_denied&state={state}");
    assert_eq!(
        location(&come_back(&app, &denied, Some(&flow)).await),
        "/login?sso_error=access_denied"
    );

    // Starting: an unknown provider, and a landing page on another site.
    let unknown = app.post("/v1/auth/sso/elsewhere/start", &json!({})).await;
    assert_problem(unknown, 404, "not_found").await;
    for off_site in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "/gallery\\..\\x",
    ] {
        let refused = app
            .post("/v1/auth/sso/corp/start", &json!({"return_to": off_site}))
            .await;
        assert_problem(refused, 422, "validation_failed").await;
    }
    assert_eq!(users(&app).await, 0);
}

#[tokio::test]
async fn id_tokens_that_fail_verification_and_unverified_addresses_make_nothing() {
    let idp = idp().await;
    let forger = Forger::start(&idp).await;
    let app = app_for(&forger.issuer, &[]).await;

    for forgery in [
        Forgery::OtherAudience,
        Forgery::Expired,
        Forgery::OtherNonce,
        Forgery::BrokenSignature,
        Forgery::OtherIssuer,
        Forgery::Unsigned,
        Forgery::UnknownKey,
    ] {
        forger.forge(forgery);
        let back = sign_in_as(&app, "corp", "alice").await;
        assert_eq!(
            location(&back),
            "/login?sso_error=token_rejected",
            "{forgery:?}"
        );
        assert!(cookie(&back, "zimage_refresh").is_none(), "{forgery:?}");
    }
    assert_eq!(users(&app).await, 0);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM sso_pending").await,
        0
    );

    // The same tokens, honestly signed, are accepted: the refusals above were the forgeries'.
    forger.forge(Forgery::Honest);
    let landing = location(&sign_in_as(&app, "corp", "alice").await);
    assert!(landing.starts_with("/signup/finish#token="), "{landing}");

    // An address the provider did not verify makes no account and no offer.
    let before = count(&app, "SELECT count(*) AS n FROM sso_pending").await;
    let back = sign_in_as(&app, "corp", "bob").await;
    assert_eq!(location(&back), "/login?sso_error=email_unverified");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM sso_pending").await,
        before
    );
    assert_eq!(users(&app).await, 0);
}

#[tokio::test]
async fn rotated_provider_keys_are_fetched_again() {
    let idp = idp().await;
    let app = app_for(&idp.issuer, &[]).await;
    let landing = location(&sign_in_as(&app, "corp", "alice").await);
    finish_signup(&app, &landing).await;
    // New keys, the old ones no longer published: the cached set no longer has the signer.
    idp.rotate_keys(false).await;
    let back = sign_in_as(&app, "corp", "alice").await;
    assert_eq!(location(&back), "/create");
    idp.rotate_keys(true).await;
    assert_eq!(
        location(&sign_in_as(&app, "corp", "alice").await),
        "/create"
    );
}

#[tokio::test]
async fn an_existing_account_is_linked_only_when_its_owner_confirms_from_the_mailbox() {
    let idp = idp().await;
    let app = app_for(&idp.issuer, &[]).await;
    // An account whose address was never confirmed (perhaps someone else's squat) gets no
    // offer: the mailbox's owner takes it over with "Forgot password" first.
    assert_eq!(
        app.signup("alice@example.test").await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        location(&sign_in_as(&app, "corp", "alice").await),
        "/login?sso_error=account_unverified"
    );
    assert!(
        app.mails_to("alice@example.test")
            .iter()
            .all(|m| !m.contains("/sso/link#token="))
    );

    let carol = app.signed_in_user("carol@example.test").await;

    let back = sign_in_as(&app, "corp", "carol").await;
    assert_eq!(location(&back), "/login?sso=link_sent");
    assert!(cookie(&back, "zimage_refresh").is_none());
    assert_eq!(identities(&app).await, 0);
    let mails = app.mails_eventually("carol@example.test", 2).await;
    let token = mails
        .iter()
        .find_map(|m| crate::helpers::token_after(m, "/sso/link#token="))
        .expect("a link to connect the sign-in");
    // Signing in again before confirming still does not open the account.
    assert_eq!(
        location(&sign_in_as(&app, "corp", "carol").await),
        "/login?sso=link_sent"
    );

    let confirmed = app
        .post("/v1/auth/sso/link/confirm", &json!({"token": token}))
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    assert!(
        app.mail_arrives("carol@example.test", "A new way to sign in was added")
            .await
    );
    let again = app
        .post("/v1/auth/sso/link/confirm", &json!({"token": token}))
        .await;
    assert_problem(again, 400, "invalid_token").await;

    let back = sign_in_as(&app, "corp", "carol").await;
    assert_eq!(location(&back), "/create");
    let refresh = cookie(&back, "zimage_refresh").unwrap();
    let tokens: Value = app
        .post("/v1/auth/refresh", &json!({"refresh_token": refresh}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tokens["user"]["id"], json!(user_id(&carol).to_string()));
    let events = app.get_json("/v1/me/security-events", &carol.access).await;
    assert!(events.to_string().contains("identity.linked"), "{events}");
}

#[tokio::test]
async fn a_signed_in_user_links_and_unlinks_while_another_way_to_sign_in_remains() {
    let idp = idp().await;
    let app = app_for(&idp.issuer, &[]).await;
    let erin = app.signed_in_user("erin@example.test").await;
    let frank = app.signed_in_user("frank@example.test").await;

    // A session alone does not add a way in: the password is asked, as for a new password.
    for password in [None, Some("not the password")] {
        let mut body = json!({"provider": "corp"});
        if let Some(password) = password {
            body["password"] = json!(password);
        }
        let refused = app
            .post_auth("/v1/me/identities", &erin.access, &body)
            .await;
        let problem = assert_problem(refused, 422, "validation_failed").await;
        assert!(problem["errors"]["password"].is_array(), "{problem}");
    }
    let unknown = app
        .post_auth(
            "/v1/me/identities",
            &erin.access,
            &json!({"provider": "elsewhere", "password": PASSWORD}),
        )
        .await;
    assert_problem(unknown, 422, "validation_failed").await;

    // Erin links the provider's "carol" account to hers (a different address is fine: she is
    // signed in and signed in there).
    assert_eq!(link_as(&app, &erin, "carol").await, "/security?linked=corp");
    let methods = app.get_json("/v1/me/identities", &erin.access).await;
    assert_eq!(methods["password"], true);
    assert_eq!(methods["identities"].as_array().unwrap().len(), 1);
    let id = methods["identities"][0]["id"].as_str().unwrap().to_string();
    assert!(
        app.mail_arrives("erin@example.test", "A new way to sign in was added")
            .await
    );

    // The same provider account cannot be linked to Frank too.
    assert_eq!(
        link_as(&app, &frank, "carol").await,
        "/security?sso_error=identity_taken"
    );
    // Nor a second account at the same provider to Erin.
    assert_eq!(
        link_as(&app, &erin, "alice").await,
        "/security?sso_error=provider_already_linked"
    );
    // A connection belongs to the session that asked: signed out meanwhile, nothing is linked.
    let gina = app.signed_in_user("gina@example.test").await;
    let (back, flow) = to_the_way_back(
        &app,
        "/v1/me/identities",
        Some(&gina.access),
        json!({"provider": "corp", "login_hint": "dave", "password": PASSWORD}),
    )
    .await;
    let signed_out = app
        .post_auth(
            "/v1/auth/logout",
            &gina.access,
            &json!({"refresh_token": gina.refresh}),
        )
        .await;
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        location(&come_back(&app, &back, Some(&flow)).await),
        "/security?sso_error=state_mismatch"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM identities WHERE subject = 'dave'"
        )
        .await,
        0
    );

    // Signing in as "carol" at the provider opens Erin's account.
    let back = sign_in_as(&app, "corp", "carol").await;
    assert_eq!(location(&back), "/create");

    // Frank cannot see or remove Erin's identity; API keys cannot manage identities.
    assert_problem(
        app.delete_auth(&format!("/v1/me/identities/{id}"), &frank.access)
            .await,
        404,
        "not_found",
    )
    .await;
    let key = app.api_key(&erin, &["profile:write"]).await;
    assert_problem(
        app.delete_auth(&format!("/v1/me/identities/{id}"), &key)
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.get_auth("/v1/me/identities", &key).await,
        403,
        "forbidden",
    )
    .await;

    // Erin has a password, so the identity can go.
    let removed = app
        .delete_auth(&format!("/v1/me/identities/{id}"), &erin.access)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert!(
        app.mail_arrives("erin@example.test", "A way to sign in was removed")
            .await
    );
    assert_eq!(identities(&app).await, 0);

    // An account made at the provider cannot remove its only way in.
    let landing = location(&sign_in_as(&app, "corp", "alice").await);
    let tokens: Value = finish_signup(&app, &landing).await.json().await.unwrap();
    let alice = tokens["access_token"].as_str().unwrap();
    let methods = app.get_json("/v1/me/identities", alice).await;
    let only = methods["identities"][0]["id"].as_str().unwrap();
    let kept = app
        .delete_auth(&format!("/v1/me/identities/{only}"), alice)
        .await;
    assert_problem(kept, 409, "conflict").await;
    assert_eq!(identities(&app).await, 1);
}

#[tokio::test]
async fn two_factor_authentication_is_still_asked_after_the_provider() {
    let idp = idp().await;
    let app = app_for(&idp.issuer, &[("ZIMAGE_PUBLIC_URL", SECURE_URL)]).await;
    let carol = app.signed_in_user("carol@example.test").await;
    crate::two_factor::turn_on(&app, &carol).await;
    // Linking needs the fresh second factor turning it on gave this session.
    assert_eq!(
        link_as(&app, &carol, "carol").await,
        "/security?linked=corp"
    );

    let back = sign_in_as(&app, "corp", "carol").await;
    let landing = location(&back);
    assert!(landing.starts_with("/login#second_factor="), "{landing}");
    assert!(cookie(&back, "zimage_refresh").is_none_or(|c| c.is_empty()));
    // The challenge takes a code, as after a password; a wrong one is refused.
    let challenge = fragment_token(&landing, "/login#second_factor=");
    let wrong = app
        .post(
            "/v1/auth/login/second-factor",
            &json!({"challenge": challenge, "code": "000000"}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);

    // Once the account has a passkey, the sign-in page is told it may answer instead.
    let mut phone = zimage_api::testing::passkey::SoftAuthenticator::new(SECURE_URL);
    crate::passkeys::add_passkey(&app, &carol, &mut phone, "Phone").await;
    let back = sign_in_as(&app, "corp", "carol").await;
    let landing = location(&back);
    let asked = fragment_token(&landing, "/login#second_factor=");
    let challenge = asked
        .strip_suffix("&passkey")
        .unwrap_or_else(|| panic!("{landing} offers no passkey"));
    let options: Value = app
        .post("/v1/auth/passkey/options", &json!({"challenge": challenge}))
        .await
        .json()
        .await
        .unwrap();
    let answered = app
        .post(
            "/v1/auth/passkey",
            &json!({
                "ceremony": options["ceremony"],
                "credential": phone.get(&options["public_key"], 0),
                "challenge": challenge,
            }),
        )
        .await;
    assert_eq!(answered.status(), StatusCode::OK);

    // Started from a page that asked to come back: the sign-in page is told where.
    let (back, flow) = to_the_way_back(
        &app,
        "/v1/auth/sso/corp/start",
        None,
        json!({"login_hint": "carol", "return_to": "/gallery?q=café&page=2"}),
    )
    .await;
    let landing = location(&come_back(&app, &back, Some(&flow)).await);
    assert!(
        landing.starts_with("/login?next=%2Fgallery%3Fq%3Dcaf%25C3%25A9%26page%3D2#second_factor="),
        "{landing}"
    );
}

#[tokio::test]
async fn operators_can_close_password_sign_up_and_invite_only_applies_to_providers_too() {
    let idp = idp().await;
    let app = app_for(
        &idp.issuer,
        &[
            ("ZIMAGE_PASSWORD_SIGNUP", "false"),
            ("ZIMAGE_SIGNUP", "invite"),
            ("ZIMAGE_SIGNUP_DOMAINS", "corp.example"),
        ],
    )
    .await;
    let options: Value = app
        .client
        .get(app.url("/v1/auth/signup-options"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(options["password_signup"], json!(false));
    let refused = app
        .post(
            "/v1/auth/signup",
            &json!({"email": "dave@corp.example", "password": PASSWORD, "accept_terms": true, "age_confirmed": true}),
        )
        .await;
    assert_problem(refused, 403, "password_signup_disabled").await;

    // Without an invitation only the allowed domain gets an offer.
    assert_eq!(
        location(&sign_in_as(&app, "corp", "alice").await),
        "/login?sso_error=invitation_required"
    );
    let landing = location(&sign_in_as(&app, "corp", "dave").await);
    assert_eq!(finish_signup(&app, &landing).await.status(), StatusCode::OK);

    // With one, Alice's offer is made and her sign-up spends it.
    let admin = crate::helpers::signed_in_admin(&app).await;
    let made = app
        .post_auth("/v1/admin/invitations", &admin.access, &json!({}))
        .await;
    let link = made.json::<Value>().await.unwrap()["link"]
        .as_str()
        .unwrap()
        .to_string();
    let invitation = link.split_once("invitation=").unwrap().1.to_string();
    let (back, flow) = to_the_way_back(
        &app,
        "/v1/auth/sso/corp/start",
        None,
        json!({"login_hint": "alice", "invitation": invitation}),
    )
    .await;
    let landing = location(&come_back(&app, &back, Some(&flow)).await);
    assert_eq!(finish_signup(&app, &landing).await.status(), StatusCode::OK);
    let listed = app.get_json("/v1/admin/invitations", &admin.access).await;
    assert_eq!(listed["items"][0]["uses"], json!(1), "{listed}");
}

#[tokio::test]
async fn github_signs_in_with_its_verified_primary_address() {
    let github = GithubFake::start(vec![
        GithubUser {
            id: 583231,
            login: "octocat".into(),
            name: Some("The Octocat".into()),
            emails: vec![
                ("octocat@github.test".into(), true, true),
                ("old@github.test".into(), false, true),
            ],
        },
        GithubUser {
            id: 9,
            login: "unverified".into(),
            name: None,
            emails: vec![("nobody@github.test".into(), true, false)],
        },
    ]);
    let app = spawn_app_with(&[
        ("ZIMAGE_SSO", "github"),
        ("ZIMAGE_SSO_GITHUB_URL", &github.url),
        ("ZIMAGE_SSO_GITHUB_API_URL", &github.api_url()),
        ("ZIMAGE_SSO_GITHUB_CLIENT_ID", CLIENT_ID),
        ("ZIMAGE_SSO_GITHUB_CLIENT_SECRET", CLIENT_SECRET),
    ])
    .await;
    let options: Value = app
        .client
        .get(app.url("/v1/auth/signup-options"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        options["providers"],
        json!([{"id": "github", "name": "GitHub", "kind": "github"}])
    );

    let landing = location(&sign_in_as(&app, "github", "octocat").await);
    let token = fragment_token(&landing, "/signup/finish#token=");
    let details: Value = app
        .post("/v1/auth/sso/signup/details", &json!({"token": token}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(details["email"], "octocat@github.test");
    let tokens: Value = finish_signup(&app, &landing).await.json().await.unwrap();
    let methods = app
        .get_json(
            "/v1/me/identities",
            tokens["access_token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(methods["identities"][0]["username"], "octocat");
    assert_eq!(
        location(&sign_in_as(&app, "github", "octocat").await),
        "/create"
    );

    assert_eq!(
        location(&sign_in_as(&app, "github", "unverified").await),
        "/login?sso_error=email_unverified"
    );
    assert_eq!(users(&app).await, 1);
}
