//! Steps 3 to 7 doing their real work, through the API: replication to three local regions
//! verified by checksum, the product page with the description sanitized, the test lead
//! delivered to a local endpoint, previews for allow-listed reviewers only (with a test
//! deployment), Go Live into the public catalogue; a lead endpoint answering 500 fails
//! packaging; `kill -9` during replication and a restart copy nothing twice.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use portal_domain::accounts::Role;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use std::time::{Duration, Instant};

use crate::engine::{spawn_server, token};
use crate::helpers::{
    TestApp, TestDb, V, VhdServer, image_root, offer_status, put_and_publish, wait_for,
};

const SUB_A: &str = "11111111-2222-3333-4444-555555555555";
const SUB_B: &str = "66666666-7777-8888-9999-000000000000";
/// A description that passes the publish-time "simple HTML" check but turns into live script
/// if a page is built from it carelessly: a `title` whose value closes the attribute and opens
/// a script when written back unquoted, escaped markup that must stay escaped, and an unclosed
/// tag. Packaging's sanitizer (ammonia, a real HTML5 parser and serializer) must keep all of
/// it text.
const HOSTILE: &str = "<p>Fast <b>analytics</b>.</p>\
    <a href=\"https://contoso.example/docs\" title='\"><script>alert(1)</script>'>docs</a> \
    &lt;script&gt;alert(2)&lt;/script&gt; <b>unclosed";

/// Markup a browser reads differently from a checker that ends comments only at `-->`: HTML5
/// also ends a comment at `--!>`, so the script, the image's handler and the iframe would be
/// live. Publishing refuses it, naming the tag.
const COMMENT_TRICK: &str = "<p>Fast</p><!-- --!><script>alert('x')</script>\
    <img src=x onerror=\"alert(1)\"><iframe src=\"https://evil.example\"></iframe> -->";

/// A local lead endpoint: records every body and answers with `status`.
struct LeadEndpoint {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl LeadEndpoint {
    async fn spawn(status: StatusCode, answer: &'static str) -> Self {
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&bodies);
        let app = Router::new().route(
            "/leads",
            post(move |body: axum::Json<Value>| {
                let seen = Arc::clone(&seen);
                async move {
                    seen.lock().unwrap().push(body.0);
                    (status, answer)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url: format!("http://{addr}/leads"),
            bodies,
        }
    }

    fn received(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }
}

fn sha256_file(path: &Path) -> String {
    let mut h = Sha256::new();
    let mut f = std::fs::File::open(path).unwrap();
    std::io::copy(&mut f, &mut h).unwrap();
    hex::encode(h.finalize())
}

fn offer_with_lead(vhds: &VhdServer, offer: &str, lead_url: &str) -> Value {
    let mut doc = vhds.offer(offer, "ok");
    let m = &mut doc["definition"]["offer"];
    m["microsoft-azure-marketplace.description"] = json!(HOSTILE);
    m["microsoft-azure-marketplace.allowedSubscriptions"] = json!([SUB_A]);
    m["microsoft-azure-marketplace.leadDestination"] = json!("HttpsEndpoint");
    m["microsoft-azure-marketplace.httpsEndpointLeadConfiguration"] =
        json!({"httpsEndpointUrl": lead_url});
    doc
}

async fn reviewer(app: &TestApp, sub: &str) -> String {
    portal_server::accounts::create_token(
        &app.store,
        &portal_server::accounts::TokenFor::Reviewer(sub.into()),
        Some(sub),
    )
    .await
    .unwrap()
}

async fn post_as(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn get_as(app: &TestApp, token: Option<&str>, path: &str) -> (u16, Value) {
    let mut r = app.client.get(app.url(path));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let res = r.send().await.unwrap();
    let code = res.status().as_u16();
    (code, res.json().await.unwrap_or(Value::Null))
}

api_test!(publish_replicates_packages_previews_and_goes_live_into_the_catalogue);
async fn publish_replicates_packages_previews_and_goes_live_into_the_catalogue() {
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    let root = image_root().unwrap();
    let leads = LeadEndpoint::spawn(StatusCode::OK, "accepted").await;
    // Three local regions in the test's directory (the site store's parent).
    let app = TestApp::spawn_with(|c| {
        let dir = Path::new(&c.site_store).parent().unwrap().to_path_buf();
        c.regions = portal_server::config::default_regions(&dir);
    })
    .await;
    let dir: PathBuf = app.db.dir.path().to_path_buf();

    // Markup that ends a comment early is refused at publish, naming the field and the tag.
    let mut tricky = offer_with_lead(&vhds, "o1", &leads.url);
    tricky["definition"]["offer"]["microsoft-azure-marketplace.description"] = json!(COMMENT_TRICK);
    assert_eq!(app.put_offer("o1", &tricky, None).await.status(), 201);
    let refused = app.publish("o1", "a@x.com").await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(
        refused.contains("microsoft-azure-marketplace.description") && refused.contains("script"),
        "{refused}"
    );

    let doc = offer_with_lead(&vhds, "o1", &leads.url);
    assert_eq!(app.put_offer("o1", &doc, Some("*")).await.status(), 200);
    assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
    let status = app
        .wait_status("o1", 120, |v| {
            matches!(offer_status(v), "waitingForPublisherReview" | "failed")
        })
        .await;
    assert_eq!(
        offer_status(&status),
        "waitingForPublisherReview",
        "{status}"
    );

    // Provisioning: every disk in every region, byte-identical, with its checksum recorded.
    let provisioning = &status["steps"][2];
    let regions = provisioning["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 3, "{provisioning}");
    for r in regions {
        assert_eq!(r["state"], "done", "{r}");
        assert_eq!(r["bytesDone"], r["bytesTotal"]);
    }
    for (file, key) in [
        ("standard-1.0.0-os.vhd", "os.vhd"),
        ("standard-1.0.0-data0.vhd", "lun0.vhd"),
    ] {
        let source = sha256_file(&root.join("ok/vhds").join(file));
        for region in ["eastus", "westeurope", "koreacentral"] {
            let copy = dir.join(format!("regions/{region}/contoso/o1/standard/1.0.0/{key}"));
            assert_eq!(sha256_file(&copy), source, "{}", copy.display());
            let manifest: Value = serde_json::from_slice(
                &std::fs::read(copy.with_file_name(format!("{key}.manifest.json"))).unwrap(),
            )
            .unwrap();
            assert_eq!(manifest["sha256"], source.as_str());
        }
    }

    // Packaging: the product page exists and the hostile HTML is neutralized.
    let page = std::fs::read_to_string(dir.join("site/contoso/o1/v1/index.html")).unwrap();
    assert!(page.contains("<b>analytics</b>"), "allowed markup kept");
    assert!(!page.contains("<script"), "a script survived sanitizing");
    assert!(
        page.contains("&lt;script&gt;alert(2)&lt;/script&gt;"),
        "escaped markup stays escaped"
    );
    assert!(
        page.contains("<b>unclosed</b>"),
        "an unclosed tag is closed"
    );
    assert!(dir.join("site/contoso/o1/v1/assets").is_dir());

    // The test lead arrived once, with the documented payload.
    let got = leads.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let lead = &got[0];
    for key in ["ActionCode", "OfferTitle", "LeadSource", "Description"] {
        assert!(lead[key].is_string(), "{key} in {lead}");
    }
    for key in [
        "Company",
        "Country",
        "Email",
        "FirstName",
        "LastName",
        "Phone",
        "Title",
    ] {
        assert!(
            lead["UserDetails"][key].is_string(),
            "UserDetails.{key} in {lead}"
        );
    }
    assert_eq!(lead["OfferTitle"], "Contoso Analytics");

    // Previews: an allow-listed reviewer sees it; another gets 404; anonymous sees nothing.
    let a = reviewer(&app, SUB_A).await;
    let b = reviewer(&app, SUB_B).await;
    let (code, me) = get_as(&app, Some(&a), "/api/me").await;
    assert_eq!((code, me["kind"].as_str()), (200, Some("reviewer")));
    let (code, list) = get_as(&app, Some(&a), "/api/reviewer/previews").await;
    assert_eq!(code, 200);
    assert_eq!(list["items"][0]["offerId"], "o1", "{list}");
    let preview = "/api/reviewer/previews/contoso/o1";
    let (code, entry) = get_as(&app, Some(&a), preview).await;
    assert_eq!(code, 200, "{entry}");
    let html = entry["descriptionHtml"].as_str().unwrap();
    assert!(
        html.contains("<b>analytics</b>") && !html.contains("<script"),
        "{html}"
    );
    assert_eq!(get_as(&app, Some(&b), preview).await.0, 404);
    assert_eq!(
        get_as(&app, Some(&b), "/api/reviewer/previews").await.1["items"],
        json!([])
    );
    assert_eq!(get_as(&app, None, preview).await.0, 401);
    // Reviewers are people too: invited by an owner for a subscription on the allow-list, they
    // sign in and see only their previews.
    crate::teams::member(&app, "contoso", "owner@contoso.example", "O", Role::Owner).await;
    let owner = crate::teams::sign_in(&app, "owner@contoso.example").await;
    let invite = |sub: &str| json!({"email": "rae@fabrikam.example", "as": {"kind": "reviewer", "subscriptionId": sub}});
    let invitations = "/api/publishers/contoso/invitations";
    let (code, refused) = owner
        .call(Method::POST, invitations, Some(invite(SUB_B)))
        .await;
    assert_eq!(code, 422, "{SUB_B} is on no allow-list: {refused}");
    let (code, created) = owner
        .call(Method::POST, invitations, Some(invite(SUB_A)))
        .await;
    assert_eq!(code, 201, "{created}");
    let token = created["link"]
        .as_str()
        .unwrap()
        .split("#token=")
        .nth(1)
        .unwrap();
    let accepted = app
        .client
        .post(app.url("/api/invitations/accept"))
        .header("X-Requested-With", "partner-portal")
        .json(&json!({"token": token, "password": crate::teams::PASSWORD, "displayName": "Rae"}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    let rae = crate::teams::sign_in(&app, "rae@fabrikam.example").await;
    let (_, me) = rae.call(Method::GET, "/api/me", None).await;
    assert_eq!(me["reviewerSubscriptions"], json!([SUB_A.to_lowercase()]));
    assert_eq!(me["memberships"], json!([]));
    let (code, list) = rae.call(Method::GET, "/api/reviewer/previews", None).await;
    assert_eq!(
        (code.as_u16(), list["items"][0]["offerId"].as_str()),
        (200, Some("o1")),
        "{list}"
    );
    assert_eq!(rae.call(Method::GET, preview, None).await.0, 200);
    assert_eq!(
        rae.call(Method::GET, "/api/publishers/contoso/offers/o1", None)
            .await
            .0,
        404,
        "never a draft"
    );
    assert_eq!(get_as(&app, None, "/api/catalogue/contoso/o1").await.0, 404);
    assert_eq!(
        get_as(&app, None, "/api/catalogue").await.1["items"],
        json!([])
    );
    // A reviewer never sees drafts nor changes anything.
    assert_eq!(
        get_as(&app, Some(&a), "/api/publishers/contoso/offers/o1")
            .await
            .0,
        404
    );
    let put = app
        .client
        .put(app.url(&format!("/api/publishers/contoso/offers/o1?{V}")))
        .bearer_auth(&a)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 404);

    // A test deployment: every disk present and verified in the region.
    let deploy = format!("{preview}/test-deployments");
    let req = json!({"skuId": "standard", "diskVersion": "1.0.0", "region": "westeurope"});
    let res = post_as(&app, &a, &deploy, &req).await;
    assert_eq!(res.status(), 200);
    let d: Value = res.json().await.unwrap();
    let os = &d["disks"][0];
    assert_eq!(os["kind"], "os");
    assert!(
        os["location"].as_str().unwrap().contains("westeurope"),
        "{os}"
    );
    let os_file = root.join("ok/vhds/standard-1.0.0-os.vhd");
    assert_eq!(os["sizeBytes"], std::fs::metadata(&os_file).unwrap().len());
    assert_eq!(os["sha256"], sha256_file(&os_file).as_str());
    assert_eq!(d["disks"][1]["lun"], 0);
    assert_eq!(d["openPorts"][0]["port"], 22);
    assert_eq!(post_as(&app, &b, &deploy, &req).await.status(), 404);
    let bad = json!({"skuId": "standard", "diskVersion": "1.0.0", "region": "mars"});
    assert_eq!(post_as(&app, &a, &deploy, &bad).await.status(), 422);
    // A disk whose verified copy is gone from a region (its manifest is written last, after
    // the checksum matched): that region cannot host a test deployment until Provisioning
    // copies it again.
    let manifest =
        dir.join("regions/koreacentral/contoso/o1/standard/1.0.0/lun0.vhd.manifest.json");
    std::fs::remove_file(&manifest).unwrap();
    let korea = json!({"skuId": "standard", "diskVersion": "1.0.0", "region": "koreacentral"});
    let res = post_as(&app, &a, &deploy, &korea).await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "DiskNotReplicated", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("LUN 0") && message.contains("koreacentral"),
        "{message}"
    );
    assert_eq!(
        post_as(&app, &a, &deploy, &req).await.status(),
        200,
        "other regions still can"
    );

    // Go Live, pressed by the owner in a browser session: the catalogue shows the offer to
    // everyone, with its page and images; the status and the audit record say who did what.
    let (code, _) = owner
        .call(
            Method::POST,
            &format!("/api/publishers/contoso/offers/o1/golive?{V}"),
            None,
        )
        .await;
    assert_eq!(code, 202);
    let live = app
        .wait_status("o1", 60, |v| offer_status(v) == "succeeded")
        .await;
    assert_eq!(
        live["startedBy"], "tests (API key of the operator)",
        "{live}"
    );
    assert_eq!(live["signedOffBy"], "O");
    let (_, audit) = owner
        .call(Method::GET, "/api/publishers/contoso/audit?offer=o1", None)
        .await;
    let actions: Vec<(&str, &str)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(actions[0], ("operation.goLive", "O"), "{actions:?}");
    assert!(
        actions.contains(&("offer.publish", "tests (API key of the operator)")),
        "{actions:?}"
    );
    let (code, catalogue) = get_as(&app, None, "/api/catalogue").await;
    assert_eq!(code, 200);
    assert_eq!(catalogue["items"][0]["offerId"], "o1", "{catalogue}");
    assert_eq!(catalogue["items"][0]["title"], "Contoso Analytics");
    let page = app
        .client
        .get(app.url("/api/catalogue/contoso/o1/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let logo = catalogue["items"][0]["logos"]["small"]["asset"]
        .as_str()
        .unwrap()
        .to_owned();
    let name = logo.trim_start_matches("assets/");
    let img = app
        .client
        .get(app.url(&format!("/api/catalogue/contoso/o1/assets/{name}")))
        .send()
        .await
        .unwrap();
    assert_eq!(img.status(), 200);
    assert_eq!(img.headers()["content-type"], "image/png");
    let bad = app
        .client
        .get(app.url("/api/catalogue/contoso/o1/assets/..%2Fentry.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);
}

api_test!(a_lead_endpoint_answering_500_fails_packaging_with_its_answer);
async fn a_lead_endpoint_answering_500_fails_packaging_with_its_answer() {
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    let leads = LeadEndpoint::spawn(
        StatusCode::INTERNAL_SERVER_ERROR,
        "CRM is down for maintenance",
    )
    .await;
    let app = TestApp::spawn().await;
    let status = app
        .publish_until_settled("o1", &offer_with_lead(&vhds, "o1", &leads.url))
        .await;
    assert_eq!(offer_status(&status), "failed", "{status}");
    let packaging = &status["steps"][3];
    assert_eq!(packaging["status"], "failed", "{packaging}");
    let msg = packaging["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["level"] == "error")
        .unwrap_or_else(|| panic!("no error message: {packaging}"));
    let text = msg["messageHtml"].as_str().unwrap_or_default().to_owned() + &msg.to_string();
    assert!(
        text.contains("500") && text.contains("CRM is down"),
        "{msg}"
    );
    assert!(
        msg["field"].as_str().unwrap().ends_with("httpsEndpointUrl")
            || msg["field"]
                .as_str()
                .unwrap()
                .contains("httpsEndpointLeadConfiguration"),
        "{msg}"
    );
    assert!(!leads.received().is_empty());
    // Nothing reached the preview nor the catalogue.
    let a = reviewer(&app, SUB_A).await;
    let (_, list) = get_as(&app, Some(&a), "/api/reviewer/previews").await;
    assert_eq!(list["items"], json!([]));
}

api_test!(kill_9_during_replication_then_restart_copies_nothing_twice);
async fn kill_9_during_replication_then_restart_copies_nothing_twice() {
    let db = TestDb::new().await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    let regions = db.dir.path().join("regions");
    let (first, base) = spawn_server(&db, &[]);
    // Block the third region's copy of the OS disk: writing it fails and the step keeps
    // retrying, so the kill below lands during replication, after the first two regions have
    // their copies.
    let blocked = regions.join("koreacentral/contoso/o1/standard/1.0.0/os.vhd");
    std::fs::create_dir_all(&blocked).unwrap(); // a directory where the copy must go
    let token = token(&db);
    put_and_publish(&base, &token, "o1", &vhds.offer("o1", "ok")).await;
    let os = |region: &str| {
        regions
            .join(region)
            .join("contoso/o1/standard/1.0.0/os.vhd")
    };
    let manifest = |region: &str| os(region).with_file_name("os.vhd.manifest.json");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !(manifest("eastus").is_file() && manifest("westeurope").is_file()) {
        assert!(
            Instant::now() < deadline,
            "the first regions were never finished"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut first = first;
    first.0.kill().unwrap(); // SIGKILL, mid-step
    first.0.wait().unwrap();
    let stamp = |p: PathBuf| std::fs::metadata(p).unwrap().modified().unwrap();
    let before = (stamp(os("eastus")), stamp(os("westeurope")));
    let body_gets = vhds.full_gets();

    std::fs::remove_dir_all(&blocked).unwrap();
    let (_second, base) = spawn_server(&db, &[]);
    let status = wait_for(&base, &token, "o1", 120, |v| {
        matches!(offer_status(v), "waitingForPublisherReview" | "failed")
    })
    .await;
    assert_eq!(
        offer_status(&status),
        "waitingForPublisherReview",
        "{status}"
    );
    // The finished copies were not made again, and the image was not downloaded again: the
    // third region got its copy from a verified one.
    assert_eq!((stamp(os("eastus")), stamp(os("westeurope"))), before);
    assert!(manifest("koreacentral").is_file());
    // Exactly one download after the restart: the data disk, which the blocked OS disk had
    // kept waiting; the OS image itself is not fetched again.
    assert_eq!(vhds.full_gets(), body_gets + 1);
}

/// A minimal SMTP server (a stand-in for the operator's mail server): records each message's
/// envelope recipients and data; answers `reject` to the first `times` RCPT commands when set.
struct SmtpSink {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    /// RCPT commands received, refused or not.
    rcpts: Arc<std::sync::atomic::AtomicUsize>,
}

/// Envelope recipients and the message as received.
type Mail = (Vec<String>, String);

impl SmtpSink {
    async fn spawn(reject: Option<&'static str>, times: usize) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = Arc::clone(&mails);
        let rcpts = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&rcpts);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = Arc::clone(&store);
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let (mut rcpt, mut data, mut in_data) = (Vec::new(), String::new(), false);
                    while let Ok(Some(line)) = lines.next_line().await {
                        let reply: &[u8] = if in_data {
                            if line == "." {
                                in_data = false;
                                store
                                    .lock()
                                    .unwrap()
                                    .push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                                b"250 queued\r\n"
                            } else {
                                data.push_str(&line);
                                data.push('\n');
                                continue;
                            }
                        } else {
                            let upper = line.to_ascii_uppercase();
                            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                                b"250 sink\r\n"
                            } else if upper.starts_with("RCPT") {
                                let n = seen.fetch_add(1, Ordering::SeqCst);
                                if let Some(r) = reject.filter(|_| n < times) {
                                    let _ = write.write_all(format!("{r}\r\n").as_bytes()).await;
                                    continue;
                                }
                                rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                                b"250 ok\r\n"
                            } else if upper.starts_with("DATA") {
                                in_data = true;
                                b"354 go on\r\n"
                            } else if upper.starts_with("QUIT") {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            } else {
                                b"250 ok\r\n"
                            }
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Self { port, mails, rcpts }
    }
}

api_test!(notifications_are_delivered_over_smtp_and_refusals_are_kept);
async fn notifications_are_delivered_over_smtp_and_refusals_are_kept() {
    let sink = SmtpSink::spawn(None, 0).await;
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(url.into())).await;
    let doc = serde_json::to_value(portal_domain::samples::complete_offer("o1")).unwrap();
    assert_eq!(app.put_offer("o1", &doc, None).await.status(), 201);
    assert_eq!(app.publish("o1", "a@x.com, b@y.com").await.status(), 202);
    let deadline = Instant::now() + Duration::from_secs(30);
    let (to, data) = loop {
        if let Some(m) = sink.mails.lock().unwrap().first().cloned() {
            break m;
        }
        assert!(Instant::now() < deadline, "no mail arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(to, ["a@x.com", "b@y.com"]);
    assert!(
        data.contains("Subject: Publishing of o1 (version 1) has started"),
        "{data}"
    );
    assert!(
        data.contains("From: \"Partner Portal\" <portal@localhost>")
            && data.contains("To: a@x.com, b@y.com"),
        "{data}"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, list) = app.get_json("/api/publishers/contoso/notifications").await;
        let first = list
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "publishAccepted")
            .cloned()
            .unwrap();
        if first["delivered"] == true {
            assert_eq!(first["attempts"], 1);
            break;
        }
        assert!(Instant::now() < deadline, "{list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A server refusing the recipients: not delivered, its answer kept for the portal.
    let refusing = SmtpSink::spawn(Some("550 5.1.1 mailbox unavailable"), usize::MAX).await;
    let url = format!("smtp://127.0.0.1:{}", refusing.port);
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(url.into())).await;
    assert_eq!(app.put_offer("o1", &doc, None).await.status(), 201);
    assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, list) = app.get_json("/api/publishers/contoso/notifications").await;
        let n = list
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "publishAccepted")
            .cloned()
            .unwrap();
        if n["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("mailbox unavailable"))
        {
            assert_eq!(n["delivered"], false);
            break;
        }
        assert!(Instant::now() < deadline, "{list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refusing.mails.lock().unwrap().is_empty());
}

/// The publisher's `publishAccepted` notifications of `offer`, once `done` holds for it.
async fn notification_when(app: &TestApp, offer: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, list) = app.get_json("/api/publishers/contoso/notifications").await;
        let found = list.as_array().and_then(|l| {
            l.iter()
                .find(|n| {
                    n["kind"] == "publishAccepted"
                        && n["subject"].as_str().is_some_and(|s| s.contains(offer))
                })
                .cloned()
        });
        if let Some(n) = found.filter(|n| done(n)) {
            return n;
        }
        assert!(Instant::now() < deadline, "{list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

api_test!(refused_mail_is_retried_until_delivered_and_at_most_eight_times);
/// A mail server that refuses for a while: a notification is sent again (after 20 ms, 40 ms …
/// here) until it is accepted. One that always refuses: eight attempts per notification, then
/// each stays undelivered with the server's answer and is never sent again.
async fn refused_mail_is_retried_until_delivered_and_at_most_eight_times() {
    use std::sync::atomic::Ordering;
    let doc = serde_json::to_value(portal_domain::samples::complete_offer("o1")).unwrap();
    let flaky = SmtpSink::spawn(Some("451 4.3.0 try again later"), 2).await;
    let url = format!("smtp://127.0.0.1:{}", flaky.port);
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(url.into())).await;
    assert_eq!(app.put_offer("o1", &doc, None).await.status(), 201);
    assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
    // The oldest notification is claimed first, so it met the first refusal.
    let n = notification_when(&app, "o1", |n| n["delivered"] == true).await;
    assert!(n["attempts"].as_i64().unwrap() >= 2, "retried: {n}");
    assert!(n.get("lastError").is_none(), "cleared once delivered: {n}");

    let refusing = SmtpSink::spawn(Some("451 4.3.0 try again later"), usize::MAX).await;
    let url = format!("smtp://127.0.0.1:{}", refusing.port);
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(url.into())).await;
    for offer in ["o1", "o2"] {
        let doc = serde_json::to_value(portal_domain::samples::complete_offer(offer)).unwrap();
        assert_eq!(app.put_offer(offer, &doc, None).await.status(), 201);
        assert_eq!(app.publish(offer, "a@x.com").await.status(), 202);
    }
    // Both publishes fail at step 1 (their images are not reachable): four notifications.
    let deadline = Instant::now() + Duration::from_secs(60);
    let list = loop {
        let (_, list) = app.get_json("/api/publishers/contoso/notifications").await;
        let all = list.as_array().unwrap();
        // The count is taken before a send: wait for the server to have seen the last one.
        let settled = refusing.rcpts.load(Ordering::SeqCst) == 32;
        if settled && all.len() == 4 && all.iter().all(|n| n["attempts"] == 8) {
            break all.clone();
        }
        assert!(Instant::now() < deadline, "{list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for n in &list {
        assert_eq!(n["delivered"], false, "{n}");
        assert!(
            n["lastError"].as_str().unwrap().contains("try again later"),
            "{n}"
        );
    }
    // Every send the server saw is an attempt the portal counted (4 × 8), and the portal
    // claims none of them again.
    let (_, again) = app.get_json("/api/publishers/contoso/notifications").await;
    assert!(
        again.as_array().unwrap().iter().all(|n| n["attempts"] == 8),
        "{again}"
    );
}

api_test!(an_image_gone_before_provisioning_fails_the_step_at_its_field);
/// A permanent replication failure becomes the step's error message, tied to the disk's URL
/// field and saying what to do: here the OS image is deleted from its host after
/// certification read it and before Provisioning copies it.
async fn an_image_gone_before_provisioning_fails_the_step_at_its_field() {
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    // A directory of this test's own on the image host (the others share `ok/`).
    let root = image_root().unwrap();
    let prefix = format!("gone-{}", uuid::Uuid::new_v4().simple());
    let own = root.join(&prefix).join("vhds");
    std::fs::create_dir_all(&own).unwrap();
    for file in ["standard-1.0.0-os.vhd", "standard-1.0.0-data0.vhd"] {
        std::fs::hard_link(root.join("ok/vhds").join(file), own.join(file)).unwrap();
    }
    let app = TestApp::spawn_with(|c| {
        let dir = Path::new(&c.site_store).parent().unwrap().to_path_buf();
        c.regions = portal_server::config::default_regions(&dir);
        // Certification waits a little after its reads, so the image can go in between.
        c.min_step = Duration::from_secs(2);
    })
    .await;
    app.create_offer("o1", &vhds, &prefix).await;
    assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
    app.wait_status("o1", 60, |v| {
        v["steps"][1]["status"] == "inProgress" && v["steps"][1]["progressPercentage"] == 100
    })
    .await;
    std::fs::remove_file(own.join("standard-1.0.0-os.vhd")).unwrap();
    let status = app
        .wait_status("o1", 60, |v| offer_status(v) == "failed")
        .await;
    let provisioning = &status["steps"][2];
    assert_eq!(provisioning["status"], "failed", "{status}");
    let error = provisioning["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["level"] == "error")
        .unwrap_or_else(|| panic!("no error message: {provisioning}"));
    assert!(
        error["field"]
            .as_str()
            .unwrap()
            .ends_with("vmImages[\"1.0.0\"].osVhdUrl"),
        "{error}"
    );
    assert_eq!(error["code"], "imageVanished", "{error}");
    let text = error["messageHtml"].as_str().unwrap();
    assert!(text.contains("press Publish again"), "{text}");
    assert!(!text.contains("sig="), "no SAS in messages: {text}");
    let _ = std::fs::remove_dir_all(root.join(&prefix));
}
