//! Publishing: validation, idempotency, the whole flow to live, failures and republish,
//! cancel at sign-off, and the 409s.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, V, VhdServer, offer_status};

fn redact(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, val) in m.iter_mut() {
                    if [
                        "timestamp",
                        "startedAt",
                        "endedAt",
                        "operationId",
                        "id",
                        "createdDateTime",
                        "lastActionDateTime",
                        "changedTime",
                    ]
                    .contains(&k.as_str())
                        && val.is_string()
                        && (k != "id" || val.as_str().is_some_and(|s| s.len() == 36))
                    {
                        *val = Value::String(format!("[{k}]"));
                    } else if k == "messageHtml" || k == "message" {
                        if let Some(s) = val.as_str() {
                            // Ports of the test image host change between runs, and
                            // request counts and bytes read with the mkfs.ext4 version.
                            let mut s = regex_lite_port(s);
                            if let Some(i) = s.find(" tests passed · ") {
                                s.truncate(i + " tests passed · ".len());
                                s.push_str("[requests and bytes]");
                            }
                            *val = Value::String(s);
                        }
                    } else {
                        walk(val);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

fn regex_lite_port(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("127.0.0.1:") {
        out.push_str(&rest[..i + 10]);
        rest = rest[i + 10..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push_str("[port]");
    }
    out.push_str(rest);
    out
}

fn step_status(v: &Value, i: usize) -> &str {
    v["steps"][i]["status"].as_str().unwrap_or("")
}

api_test!(incomplete_offer_is_422_with_findings);
async fn incomplete_offer_is_422_with_findings() {
    let app = TestApp::spawn().await;
    app.put_offer(
        "o1",
        &json!({"definition": {"displayText": "Only a name"}}),
        None,
    )
    .await;
    let res = app.publish("o1", "a@x.com").await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "ValidationFailed");
    let details = body["error"]["details"].as_array().unwrap();
    assert!(!details.is_empty());
    assert!(
        details
            .iter()
            .all(|d| d["field"].is_string() && d["code"].is_string() && d["message"].is_string())
    );
    // Korean when asked for.
    let res = app
        .req(
            Method::POST,
            &format!("{}/publish?{V}", TestApp::offer_path("o1")),
        )
        .header("Accept-Language", "ko-KR,ko;q=0.9")
        .json(&json!({"metadata": {"notification-emails": "a@x.com"}}))
        .send()
        .await
        .unwrap();
    let ko: Value = res.json().await.unwrap();
    assert_ne!(ko["error"]["details"][0]["message"], details[0]["message"]);
    let (_, subs) = app
        .get_json(&format!("{}/submissions?{V}", TestApp::offer_path("o1")))
        .await;
    assert_eq!(subs, json!([]), "a rejected publish changes nothing");
}

api_test!(bad_notification_emails_are_named);
async fn bad_notification_emails_are_named() {
    let app = TestApp::spawn().await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    app.create_offer("o1", &vhds, "ok").await;
    let res = app.publish("o1", "a@x.com, not-an-email").await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("notification-emails")
    );
    insta::assert_json_snapshot!("bad_emails", body);
}

api_test!(whole_flow_to_live);
async fn whole_flow_to_live() {
    let app = TestApp::spawn().await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    app.create_offer("o1", &vhds, "ok").await;
    let res = app.publish("o1", "a@x.com,b@y.com").await;
    assert_eq!(res.status(), 202);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let op: Value = res.json().await.unwrap();
    let id = op["id"].as_str().unwrap();
    assert_eq!(
        location,
        format!("/api/publishers/contoso/offers/o1/operations/{id}?api-version=2017-10-31")
    );
    assert_eq!(op["offerVersion"], 1);

    let status = app
        .wait_status("o1", 30, |v| offer_status(v) == "waitingForPublisherReview")
        .await;
    assert_eq!(status["previewLinks"][0]["uri"], "/preview/contoso/o1");
    assert_eq!(status["notificationEmails"], "a@x.com,b@y.com");
    let (code, _) = app
        .get_json(&format!("{}/slot/Preview?{V}", TestApp::offer_path("o1")))
        .await;
    assert_eq!(code, 200);

    let res = app.post("o1", "golive").await;
    assert_eq!(res.status(), 202);
    assert!(res.headers().contains_key("location"));
    let status = app
        .wait_status("o1", 30, |v| offer_status(v) == "succeeded")
        .await;
    insta::assert_json_snapshot!("status_live", redact(status));

    let (code, prod) = app
        .get_json(&format!(
            "{}/slot/Production?{V}",
            TestApp::offer_path("o1")
        ))
        .await;
    assert_eq!(code, 200);
    assert_eq!(prod["version"], 1);
    let (code, v1) = app
        .get_json(&format!("{}/versions/1?{V}", TestApp::offer_path("o1")))
        .await;
    assert_eq!(code, 200);
    assert_eq!(v1["id"], "o1");
    let (code, one) = app
        .get_json(&format!(
            "{}/operations/{id}?{V}",
            TestApp::offer_path("o1")
        ))
        .await;
    assert_eq!(code, 200);
    assert_eq!(one["status"], "completed");
    let (_, running) = app
        .get_json(&format!(
            "{}/submissions?{V}&status=running",
            TestApp::offer_path("o1")
        ))
        .await;
    assert_eq!(running, json!([]));

    let (_, notes) = app
        .get_json(&format!("/api/publishers/contoso/notifications?{V}"))
        .await;
    let kinds: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    for k in ["publishAccepted", "previewAvailable", "live"] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
    assert_eq!(notes[0]["to"], "a@x.com,b@y.com");
    assert_eq!(notes[0]["delivered"], false);
}

api_test!(two_concurrent_publishes_make_one_operation);
async fn two_concurrent_publishes_make_one_operation() {
    let app = TestApp::spawn_with(|c| c.min_step = Duration::from_secs(2)).await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    app.create_offer("o1", &vhds, "ok").await;
    let (a, b) = tokio::join!(app.publish("o1", "a@x.com"), app.publish("o1", "a@x.com"));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (202, 202));
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a["id"], b["id"], "double click = one operation");
    let (_, subs) = app
        .get_json(&format!("{}/submissions?{V}", TestApp::offer_path("o1")))
        .await;
    assert_eq!(subs.as_array().unwrap().len(), 1);

    // A changed draft while it runs: 409.
    let res = app
        .put_offer("o1", &vhds.offer("o1", "ok"), Some("*"))
        .await;
    assert_eq!(res.status(), 200);
    let mut changed = vhds.offer("o1", "ok");
    changed["definition"]["displayText"] = json!("Renamed");
    app.put_offer("o1", &changed, Some("*")).await;
    let res = app.publish("o1", "a@x.com").await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "OperationAlreadyRunning");
}

api_test!(golive_and_cancel_are_409_outside_signoff);
async fn golive_and_cancel_are_409_outside_signoff() {
    let app = TestApp::spawn_with(|c| c.min_step = Duration::from_secs(30)).await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    app.create_offer("o1", &vhds, "ok").await;
    let res = app.post("o1", "golive").await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "NoOperationRunning");
    assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
    let res = app.post("o1", "golive").await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    insta::assert_json_snapshot!("golive_not_at_signoff", body);
    let res = app.post("o1", "cancel").await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "CancelNotAllowed");
}

api_test!(cancel_at_signoff_resets_to_step_one_and_republish_starts_over);
async fn cancel_at_signoff_resets_to_step_one_and_republish_starts_over() {
    let app = TestApp::spawn().await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    app.create_offer("o1", &vhds, "ok").await;
    let first: Value = app.publish("o1", "a@x.com").await.json().await.unwrap();
    app.wait_status("o1", 30, |v| offer_status(v) == "waitingForPublisherReview")
        .await;
    let res = app.post("o1", "cancel").await;
    assert_eq!(res.status(), 200);
    let status = app.status("o1").await;
    assert_eq!(offer_status(&status), "notStarted");
    assert!(
        (0..6).all(|i| step_status(&status, i) == "notStarted")
            && status["steps"].as_array().unwrap().len() == 6
            && status["previewStep"]["status"] == "notStarted",
        "{status}"
    );
    let res = app.publish("o1", "a@x.com").await;
    assert_eq!(res.status(), 202);
    let second: Value = res.json().await.unwrap();
    assert_ne!(first["id"], second["id"]);
    assert_eq!(second["offerVersion"], 2);
    assert_eq!(second["steps"][0]["status"], "inProgress");
    app.wait_status("o1", 30, |v| offer_status(v) == "waitingForPublisherReview")
        .await;
    let (_, notes) = app
        .get_json(&format!("/api/publishers/contoso/notifications?{V}"))
        .await;
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "canceled")
    );
}

const OS_FIELD: &str =
    "definition.plans[0].microsoft-azure-virtualmachines.vmImages[\"1.0.0\"].osVhdUrl";

/// The (level, field, code) of the messages of step `i`.
fn messages(status: &Value, i: usize) -> Vec<(String, String, String)> {
    status["steps"][i]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
            (s("level"), s("field"), s("code"))
        })
        .collect()
}

api_test!(certification_failure_then_fix_and_republish);
async fn certification_failure_then_fix_and_republish() {
    let app = TestApp::spawn().await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    app.create_offer("o1", &vhds, "bad").await;
    let first: Value = app.publish("o1", "a@x.com").await.json().await.unwrap();
    let status = app
        .wait_status("o1", 60, |v| offer_status(v) == "failed")
        .await;
    assert_eq!(step_status(&status, 0), "complete");
    assert_eq!(step_status(&status, 1), "failed");
    let errors: Vec<_> = messages(&status, 1)
        .into_iter()
        .filter(|(level, ..)| level == "error")
        .collect();
    let want = |code: &str| ("error".to_owned(), OS_FIELD.to_owned(), code.to_owned());
    assert_eq!(
        errors,
        vec![
            want("certification.linux.agent"),
            want("certification.linux.ssh_client_alive")
        ],
        "{status}"
    );
    insta::assert_json_snapshot!("status_failed_certification", redact(status));
    let (_, notes) = app
        .get_json(&format!("/api/publishers/contoso/notifications?{V}"))
        .await;
    assert!(notes.as_array().unwrap().iter().any(
        |n| n["kind"] == "publishFailed" && n["body"].as_str().unwrap().contains("Next steps")
    ));

    // A missing image, ignored ranges and a wrong size fail too, on both disks.
    for prefix in ["missing", "norange", "badsize"] {
        let res = app
            .put_offer("o1", &vhds.offer("o1", prefix), Some("*"))
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
        let s = app
            .wait_status("o1", 60, |v| offer_status(v) == "failed")
            .await;
        let errors: Vec<_> = messages(&s, 1)
            .into_iter()
            .filter(|(level, ..)| level == "error")
            .collect();
        assert_eq!(errors.len(), 2, "one per disk: {errors:?}");
        for (_, field, code) in &errors {
            assert!(
                code == "certification.access.ranges" || code == "certification.vhd.footer",
                "{prefix}: {code} at {field}"
            );
        }
        assert!(errors.iter().any(|(_, f, _)| f == OS_FIELD));
        assert!(
            errors
                .iter()
                .any(|(_, f, _)| f.ends_with("lunVhdDetails[0].lunVhdUrl"))
        );
    }

    app.put_offer("o1", &vhds.offer("o1", "ok"), Some("*"))
        .await;
    let res = app.publish("o1", "a@x.com").await;
    assert_eq!(res.status(), 202);
    let again: Value = res.json().await.unwrap();
    assert_ne!(again["id"], first["id"]);
    assert_eq!(
        again["steps"][0]["status"], "inProgress",
        "restarts at step 1"
    );
    let s = app
        .wait_status("o1", 60, |v| offer_status(v) == "waitingForPublisherReview")
        .await;
    let infos: Vec<_> = messages(&s, 1)
        .into_iter()
        .filter(|(level, _, code)| level == "information" && code == "certification.summary")
        .collect();
    assert_eq!(infos.len(), 2, "a summary per disk: {s}");
}

api_test!(a_logo_of_the_wrong_size_stops_the_publish_at_step_one);
async fn a_logo_of_the_wrong_size_stops_the_publish_at_step_one() {
    let app = TestApp::spawn().await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    let mut doc = vhds.offer("o1", "ok");
    let logos = &mut doc["definition"]["offer"];
    let small = logos["microsoft-azure-marketplace.smallLogo"].clone();
    logos["microsoft-azure-marketplace.mediumLogo"] = small;
    assert_eq!(app.put_offer("o1", &doc, None).await.status(), 201);
    assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
    let status = app
        .wait_status("o1", 30, |v| offer_status(v) == "failed")
        .await;
    // Before certification and provisioning, with the fix named at its field.
    assert_eq!(step_status(&status, 0), "failed");
    assert_eq!(step_status(&status, 1), "notStarted");
    let field = "definition.offer.microsoft-azure-marketplace.mediumLogo";
    assert_eq!(
        messages(&status, 0),
        [("error".into(), field.into(), "wrongImageSize".into())]
    );
    let text = status["steps"][0]["messages"][0]["messageHtml"]
        .as_str()
        .unwrap();
    assert!(
        text.contains("must be exactly 90×90 pixels") && text.contains("is 40×40"),
        "{text}"
    );
}

api_test!(unchanged_images_reuse_their_certification);
async fn unchanged_images_reuse_their_certification() {
    let app = TestApp::spawn().await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    app.create_offer("o1", &vhds, "ok").await;
    assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
    app.wait_status("o1", 60, |v| offer_status(v) == "waitingForPublisherReview")
        .await;
    let (ranged, heads) = (vhds.ranged(), vhds.heads());
    assert!(
        ranged > 0 && heads == 2,
        "{ranged} ranged reads, {heads} HEADs"
    );

    // A text change (and a fresh SAS) republished: the images are not read again.
    assert_eq!(app.post("o1", "cancel").await.status(), 200);
    let mut doc = vhds.offer("o1", "ok");
    doc["definition"]["displayText"] = json!("Renamed");
    assert_eq!(app.put_offer("o1", &doc, Some("*")).await.status(), 200);
    assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
    let s = app
        .wait_status("o1", 60, |v| offer_status(v) == "waitingForPublisherReview")
        .await;
    assert_eq!(
        vhds.ranged(),
        ranged,
        "no ranged read of an unchanged image"
    );
    assert_eq!(vhds.heads(), heads + 2, "one HEAD per disk");
    let texts: Vec<&str> = s["steps"][1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["messageHtml"].as_str())
        .collect();
    assert!(
        texts.iter().filter(|t| t.contains("reused")).count() == 2,
        "{texts:?}"
    );
}

api_test!(check_image_now_answers_the_report);
async fn check_image_now_answers_the_report() {
    let app = TestApp::spawn().await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    app.create_offer("o1", &vhds, "ok").await;
    let path = format!("{}/image-checks?{V}", TestApp::offer_path("o1"));
    let sas = portal_server::demo::sas_query(time::OffsetDateTime::now_utc());
    let check = |body: Value| {
        let req = app.req(Method::POST, &path).json(&body);
        async move {
            let res = req.send().await.unwrap();
            let code = res.status().as_u16();
            (code, res.json::<Value>().await.unwrap())
        }
    };
    let url = |prefix: &str, disk: &str| {
        format!(
            "{}/{prefix}/vhds/standard-1.0.0-{disk}.vhd?{sas}",
            vhds.base
        )
    };
    let verdicts = |r: &Value| -> Vec<(String, String)> {
        r["tests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["verdict"] != "pass")
            .map(|t| {
                (
                    t["id"].as_str().unwrap().to_owned(),
                    t["verdict"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };

    let (code, good) =
        check(json!({"url": url("ok", "os"), "kind": "os", "osFamily": "Linux"})).await;
    assert_eq!(code, 200, "{good}");
    assert_eq!(verdicts(&good), vec![], "{good}");
    assert!(good["requests"].as_u64().unwrap() > 0 && good["bytesRead"].as_u64().unwrap() > 0);

    let (code, bad) =
        check(json!({"url": url("bad", "os"), "kind": "os", "osFamily": "linux"})).await;
    assert_eq!(code, 200, "{bad}");
    let fail = |id: &str| (id.to_owned(), "fail".to_owned());
    assert_eq!(
        verdicts(&bad),
        vec![fail("linux.agent"), fail("linux.ssh_client_alive")]
    );

    let (code, data) = check(json!({"url": url("ok", "data0"), "kind": "data"})).await;
    assert_eq!(code, 200, "{data}");
    assert_eq!(verdicts(&data), vec![], "{data}");

    for (body, field) in [
        (json!({"kind": "os", "osFamily": "Linux"}), "`url`"),
        (json!({"url": "  ", "kind": "data"}), "`url`"),
        (json!({"url": url("ok", "os"), "kind": "disk"}), "`kind`"),
        (json!({"url": url("ok", "os")}), "`kind`"),
        (json!({"url": url("ok", "os"), "kind": "os"}), "`osFamily`"),
        (
            json!({"url": url("ok", "os"), "kind": "os", "osFamily": "BeOS"}),
            "`osFamily`",
        ),
        (json!({"url": 5, "kind": "os"}), "`url`"),
    ] {
        let (code, err) = check(body.clone()).await;
        assert_eq!(code, 400, "{body} -> {err}");
        let message = err["error"]["message"].as_str().unwrap();
        let named = message.contains(field) || message.contains(field.trim_matches('`'));
        assert!(named, "{body} -> {err}");
    }
    let res = app
        .client
        .post(app.url(&path))
        .json(&json!({"url": url("ok", "os"), "kind": "data"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let (code, _) = {
        let res = app
            .req(
                Method::POST,
                &format!("{}/image-checks?{V}", TestApp::offer_path("nope")),
            )
            .json(&json!({"url": url("ok", "os"), "kind": "data"}))
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), ())
    };
    assert_eq!(code, 404);
}

api_test!(private_addresses_are_refused_without_the_operator_flag);
async fn private_addresses_are_refused_without_the_operator_flag() {
    let app = TestApp::spawn_with(|c| c.allow_private_network = false).await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    // https to loopback passes the field rules, but the server fetches nothing from there:
    // step 1 already refuses the logos' address (certification would refuse the disks').
    let doc = vhds.offer("o1", "ok");
    let text = doc
        .to_string()
        .replace("http://127.0.0.1", "https://127.0.0.1");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(app.put_offer("o1", &doc, None).await.status(), 201);
    assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
    let status = app
        .wait_status("o1", 30, |v| offer_status(v) == "failed")
        .await;
    assert_eq!(status["steps"][0]["status"], "failed");
    assert_eq!(status["steps"][1]["status"], "notStarted");
    let msg = status["steps"][0]["messages"][0]["messageHtml"]
        .as_str()
        .unwrap();
    assert!(msg.contains("non-public address"), "{msg}");
}

api_test!(status_events_stream_sends_the_status);
async fn status_events_stream_sends_the_status() {
    let app = TestApp::spawn().await;
    app.put_offer("o1", &json!({}), None).await;
    // A browser accepts compressed answers; an event stream must still arrive event by event.
    let mut res = app
        .req(
            Method::GET,
            &format!("{}/events?{V}", TestApp::offer_path("o1")),
        )
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("content-encoding").is_none());
    let chunk = tokio::time::timeout(Duration::from_secs(10), res.chunk())
        .await
        .expect("an event in time")
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&chunk);
    assert!(
        text.contains("event: status") && text.contains("neverPublished"),
        "{text}"
    );
}

api_test!(status_events_follow_a_publish_to_sign_off);
/// The event stream goes on after its first event: an event for each change of the status,
/// in order, until sign-off, without polling. Each step lasts at least a second here, so the
/// stream (which looks every 500 ms) sees every step.
async fn status_events_follow_a_publish_to_sign_off() {
    let app = TestApp::spawn_with(|c| c.min_step = Duration::from_secs(1)).await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    app.create_offer("o1", &vhds, "ok").await;
    let mut res = app
        .req(
            Method::GET,
            &format!("{}/events?{V}", TestApp::offer_path("o1")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut events: Vec<Value> = Vec::new();
    let mut buffer = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut published = false;
    while events
        .last()
        .is_none_or(|e| offer_status(e) != "waitingForPublisherReview")
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let chunk = tokio::time::timeout(left, res.chunk())
            .await
            .unwrap_or_else(|_| panic!("no sign-off event within 60 s; got {events:?}"))
            .unwrap()
            .expect("the stream stays open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        // Whole events only: `event: status\ndata: {…}\n\n`.
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                events.push(serde_json::from_str(data).unwrap());
            }
        }
        if !published && !events.is_empty() {
            assert_eq!(offer_status(&events[0]), "neverPublished");
            assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
            published = true;
        }
    }
    let statuses: Vec<&str> = events.iter().map(offer_status).collect();
    // Never published, then running through the four automatic steps, then sign-off.
    assert!(events.len() >= 6, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == "running").count(),
        events.len() - 2
    );
    // Each event differs from the one before it: a change, not a repeat.
    for pair in events.windows(2) {
        assert_ne!(pair[0]["steps"], pair[1]["steps"], "{statuses:?}");
    }
}
