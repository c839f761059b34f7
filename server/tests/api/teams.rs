//! Teams: people signed in with a password and a session cookie, roles enforced on every write
//! route, invitations, the last-owner rule, API keys, isolation between publishers, and the
//! hash-chained audit record of each action.

use std::time::{Duration, Instant};

use portal_domain::accounts::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, V};

/// A good password (zxcvbn 4 of 4).
pub const PASSWORD: &str = "violet tugboat canyon 42";

/// A browser: the session cookie from a sign-in, sent back with the app's header and origin.
pub struct Browser {
    base: String,
    cookie: String,
    client: reqwest::Client,
}

impl Browser {
    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header("Cookie", format!("portal_session={}", self.cookie))
            .header("X-Requested-With", "partner-portal")
            .header("Origin", &self.base)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// Makes a member of `contoso` (or another publisher) with the password set.
pub async fn member(app: &TestApp, publisher: &str, email: &str, name: &str, role: Role) {
    portal_server::accounts::users::create_user(
        &app.store,
        &url::Url::parse("http://portal.example/").unwrap(),
        publisher,
        email,
        role,
        Some(name),
        Some(PASSWORD.into()),
    )
    .await
    .unwrap();
}

async fn sign_in_raw(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/session"))
        .header("X-Requested-With", "partner-portal")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("portal_session="))
        .map(str::to_owned)
}

pub async fn sign_in(app: &TestApp, email: &str) -> Browser {
    let res = sign_in_raw(app, email, PASSWORD).await;
    assert_eq!(res.status(), 200, "sign-in of {email}");
    let cookie = session_cookie(&res).expect("Set-Cookie");
    let value = cookie
        .trim_start_matches("portal_session=")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    Browser {
        base: app.url(""),
        cookie: value,
        client: reqwest::Client::new(),
    }
}

/// Polls until `done` holds for the answer of `GET path` (credentials are cached for a second).
async fn until(b: &Browser, path: &str, done: impl Fn(StatusCode) -> bool) -> StatusCode {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (s, _) = b.call(Method::GET, path, None).await;
        if done(s) || Instant::now() > deadline {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(app.store.pool()).await.unwrap();
}

api_test!(sign_in_sets_an_http_only_strict_cookie_and_sign_out_ends_it);
async fn sign_in_sets_an_http_only_strict_cookie_and_sign_out_ends_it() {
    let app = TestApp::spawn().await;
    member(
        &app,
        "contoso",
        "owner@contoso.example",
        "Olivia Owner",
        Role::Owner,
    )
    .await;
    let res = sign_in_raw(&app, "Owner@Contoso.example", PASSWORD).await;
    assert_eq!(res.status(), 200);
    let cookie = session_cookie(&res).unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["user"]["displayName"], "Olivia Owner");
    assert_eq!(
        me["memberships"],
        json!([{"publisherId": "contoso", "role": "owner"}])
    );

    let b = sign_in(&app, "owner@contoso.example").await;
    let (s, me) = b.call(Method::GET, "/api/me", None).await;
    assert_eq!(
        (s, me["user"]["email"].as_str()),
        (StatusCode::OK, Some("owner@contoso.example"))
    );
    // The session is stored hashed: its cookie value appears nowhere in the database.
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE secret_hash = $1 OR id = $1")
            .bind(&b.cookie)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(n, 0);
    let (s, sessions) = b.call(Method::GET, "/api/me/sessions", None).await;
    assert_eq!(s, 200);
    assert_eq!(sessions.as_array().unwrap().len(), 2);
    assert!(
        !sessions.to_string().contains(&b.cookie),
        "no secret in the list"
    );

    let res = b.req(Method::DELETE, "/api/session").send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert!(session_cookie(&res).unwrap().contains("Max-Age=0"));
    assert_eq!(b.call(Method::GET, "/api/me", None).await.0, 401);

    // Behind https the cookie is Secure.
    let https = TestApp::spawn_with(|c| c.public_url = Some("https://portal.example".into())).await;
    member(&https, "contoso", "owner@contoso.example", "O", Role::Owner).await;
    let res = sign_in_raw(&https, "owner@contoso.example", PASSWORD).await;
    assert!(session_cookie(&res).unwrap().contains("Secure"));
}

api_test!(sessions_end_when_idle_and_at_their_absolute_expiry);
async fn sessions_end_when_idle_and_at_their_absolute_expiry() {
    let app = TestApp::spawn().await;
    member(&app, "contoso", "a@contoso.example", "A", Role::Viewer).await;
    let idle = sign_in(&app, "a@contoso.example").await;
    let old = sign_in(&app, "a@contoso.example").await;
    let fresh = sign_in(&app, "a@contoso.example").await;
    assert_eq!(idle.call(Method::GET, "/api/me", None).await.0, 200);
    let hash = |c: &str| portal_server::accounts::hash_secret(c);
    // Unused for longer than the idle time (8 h in the test configuration).
    exec(&app, &format!("UPDATE sessions SET last_seen_ms = last_seen_ms - 9 * 3600 * 1000 WHERE secret_hash = '{}'", hash(&idle.cookie))).await;
    // Past its absolute expiry, though used a moment ago.
    exec(
        &app,
        &format!(
            "UPDATE sessions SET expires_ms = 1 WHERE secret_hash = '{}'",
            hash(&old.cookie)
        ),
    )
    .await;
    assert_eq!(until(&idle, "/api/me", |s| s == 401).await, 401);
    assert_eq!(until(&old, "/api/me", |s| s == 401).await, 401);
    assert_eq!(fresh.call(Method::GET, "/api/me", None).await.0, 200);
    // Signing out everywhere ends the rest.
    assert_eq!(
        fresh.call(Method::DELETE, "/api/me/sessions", None).await.0,
        204
    );
    assert_eq!(fresh.call(Method::GET, "/api/me", None).await.0, 401);
}

api_test!(cookie_writes_need_the_apps_header_and_origin);
async fn cookie_writes_need_the_apps_header_and_origin() {
    let app = TestApp::spawn().await;
    member(
        &app,
        "contoso",
        "dev@contoso.example",
        "Dana",
        Role::Developer,
    )
    .await;
    let b = sign_in(&app, "dev@contoso.example").await;
    let path = format!("/api/publishers/contoso/offers/o1?{V}");
    let doc = json!({"definition": {"displayText": "One"}});
    let cookie = format!("portal_session={}", b.cookie);
    let bare = b
        .client
        .put(app.url(&path))
        .header("Cookie", &cookie)
        .json(&doc)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 403);
    let body: Value = bare.json().await.unwrap();
    assert_eq!(body["error"]["code"], "CsrfRefused");
    let foreign = b
        .client
        .put(app.url(&path))
        .header("Cookie", &cookie)
        .header("X-Requested-With", "partner-portal")
        .header("Origin", "https://evil.example")
        .json(&doc)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    assert!(foreign.text().await.unwrap().contains("evil.example"));
    assert_eq!(
        app.get_offer("o1").await.status(),
        404,
        "nothing was written"
    );
    // Reads need neither; the app's writes pass; bearer calls are unaffected.
    let read = b
        .client
        .get(app.url(&path))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 404);
    assert_eq!(
        b.req(Method::PUT, &path)
            .json(&doc)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(app.put_offer("o2", &doc, None).await.status(), 201);
    // A sign-in without the header is refused too (login CSRF).
    let res = app
        .client
        .post(app.url("/api/session"))
        .json(&json!({"email": "dev@contoso.example", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

api_test!(failed_sign_ins_look_alike_then_wait_longer_then_lock);
async fn failed_sign_ins_look_alike_then_wait_longer_then_lock() {
    let app = TestApp::spawn().await;
    member(&app, "contoso", "a@contoso.example", "A", Role::Owner).await;
    let unknown = sign_in_raw(&app, "nobody@contoso.example", "wrong password 1").await;
    let wrong = sign_in_raw(&app, "a@contoso.example", "wrong password 1").await;
    assert_eq!(
        (unknown.status(), wrong.status()),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        unknown.text().await.unwrap(),
        wrong.text().await.unwrap(),
        "the same answer"
    );
    for _ in 0..2 {
        assert_eq!(
            sign_in_raw(&app, "a@contoso.example", "nope")
                .await
                .status(),
            401
        );
    }
    // After three failures: a wait, growing with each further failure.
    let mut waits = Vec::new();
    for _ in 0..6 {
        let res = sign_in_raw(&app, "a@contoso.example", PASSWORD).await;
        assert_eq!(res.status(), 429, "even the right password waits");
        waits.push(
            res.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap(),
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "TooManySignIns");
        // Let the wait pass (instead of sleeping through it), then fail again.
        exec(&app, "UPDATE sign_in_failures SET blocked_until_ms = 0").await;
        assert_eq!(
            sign_in_raw(&app, "a@contoso.example", "nope")
                .await
                .status(),
            401
        );
    }
    assert_eq!(waits, [1, 2, 4, 8, 16, 32]);
    exec(&app, "UPDATE sign_in_failures SET blocked_until_ms = 0").await;
    assert_eq!(
        sign_in_raw(&app, "a@contoso.example", "nope")
            .await
            .status(),
        401
    );
    let res = sign_in_raw(&app, "a@contoso.example", PASSWORD).await;
    assert_eq!(res.status(), 429);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "SignInLocked");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("15 minutes"),
        "{body}"
    );
    // Another account from the same address is not locked.
    member(&app, "contoso", "b@contoso.example", "B", Role::Owner).await;
    assert_eq!(
        sign_in_raw(&app, "b@contoso.example", PASSWORD)
            .await
            .status(),
        200
    );
}

/// What each write route needs, as the table says. A route missing here fails
/// [`every_role_against_every_write_route`].
const WRITES: &[(&str, &str, &str, Option<Role>)] = &[
    (
        "put",
        "/api/publishers/{publisher}/offers/{offer}",
        "edit",
        Some(Role::Developer),
    ),
    (
        "post",
        "/api/publishers/{publisher}/offers/{offer}/image-checks",
        "edit",
        Some(Role::Developer),
    ),
    (
        "post",
        "/api/publishers/{publisher}/offers/{offer}/publish",
        "publish",
        Some(Role::Developer),
    ),
    (
        "post",
        "/api/publishers/{publisher}/offers/{offer}/cancel",
        "publish",
        Some(Role::Developer),
    ),
    (
        "post",
        "/api/publishers/{publisher}/offers/{offer}/golive",
        "goLive",
        Some(Role::Manager),
    ),
    (
        "put",
        "/api/publishers/{publisher}/members/{user}",
        "manageTeam",
        Some(Role::Owner),
    ),
    (
        "delete",
        "/api/publishers/{publisher}/members/{user}",
        "manageTeam",
        Some(Role::Owner),
    ),
    (
        "post",
        "/api/publishers/{publisher}/invitations",
        "manageTeam",
        Some(Role::Owner),
    ),
    (
        "delete",
        "/api/publishers/{publisher}/invitations/{invitation}",
        "manageTeam",
        Some(Role::Owner),
    ),
    (
        "post",
        "/api/publishers/{publisher}/api-keys",
        "manageTeam",
        Some(Role::Owner),
    ),
    (
        "delete",
        "/api/publishers/{publisher}/api-keys/{key}",
        "manageTeam",
        Some(Role::Owner),
    ),
    // Owners-only reads.
    (
        "get",
        "/api/publishers/{publisher}/invitations",
        "manageTeam",
        Some(Role::Owner),
    ),
    (
        "get",
        "/api/publishers/{publisher}/api-keys",
        "manageTeam",
        Some(Role::Owner),
    ),
    (
        "get",
        "/api/publishers/{publisher}/audit.csv",
        "manageTeam",
        Some(Role::Owner),
    ),
    // Everyone's reads.
    (
        "get",
        "/api/publishers/{publisher}/offers",
        "read",
        Some(Role::Viewer),
    ),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}/status",
        "read",
        Some(Role::Viewer),
    ),
    (
        "get",
        "/api/publishers/{publisher}/members",
        "read",
        Some(Role::Viewer),
    ),
    (
        "get",
        "/api/publishers/{publisher}/audit",
        "read",
        Some(Role::Viewer),
    ),
];

api_test!(every_role_against_every_write_route);
async fn every_role_against_every_write_route() {
    // Every write route of a publisher is in the table.
    for r in portal_server::routes::all() {
        if r.method != "get" && r.path.starts_with("/api/publishers/") {
            assert!(
                WRITES
                    .iter()
                    .any(|(m, p, _, _)| *m == r.method && *p == r.path),
                "{} {} is missing from WRITES",
                r.method,
                r.path
            );
        }
    }
    let app = TestApp::spawn().await;
    app.put_offer("vm", &json!({"definition": {"displayText": "VM"}}), None)
        .await;
    let mut browsers = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@contoso.example", role.as_str());
        member(&app, "contoso", &email, role.as_str(), role).await;
        browsers.push((role, sign_in(&app, &email).await));
    }
    for (method, path, permission, least) in WRITES {
        let url = path
            .replace("{publisher}", "contoso")
            .replace("{offer}", "vm")
            .replace("{user}", "nobody")
            .replace("{invitation}", "nothing")
            .replace("{key}", "nothing");
        for (role, b) in &browsers {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, body) = b.call(m, &format!("{url}?{V}"), Some(json!({}))).await;
            let allowed = least.is_some_and(|l| *role >= l);
            if allowed {
                assert!(
                    status != 403 && status != 401,
                    "{role:?} {method} {path}: {status} {body}"
                );
            } else {
                assert_eq!(status, 403, "{role:?} {method} {path}: {body}");
                assert_eq!(body["error"]["code"], "Forbidden");
                let message = body["error"]["message"].as_str().unwrap();
                assert!(message.contains(&format!("`{permission}`")), "{message}");
            }
        }
    }
    let doc = app
        .get_json(&format!("/api/publishers/contoso/offers/vm?{V}"))
        .await
        .1;
    assert_eq!(
        doc["definition"]["displayText"], "VM",
        "nothing a refused write touched changed"
    );
}

api_test!(members_of_one_publisher_cannot_see_another);
async fn members_of_one_publisher_cannot_see_another() {
    let app = TestApp::spawn().await;
    app.put_offer("vm", &json!({"definition": {"displayText": "VM"}}), None)
        .await;
    member(&app, "fabrikam", "owner@fabrikam.example", "F", Role::Owner).await;
    let f = sign_in(&app, "owner@fabrikam.example").await;
    for path in [
        "/api/publishers/contoso/offers",
        "/api/publishers/contoso/offers/vm",
        "/api/publishers/contoso/members",
        "/api/publishers/contoso/audit",
    ] {
        let (s, body) = f.call(Method::GET, path, None).await;
        assert_eq!(s, 404, "{path}: {body}");
    }
    let (s, _) = f
        .call(
            Method::PUT,
            &format!("/api/publishers/contoso/offers/vm?{V}"),
            Some(json!({"definition": {"displayText": "Mine"}})),
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(
        f.call(Method::GET, "/api/publishers/fabrikam/offers", None)
            .await
            .0,
        200
    );
    let doc = app
        .get_json(&format!("/api/publishers/contoso/offers/vm?{V}"))
        .await
        .1;
    assert_eq!(doc["definition"]["displayText"], "VM");
}

api_test!(an_invitation_goes_out_is_accepted_once_and_makes_a_member);
async fn an_invitation_goes_out_is_accepted_once_and_makes_a_member() {
    let app = TestApp::spawn().await;
    member(
        &app,
        "contoso",
        "owner@contoso.example",
        "Olivia Owner",
        Role::Owner,
    )
    .await;
    let owner = sign_in(&app, "owner@contoso.example").await;
    let invite =
        |email: &str| json!({"email": email, "as": {"kind": "member", "role": "developer"}});
    let (s, bad) = owner
        .call(
            Method::POST,
            "/api/publishers/contoso/invitations",
            Some(invite("not an address")),
        )
        .await;
    assert_eq!(
        (s, bad["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("InvalidEmail"))
    );
    let (s, created) = owner
        .call(
            Method::POST,
            "/api/publishers/contoso/invitations",
            Some(invite("Dev@Contoso.example")),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let link = created["link"].as_str().unwrap();
    let token = link.split("#token=").nth(1).unwrap();
    assert!(link.starts_with(&app.url("/invitation#token=")), "{link}");
    // The mail is in the outbox with the link, and in no publisher's notifications list.
    let (body,): (String,) = sqlx::query_as(
        "SELECT body FROM outbox WHERE kind = 'invitation' AND recipients = 'dev@contoso.example'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert!(
        body.contains(link) && body.contains("Olivia Owner"),
        "{body}"
    );
    let (_, notes) = owner
        .call(Method::GET, "/api/publishers/contoso/notifications", None)
        .await;
    assert!(!notes.to_string().contains(token));
    // The list never shows the token again.
    let (_, list) = owner
        .call(Method::GET, "/api/publishers/contoso/invitations", None)
        .await;
    assert_eq!(list[0]["state"], "pending");
    assert!(!list.to_string().contains(token));

    let anon = |path: &str, body: Value| {
        app.client
            .post(app.url(path))
            .header("X-Requested-With", "partner-portal")
            .json(&body)
            .send()
    };
    let offer: Value = anon("/api/invitations/lookup", json!({"token": token}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            offer["accountExists"].as_bool(),
            offer["invitedBy"].as_str()
        ),
        (Some(false), Some("Olivia Owner"))
    );
    // A weak password, or none of a name, changes nothing.
    for (pw, name) in [
        ("short", "Dana"),
        ("dev@contoso.example", "Dana"),
        ("password123456", "Dana"),
        (PASSWORD, ""),
    ] {
        let res = anon(
            "/api/invitations/accept",
            json!({"token": token, "password": pw, "displayName": name}),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 422, "{pw:?} {name:?}");
    }
    let res = anon(
        "/api/invitations/accept",
        json!({"token": token, "password": PASSWORD, "displayName": "Dana Developer"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    assert!(session_cookie(&res).is_some(), "accepting signs in");
    let dev = sign_in(&app, "dev@contoso.example").await;
    let (_, me) = dev.call(Method::GET, "/api/me", None).await;
    assert_eq!(me.pointer("/memberships/0/role"), Some(&json!("developer")));
    // Once only.
    let again = anon(
        "/api/invitations/accept",
        json!({"token": token, "password": PASSWORD}),
    )
    .await
    .unwrap();
    assert_eq!(again.status(), 410);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["error"]["code"], "LinkUsed");
    let (_, list) = owner
        .call(Method::GET, "/api/publishers/contoso/invitations", None)
        .await;
    assert_eq!(list[0]["state"], "accepted");
    let (_, members) = owner
        .call(Method::GET, "/api/publishers/contoso/members", None)
        .await;
    let names: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Dana Developer", "Olivia Owner"]);

    // An expired link and a revoked one are refused with their reasons.
    let (_, e) = owner
        .call(
            Method::POST,
            "/api/publishers/contoso/invitations",
            Some(invite("late@contoso.example")),
        )
        .await;
    let late = e["link"]
        .as_str()
        .unwrap()
        .split("#token=")
        .nth(1)
        .unwrap()
        .to_owned();
    exec(
        &app,
        &format!(
            "UPDATE links SET expires_ms = 1 WHERE id = '{}'",
            e["invitation"]["id"].as_str().unwrap()
        ),
    )
    .await;
    let res = anon("/api/invitations/lookup", json!({"token": late}))
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["code"],
        "LinkExpired"
    );
    let (_, r) = owner
        .call(
            Method::POST,
            "/api/publishers/contoso/invitations",
            Some(invite("gone@contoso.example")),
        )
        .await;
    let gone = r["link"]
        .as_str()
        .unwrap()
        .split("#token=")
        .nth(1)
        .unwrap()
        .to_owned();
    let id = r["invitation"]["id"].as_str().unwrap();
    assert_eq!(
        owner
            .call(
                Method::DELETE,
                &format!("/api/publishers/contoso/invitations/{id}"),
                None
            )
            .await
            .0,
        204
    );
    let res = anon(
        "/api/invitations/accept",
        json!({"token": gone, "password": PASSWORD, "displayName": "G"}),
    )
    .await
    .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["code"],
        "LinkRevoked"
    );
    assert!(
        portal_server::accounts::store::user_by_email(&app.store, "gone@contoso.example")
            .await
            .unwrap()
            .is_none()
    );
}

api_test!(the_last_owner_can_be_neither_removed_nor_demoted);
async fn the_last_owner_can_be_neither_removed_nor_demoted() {
    let app = TestApp::spawn().await;
    member(&app, "contoso", "owner@contoso.example", "O", Role::Owner).await;
    let owner = sign_in(&app, "owner@contoso.example").await;
    let (_, me) = owner.call(Method::GET, "/api/me", None).await;
    let id = me["user"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/publishers/contoso/members/{id}");
    let (s, body) = owner
        .call(Method::PUT, &path, Some(json!({"role": "manager"})))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("LastOwner"))
    );
    assert_eq!(owner.call(Method::DELETE, &path, None).await.0, 409);
    member(&app, "contoso", "second@contoso.example", "S", Role::Owner).await;
    let (s, body) = owner
        .call(Method::PUT, &path, Some(json!({"role": "manager"})))
        .await;
    assert_eq!(
        (s, body["role"].as_str()),
        (StatusCode::OK, Some("manager"))
    );
    // Demoted, the next request has the new role.
    let (s, _) = owner
        .call(Method::GET, "/api/publishers/contoso/api-keys", None)
        .await;
    assert_eq!(s, 403);
}

api_test!(api_keys_are_shown_once_limited_and_revoked_at_once);
async fn api_keys_are_shown_once_limited_and_revoked_at_once() {
    let app = TestApp::spawn().await;
    for o in ["a", "b"] {
        app.put_offer(o, &json!({"definition": {"displayText": o}}), None)
            .await;
    }
    member(
        &app,
        "contoso",
        "owner@contoso.example",
        "Olivia Owner",
        Role::Owner,
    )
    .await;
    let owner = sign_in(&app, "owner@contoso.example").await;
    let keys = "/api/publishers/contoso/api-keys";
    let (s, bad) = owner
        .call(
            Method::POST,
            keys,
            Some(json!({"name": "ci", "role": "developer", "offers": ["nope"]})),
        )
        .await;
    assert_eq!(s, 422, "{bad}");
    let (s, created) = owner
        .call(
            Method::POST,
            keys,
            Some(json!({"name": "ci", "role": "developer", "offers": ["a"]})),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("pp_"));
    let (_, list) = owner.call(Method::GET, keys, None).await;
    assert!(!list.to_string().contains(&secret), "never shown again");
    let key = list
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "ci")
        .unwrap();
    assert_eq!(
        (key["createdBy"].as_str(), key["role"].as_str()),
        (Some("Olivia Owner"), Some("developer"))
    );

    let with_key = |m: Method, p: &str| app.client.request(m, app.url(p)).bearer_auth(&secret);
    let get = |p: &str| with_key(Method::GET, p).send();
    assert_eq!(
        get(&format!("/api/publishers/contoso/offers/a?{V}"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        get(&format!("/api/publishers/contoso/offers/b?{V}"))
            .await
            .unwrap()
            .status(),
        404,
        "limited to a"
    );
    let listed: Value = get(&format!("/api/publishers/contoso/offers?{V}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .or(listed.as_array())
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().or(o["offerId"].as_str()).unwrap_or(""))
        .collect();
    assert_eq!(ids, ["a"], "{listed}");
    let golive = with_key(
        Method::POST,
        &format!("/api/publishers/contoso/offers/a/golive?{V}"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(golive.status(), 403, "a developer key cannot go live");
    let (_, me) = (
        StatusCode::OK,
        get("/api/me").await.unwrap().json::<Value>().await.unwrap(),
    );
    assert_eq!(me["key"]["name"], "ci");
    let used: (Option<i64>,) = sqlx::query_as("SELECT last_used_ms FROM tokens WHERE name = 'ci'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(used.0.is_some(), "last use recorded");

    let id = key["id"].as_str().unwrap();
    assert_eq!(
        owner
            .call(Method::DELETE, &format!("{keys}/{id}"), None)
            .await
            .0,
        204
    );
    assert_eq!(
        get(&format!("/api/publishers/contoso/offers/a?{V}"))
            .await
            .unwrap()
            .status(),
        401,
        "the next request"
    );

    // A removed member's keys stop working at once; an expired key too.
    member(
        &app,
        "contoso",
        "second@contoso.example",
        "Sam Second",
        Role::Owner,
    )
    .await;
    let second = sign_in(&app, "second@contoso.example").await;
    let (_, k2) = second
        .call(
            Method::POST,
            keys,
            Some(json!({"name": "k2", "role": "owner"})),
        )
        .await;
    let s2 = k2["secret"].as_str().unwrap().to_owned();
    let (_, k3) = owner
        .call(
            Method::POST,
            keys,
            Some(json!({"name": "k3", "role": "viewer", "expiresAt": "2099-01-01T00:00:00Z"})),
        )
        .await;
    let s3 = k3["secret"].as_str().unwrap().to_owned();
    let status_with = |s: String| {
        let c = app.client.clone();
        let url = app.url(&format!("/api/publishers/contoso/offers?{V}"));
        async move { c.get(url).bearer_auth(s).send().await.unwrap().status() }
    };
    assert_eq!(status_with(s2.clone()).await, 200);
    let (_, me2) = second.call(Method::GET, "/api/me", None).await;
    let uid = me2["user"]["id"].as_str().unwrap();
    assert_eq!(
        owner
            .call(
                Method::DELETE,
                &format!("/api/publishers/contoso/members/{uid}"),
                None
            )
            .await
            .0,
        204
    );
    assert_eq!(status_with(s2).await, 401);
    assert_eq!(
        second
            .call(Method::GET, "/api/publishers/contoso/offers", None)
            .await
            .0,
        404,
        "their session no longer reaches contoso"
    );
    assert_eq!(status_with(s3.clone()).await, 200);
    exec(&app, "UPDATE tokens SET expires_ms = 1 WHERE name = 'k3'").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while status_with(s3.clone()).await != 401 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status_with(s3).await, 401, "expired");
}

api_test!(every_action_is_in_the_audit_record_and_tampering_shows);
async fn every_action_is_in_the_audit_record_and_tampering_shows() {
    let app = TestApp::spawn().await;
    member(
        &app,
        "contoso",
        "owner@contoso.example",
        "Olivia Owner",
        Role::Owner,
    )
    .await;
    member(
        &app,
        "contoso",
        "dev@contoso.example",
        "Dana Developer",
        Role::Developer,
    )
    .await;
    assert_eq!(
        sign_in_raw(&app, "dev@contoso.example", "not it at all")
            .await
            .status(),
        401
    );
    let owner = sign_in(&app, "owner@contoso.example").await;
    let dev = sign_in(&app, "dev@contoso.example").await;
    let path = format!("/api/publishers/contoso/offers/vm?{V}");
    assert_eq!(
        dev.call(
            Method::PUT,
            &path,
            Some(json!({"definition": {"displayText": "First"}}))
        )
        .await
        .0,
        201
    );
    let res = dev
        .req(Method::PUT, &path)
        .header("If-Match", "*")
        .json(&json!({"definition": {"displayText": "Second"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // An invalid draft's publish is refused (nothing audited); cancel with nothing running too.
    assert_eq!(
        dev.call(
            Method::POST,
            &format!("/api/publishers/contoso/offers/vm/publish?{V}"),
            Some(json!({"metadata": {"notification-emails": "a@x.com"}}))
        )
        .await
        .0,
        422
    );
    let (_, k) = owner
        .call(
            Method::POST,
            "/api/publishers/contoso/api-keys",
            Some(json!({"name": "ci", "role": "viewer"})),
        )
        .await;
    let kid = k["key"]["id"].as_str().unwrap();
    owner
        .call(
            Method::DELETE,
            &format!("/api/publishers/contoso/api-keys/{kid}"),
            None,
        )
        .await;
    let (_, me) = dev.call(Method::GET, "/api/me", None).await;
    let did = me["user"]["id"].as_str().unwrap();
    owner
        .call(
            Method::PUT,
            &format!("/api/publishers/contoso/members/{did}"),
            Some(json!({"role": "manager"})),
        )
        .await;

    let (s, page) = owner
        .call(Method::GET, "/api/publishers/contoso/audit?limit=200", None)
        .await;
    assert_eq!(s, 200);
    let entries = page["entries"].as_array().unwrap();
    let actions: Vec<(&str, &str)> = entries
        .iter()
        .rev()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    for want in [
        ("member.add", "portal-server user create"),
        ("session.signInFailed", "dev@contoso.example"),
        ("session.signIn", "Olivia Owner"),
        ("session.signIn", "Dana Developer"),
        ("offer.create", "Dana Developer"),
        ("offer.update", "Dana Developer"),
        ("apiKey.create", "Olivia Owner"),
        ("apiKey.revoke", "Olivia Owner"),
        ("member.role", "Olivia Owner"),
    ] {
        assert!(actions.contains(&want), "{want:?} in {actions:?}");
    }
    let update = entries
        .iter()
        .find(|e| e["action"] == "offer.update")
        .unwrap();
    assert_eq!(
        update["before"],
        json!({"/definition/displayText": "First"})
    );
    assert_eq!(
        update["after"],
        json!({"/definition/displayText": "Second"})
    );
    assert!(
        update["address"].as_str().unwrap().starts_with("127.0.0.1"),
        "{update}"
    );
    let role = entries
        .iter()
        .find(|e| e["action"] == "member.role")
        .unwrap();
    assert_eq!(
        (
            role["before"]["role"].as_str(),
            role["after"]["role"].as_str()
        ),
        (Some("developer"), Some("manager"))
    );

    // Filters and the cursor.
    let (_, only) = owner
        .call(
            Method::GET,
            "/api/publishers/contoso/audit?action=offer&actor=dana",
            None,
        )
        .await;
    let only: Vec<&str> = only["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(only, ["offer.update", "offer.create"]);
    let (_, first) = owner
        .call(Method::GET, "/api/publishers/contoso/audit?limit=2", None)
        .await;
    let cursor = first["nextCursor"].as_str().unwrap();
    let (_, next) = owner
        .call(
            Method::GET,
            &format!("/api/publishers/contoso/audit?limit=2&cursor={cursor}"),
            None,
        )
        .await;
    assert!(
        next["entries"][0]["seq"].as_i64().unwrap() < first["entries"][1]["seq"].as_i64().unwrap()
    );
    for bad in ["limit=0", "limit=x", "cursor=abc", "from=yesterday"] {
        let (s, body) = owner
            .call(
                Method::GET,
                &format!("/api/publishers/contoso/audit?{bad}"),
                None,
            )
            .await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("InvalidAuditQuery")),
            "{bad}"
        );
    }

    // The CSV export is the owner's.
    let csv = owner
        .req(Method::GET, "/api/publishers/contoso/audit.csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("seq,time,actor_kind") && text.contains("offer.update"),
        "{text}"
    );
    assert_eq!(
        dev.call(Method::GET, "/api/publishers/contoso/audit.csv", None)
            .await
            .0,
        403,
        "a manager is no owner"
    );

    // The chain is whole; a changed entry, and then a deleted one, show.
    let (_, v) = owner
        .call(Method::GET, "/api/publishers/contoso/audit/verify", None)
        .await;
    assert_eq!(v["intact"], true, "{v}");
    let (name,): (String,) =
        sqlx::query_as("SELECT actor_name FROM audit WHERE publisher_id = 'contoso' AND seq = 3")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    exec(
        &app,
        "UPDATE audit SET actor_name = 'Mallory' WHERE publisher_id = 'contoso' AND seq = 3",
    )
    .await;
    let (_, v) = owner
        .call(Method::GET, "/api/publishers/contoso/audit/verify", None)
        .await;
    assert_eq!(
        (v["intact"].as_bool(), v["brokenAt"].as_i64()),
        (Some(false), Some(3)),
        "{v}"
    );
    sqlx::query("UPDATE audit SET actor_name = $1 WHERE publisher_id = 'contoso' AND seq = 3")
        .bind(&name)
        .execute(app.store.pool())
        .await
        .unwrap();
    let (_, v) = owner
        .call(Method::GET, "/api/publishers/contoso/audit/verify", None)
        .await;
    assert_eq!(v["intact"], true, "restored: {v}");
    exec(
        &app,
        "DELETE FROM audit WHERE publisher_id = 'contoso' AND seq = 2",
    )
    .await;
    let (_, v) = owner
        .call(Method::GET, "/api/publishers/contoso/audit/verify", None)
        .await;
    assert_eq!(
        (v["intact"].as_bool(), v["brokenAt"].as_i64()),
        (Some(false), Some(2)),
        "{v}"
    );
}
