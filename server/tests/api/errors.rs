//! Every error answer uses the envelope: versions, auth, ids, routes, methods, bodies.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, V};

async fn envelope(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.expect("json envelope");
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(body["error"]["details"].is_array(), "{body}");
    (status, body)
}

/// Status and JSON body (`null` when it is not JSON) of any answer; an event stream's body
/// is never read, since it does not end.
async fn answer(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let stream = res
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if stream {
        return (status, Value::Null);
    }
    (status, res.json().await.unwrap_or(Value::Null))
}

api_test!(health_needs_no_token);
async fn health_needs_no_token() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/api/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

api_test!(invalid_api_version_names_the_supported_one);
async fn invalid_api_version_names_the_supported_one() {
    let app = TestApp::spawn().await;
    let res = app
        .req(
            Method::GET,
            "/api/publishers/contoso/offers?api-version=2016-08-01-preview",
        )
        .send()
        .await
        .unwrap();
    let (status, body) = envelope(res).await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!("invalid_api_version", body);
}

api_test!(missing_or_unknown_token_is_401);
async fn missing_or_unknown_token_is_401() {
    let app = TestApp::spawn().await;
    let path = format!("/api/publishers/contoso/offers?{V}");
    let res = app.client.get(app.url(&path)).send().await.unwrap();
    let (status, body) = envelope(res).await;
    assert_eq!(status, 401);
    insta::assert_json_snapshot!("unauthorized", body);
    let res = app
        .client
        .get(app.url(&path))
        .bearer_auth("pp_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(envelope(res).await.0, 401);
}

api_test!(unknown_routes_are_404_and_wrong_methods_405);
async fn unknown_routes_are_404_and_wrong_methods_405() {
    let app = TestApp::spawn().await;
    let (status, body) = envelope(
        app.req(Method::GET, "/api/nothing/here")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    insta::assert_json_snapshot!("unknown_route", body);
    let (status, body) = envelope(
        app.req(Method::DELETE, &format!("{}?{V}", TestApp::offer_path("x")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 405);
    insta::assert_json_snapshot!("wrong_method", body);
}

api_test!(invalid_ids_in_the_path_are_400);
async fn invalid_ids_in_the_path_are_400() {
    let app = TestApp::spawn().await;
    let (status, body) = envelope(app.get_offer("Not_Valid").await).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "InvalidOfferId");
    let res = app
        .req(Method::GET, &format!("/api/publishers/BAD!/offers?{V}"))
        .send()
        .await
        .unwrap();
    let (status, body) = envelope(res).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "InvalidPublisherId");
}

api_test!(other_publishers_offers_are_404);
async fn other_publishers_offers_are_404() {
    let app = TestApp::spawn().await;
    let res = app
        .req(
            Method::GET,
            &format!("/api/publishers/fabrikam/offers/any?{V}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(envelope(res).await.0, 404);
    let res = app
        .req(
            Method::PUT,
            &format!("/api/publishers/fabrikam/offers/any?{V}"),
        )
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(envelope(res).await.0, 404);
    assert_eq!(envelope(app.get_offer("missing").await).await.0, 404);
}

api_test!(oversized_bodies_are_413);
async fn oversized_bodies_are_413() {
    let app = TestApp::spawn().await;
    let big = json!({"definition": {"displayText": "x".repeat(2 * 1024 * 1024)}});
    let (status, body) = envelope(app.put_offer("big", &big, None).await).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"]["code"], "PayloadTooLarge");
    assert_eq!(
        envelope(app.get_offer("big").await).await.0,
        404,
        "nothing written"
    );
}

api_test!(malformed_json_wrong_types_and_bad_utf8_are_400);
async fn malformed_json_wrong_types_and_bad_utf8_are_400() {
    let app = TestApp::spawn().await;
    let path = format!("{}?{V}", TestApp::offer_path("o1"));
    let send = |body: Vec<u8>| {
        app.req(Method::PUT, &path)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let (status, body) = envelope(send(b"{\"id\": ".to_vec()).await.unwrap()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("InvalidJson"))
    );
    let (status, body) = envelope(
        send(br#"{"definition":{"plans":[{"regions":"US"}]}}"#.to_vec())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!("wrong_type", body);
    let (status, body) = envelope(
        send(vec![b'{', b'"', 0xff, 0xfe, b'"', b'}'])
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("InvalidUtf8"))
    );
    assert_eq!(
        envelope(app.get_offer("o1").await).await.0,
        404,
        "nothing written"
    );
}

api_test!(body_ids_must_match_the_path);
async fn body_ids_must_match_the_path() {
    let app = TestApp::spawn().await;
    let (status, body) = envelope(app.put_offer("o1", &json!({"id": "o2"}), None).await).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("`id`"));
    let (status, body) = envelope(
        app.put_offer("o1", &json!({"publisherId": "fabrikam"}), None)
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("publisherId")
    );
}

api_test!(every_route_is_served_guarded_and_documented);
/// The route table drives the router and the OpenAPI document: every route answers (not the
/// router's 404 or 405), refuses a caller without a token unless it is public, and is
/// described with the matching security.
async fn every_route_is_served_guarded_and_documented() {
    use portal_server::routes::Access;
    let app = TestApp::spawn().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    let routes = portal_server::routes::all();
    assert!(routes.len() >= 26, "{} routes", routes.len());
    for route in &routes {
        let (method, path) = (route.method, route.path);
        let concrete = path
            .replace("{publisher}", "contoso")
            .replace("{offer}", "no-such-offer")
            .replace("{version}", "1")
            .replace("{slot}", "Draft")
            .replace("{operation}", "no-such-operation")
            .replace("{name}", "logo.png");
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let bare = app
            .client
            .request(method.clone(), app.url(&concrete))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        let (code, body) = answer(bare).await;
        match route.access {
            Access::SignedIn => assert_eq!(code, 401, "{method} {path} without a token: {body}"),
            Access::Public => assert_ne!(code, 401, "{method} {path} is public"),
        }
        let signed = app
            .req(method.clone(), &concrete)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        let (code, body) = answer(signed).await;
        assert_ne!(code, 405, "{method} {path} is routed");
        assert_ne!(
            body["error"]["message"], "No such API resource.",
            "{method} {path} is routed"
        );
        if route.documented {
            let op = &doc["paths"][path][route.method];
            assert_eq!(op["operationId"], route.operation_id, "{method} {path}");
            assert_eq!(
                op["security"].is_array(),
                route.access == Access::SignedIn,
                "{method} {path}: security"
            );
        }
    }
}

api_test!(web_root_explains_how_to_build_when_missing);
async fn web_root_explains_how_to_build_when_missing() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("scripts/build-web.sh"));
}

api_test!(built_web_app_is_served_with_spa_fallback);
async fn built_web_app_is_served_with_spa_fallback() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<html>portal index</html>").unwrap();
    std::fs::write(web.path().join("app.js"), "console.log(1)").unwrap();
    let dir = web.path().to_owned();
    let app = TestApp::spawn_with(move |c| c.web_dir = dir).await;
    for path in ["/", "/offers/contoso/o1/status"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        // Scripts from the portal only, no framing, no referrer to other sites.
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("'unsafe-eval'"), "{csp}");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.headers()["referrer-policy"], "same-origin");
        assert!(res.text().await.unwrap().contains("portal index"), "{path}");
    }
    let js = app.client.get(app.url("/app.js")).send().await.unwrap();
    assert_eq!(js.text().await.unwrap(), "console.log(1)");

    // A precompressed copy written by the build is sent to browsers that accept it.
    std::fs::write(web.path().join("app.wasm"), b"\0asm raw module").unwrap();
    std::fs::write(web.path().join("app.wasm.br"), b"brotli bytes").unwrap();
    let wasm = app
        .client
        .get(app.url("/app.wasm"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.headers()["content-encoding"], "br");
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(&wasm.bytes().await.unwrap()[..], b"brotli bytes");
    // Content-hashed names are cached for good; the page itself is revalidated every time.
    std::fs::write(web.path().join("app-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    let hashed = app
        .client
        .get(app.url("/app-0123456789abcdef_bg.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        hashed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // So are the files of a build's own directory (scripts/build-web.sh).
    let build = web.path().join("app-0123456789abcdef");
    std::fs::create_dir(&build).unwrap();
    std::fs::write(build.join("chunk_1.wasm"), b"\0asm chunk").unwrap();
    let chunk = app
        .client
        .get(app.url("/app-0123456789abcdef/chunk_1.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        chunk.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(&chunk.bytes().await.unwrap()[..], b"\0asm chunk");
    for path in ["/", "/offers/contoso/o1/status", "/app.wasm"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
    }
    // A file that is not there is a 404, not the app's page in its place (a browser fetching
    // a page's code would try to run the HTML).
    for path in [
        "/app-0123456789abcdef/chunk_99.wasm",
        "/app-fedcba9876543210/app.js",
        "/x.css",
    ] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
        assert!(
            !res.text().await.unwrap().contains("portal index"),
            "{path}"
        );
    }
    let raw = app.client.get(app.url("/app.wasm")).send().await.unwrap();
    assert!(raw.headers().get("content-encoding").is_none());
    assert_eq!(&raw.bytes().await.unwrap()[..], b"\0asm raw module");
    let (status, _) = envelope(app.req(Method::GET, "/api/unknown").send().await.unwrap()).await;
    assert_eq!(status, 404, "no SPA fallback under /api");
}
