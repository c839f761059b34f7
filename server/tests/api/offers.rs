//! Offers: create, read, modify with ETag / If-Match, unknown keys, secrets, list, slots.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, V, VhdServer, offer_status};

fn etag(res: &reqwest::Response) -> String {
    res.headers()
        .get("etag")
        .expect("ETag header")
        .to_str()
        .unwrap()
        .to_owned()
}

api_test!(create_then_modify_with_if_match);
async fn create_then_modify_with_if_match() {
    let app = TestApp::spawn().await;
    let doc = json!({"definition": {"displayText": "Draft", "someFutureKey": [1, 2]}, "offerTypeVersions": {"x": 1}});
    let res = app.put_offer("o1", &doc, None).await;
    assert_eq!(res.status(), 201);
    let tag = etag(&res);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["eTag"], tag.as_str());
    assert_eq!(body["id"], "o1");
    assert_eq!(body["publisherId"], "contoso");
    assert_eq!(body["status"], "neverPublished");
    assert_eq!(
        body["definition"]["someFutureKey"],
        json!([1, 2]),
        "unknown keys kept"
    );
    assert_eq!(body["offerTypeVersions"], json!({"x": 1}));

    let res = app.get_offer("o1").await;
    assert_eq!(res.status(), 200);
    assert_eq!(etag(&res), tag);

    // Modify without If-Match: 400; stale: 412; current: 200; `*`: 200.
    let res = app.put_offer("o1", &doc, None).await;
    assert_eq!(res.status(), 400);
    let res = app.put_offer("o1", &doc, Some(&tag)).await;
    assert_eq!(res.status(), 200);
    let new_tag = etag(&res);
    assert_ne!(new_tag, tag);
    let res = app.put_offer("o1", &doc, Some(&tag)).await;
    assert_eq!(res.status(), 412);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "PreconditionFailed");
    let res = app.put_offer("o1", &doc, Some("*")).await;
    assert_eq!(res.status(), 200);

    // Creating with a specific If-Match: nothing can match.
    let res = app.put_offer("o2", &doc, Some(&tag)).await;
    assert_eq!(res.status(), 412);
}

api_test!(four_concurrent_puts_with_one_etag_one_wins);
async fn four_concurrent_puts_with_one_etag_one_wins() {
    let app = TestApp::spawn().await;
    let res = app.put_offer("o1", &json!({}), None).await;
    let tag = etag(&res);
    let puts = (0..4).map(|i| {
        let doc = json!({"definition": {"displayText": format!("editor {i}")}});
        let app = &app;
        let tag = tag.clone();
        async move {
            app.put_offer("o1", &doc, Some(&tag))
                .await
                .status()
                .as_u16()
        }
    });
    let mut codes = futures::future::join_all(puts).await;
    codes.sort_unstable();
    assert_eq!(codes, vec![200, 412, 412, 412]);
}

api_test!(secrets_are_blanked_and_kept_when_written_back_blank);
async fn secrets_are_blanked_and_kept_when_written_back_blank() {
    let app = TestApp::spawn().await;
    let doc = json!({"definition": {"offer": {"microsoft-azure-marketplace.leadDestination": "DynamicsCrmOnline",
        "microsoft-azure-marketplace.crmLeadConfiguration": {"password": "hunter2", "userName": "u"}}}});
    let res = app.put_offer("o1", &doc, None).await;
    let tag = etag(&res);
    let body: Value = res.json().await.unwrap();
    let crm = &body["definition"]["offer"]["microsoft-azure-marketplace.crmLeadConfiguration"];
    assert_eq!(crm["password"], "", "never returned");
    let res = app.put_offer("o1", &body, Some(&tag)).await;
    assert_eq!(res.status(), 200);
    let stored = portal_server::offers::store::find(&app.store, "contoso", "o1")
        .await
        .unwrap()
        .unwrap()
        .draft;
    let stored = serde_json::to_string(&stored).unwrap();
    assert!(stored.contains("hunter2"), "kept when written back blank");
}

api_test!(list_offers_with_search_and_status);
async fn list_offers_with_search_and_status() {
    let app = TestApp::spawn().await;
    app.put_offer(
        "alpha",
        &json!({"definition": {"displayText": "Alpha VM"}}),
        None,
    )
    .await;
    app.put_offer(
        "beta",
        &json!({"definition": {"displayText": "Beta VM"}}),
        None,
    )
    .await;
    let (code, all) = app
        .get_json(&format!("/api/publishers/contoso/offers?{V}"))
        .await;
    assert_eq!(code, 200);
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[0]["offerTypeId"], "microsoft-azure-virtualmachines");
    let (_, some) = app
        .get_json(&format!("/api/publishers/contoso/offers?{V}&search=alpha"))
        .await;
    assert_eq!(some.as_array().unwrap().len(), 1);
    assert_eq!(some[0]["definition"]["displayText"], "Alpha VM");
    let (_, none) = app
        .get_json(&format!(
            "/api/publishers/contoso/offers?{V}&status=running"
        ))
        .await;
    assert_eq!(none.as_array().unwrap().len(), 0);
}

api_test!(the_list_shows_every_change_at_once);
/// The list is kept per publisher between reads: every write and every engine transition must
/// show in the very next read, well within the cache's 500 ms.
async fn the_list_shows_every_change_at_once() {
    let app = TestApp::spawn().await;
    let list = || async {
        let (code, body) = app
            .get_json(&format!("/api/publishers/contoso/offers?{V}"))
            .await;
        assert_eq!(code, 200, "{body}");
        body.as_array().unwrap().clone()
    };
    let named = |name: &str| json!({"definition": {"displayText": name}});
    assert_eq!(
        app.put_offer("alpha", &named("Alpha VM"), None)
            .await
            .status(),
        201
    );
    assert_eq!(list().await.len(), 1);

    assert_eq!(
        app.put_offer("beta", &named("Beta VM"), None)
            .await
            .status(),
        201
    );
    let renamed = app
        .put_offer("alpha", &named("Alpha VM 2"), Some("*"))
        .await;
    assert_eq!(renamed.status(), 200);
    let now = list().await;
    let names: Vec<&str> = now
        .iter()
        .map(|o| o["definition"]["displayText"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alpha VM 2", "Beta VM"], "newest change first");

    // A complete offer whose images answer 404: the engine fails it at Certification.
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    let doc = vhds.offer("beta", "missing");
    assert_eq!(app.put_offer("beta", &doc, Some("*")).await.status(), 200);
    assert_eq!(app.publish("beta", "a@x.com").await.status(), 202);
    let beta = |l: &[Value]| l.iter().find(|o| o["id"] == "beta").unwrap()["status"].clone();
    assert_ne!(beta(&list().await), "neverPublished", "the publish shows");
    app.wait_status("beta", 30, |v| offer_status(v) == "failed")
        .await;
    assert_eq!(
        beta(&list().await),
        "failed",
        "the engine's transition shows"
    );
}

api_test!(answers_are_compressed_for_clients_that_accept_it);
async fn answers_are_compressed_for_clients_that_accept_it() {
    let app = TestApp::spawn().await;
    for i in 0..20 {
        let name = json!({"definition": {"displayText": format!("Offer {i}")}});
        app.put_offer(&format!("o{i}"), &name, None).await;
    }
    let path = format!("/api/publishers/contoso/offers?{V}");
    let plain = app.req(Method::GET, &path).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    let res = app
        .req(Method::GET, &path)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let packed = res.bytes().await.unwrap();
    assert!(
        packed.len() * 4 < plain.len(),
        "{} of {}",
        packed.len(),
        plain.len()
    );
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&packed[..]),
        &mut unpacked,
    )
    .unwrap();
    assert_eq!(unpacked, plain);
}

api_test!(slots_versions_and_operations_never_reached_are_404);
async fn slots_versions_and_operations_never_reached_are_404() {
    let app = TestApp::spawn().await;
    app.put_offer("o1", &json!({}), None).await;
    let base = TestApp::offer_path("o1");
    let (code, _) = app.get_json(&format!("{base}/slot/Draft?{V}")).await;
    assert_eq!(code, 200);
    for path in [
        "slot/Preview",
        "slot/Production",
        "versions/1",
        "operations/00000000-0000-0000-0000-000000000000",
    ] {
        let (code, body) = app.get_json(&format!("{base}/{path}?{V}")).await;
        assert_eq!(code, 404, "{path}: {body}");
        assert_eq!(body["error"]["code"], "NotFound", "{path}: {body}");
    }
    let (code, _) = app.get_json(&format!("{base}/slot/Nope?{V}")).await;
    assert_eq!(code, 400);
    let res = app
        .req(Method::GET, &format!("{base}/versions/zero?{V}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

api_test!(every_migration_in_the_folder_runs);
/// The server applies every file in `server/migrations/`, in order (the list of migrations is
/// not kept by hand anywhere).
async fn every_migration_in_the_folder_runs() {
    let app = TestApp::spawn().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut in_folder: Vec<i64> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".sql"))
        .map(|name| name.split('_').next().unwrap().parse().unwrap())
        .collect();
    in_folder.sort_unstable();
    assert!(in_folder.len() >= 6, "{in_folder:?}");
    assert_eq!(app.store.applied_migrations().await.unwrap(), in_folder);
}

api_test!(numbers_in_unknown_keys_read_back_unchanged);
/// A draft's unknown keys are kept as sent, numbers too: stored, answered and written back,
/// a float does not drift (the fuzz target `offer_document` found a one-ULP drift).
async fn numbers_in_unknown_keys_read_back_unchanged() {
    let app = TestApp::spawn().await;
    let body = r#"{"definition": {"offer": {}, "plans": []}, "x-big": 1111111111111111111111111, "x-float": 0.30000000000000004}"#;
    let res = app
        .req(Method::PUT, &format!("{}?{V}", TestApp::offer_path("o1")))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let tag = etag(&res);
    let first: Value = res.json().await.unwrap();
    assert_eq!(first["x-float"], json!(0.30000000000000004));
    assert_eq!(first["x-big"], json!(1.1111111111111111e24));
    let res = app.put_offer("o1", &first, Some(&tag)).await;
    assert_eq!(res.status(), 200);
    let again: Value = app.get_offer("o1").await.json().await.unwrap();
    for key in ["x-big", "x-float"] {
        assert_eq!(again[key], first[key], "{key}");
        assert_eq!(
            again[key].to_string(),
            first[key].to_string(),
            "{key} as text"
        );
    }
}
