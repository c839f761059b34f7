//! The engine across processes: a `kill -9` during Certification, Packaging or Go Live then a
//! restart finishes the publish, and two servers on one PostgreSQL database never run a step
//! twice.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{
    TestApp, TestDb, V, VhdServer, config, offer_status, put_and_publish, wait_for,
};

pub(crate) struct Proc(pub(crate) Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn spawn_server(db: &TestDb, extra: &[&str]) -> (Proc, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal-server"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--no-demo",
            "--allow-private-network",
        ])
        .args([
            "--data-dir",
            db.dir.path().to_str().unwrap(),
            "--web-dir",
            "none",
        ])
        .args(extra)
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn portal-server");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(url.starts_with("http://"), "{line}");
    (Proc(child), url)
}

pub(crate) fn token(db: &TestDb) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_portal-server"))
        .args([
            "token",
            "create",
            "--publisher",
            "contoso",
            "--name",
            "kill-test",
        ])
        .args(["--data-dir", db.dir.path().to_str().unwrap()])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        token.starts_with("pp_") && !token.contains(char::is_whitespace),
        "only the token"
    );
    token
}

/// The status of the step `id` in a status answer.
fn step_state<'a>(status: &'a Value, id: &str) -> &'a str {
    status["steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["id"] == id))
        .and_then(|s| s["status"].as_str())
        .unwrap_or("")
}

/// Kills the server with SIGKILL while step `id` is in progress (each step lasts at least
/// 3 s), starts a new one on the same database, and returns the status once the publish is
/// at sign-off again, or live after a kill during Live (`null` when the test is skipped).
async fn kill_9_during(id: &str) -> Value {
    let db = TestDb::new().await;
    let Some(vhds) = VhdServer::spawn().await else {
        return Value::Null;
    };
    let args = ["--min-step-seconds", "3", "--regions", ""];
    let (first, base) = spawn_server(&db, &args);
    let token = token(&db);
    put_and_publish(&base, &token, "o1", &vhds.offer("o1", "ok")).await;
    if id == "live" {
        wait_for(&base, &token, "o1", 60, |v| {
            offer_status(v) == "waitingForPublisherReview"
        })
        .await;
        let res = reqwest::Client::new()
            .post(format!(
                "{base}/api/publishers/contoso/offers/o1/golive?{V}"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
    }
    wait_for(&base, &token, "o1", 60, |v| {
        step_state(v, id) == "inProgress"
    })
    .await;
    let mut first = first;
    first.0.kill().unwrap(); // SIGKILL
    first.0.wait().unwrap();

    let (_second, base) = spawn_server(&db, &args);
    let done = if id == "live" {
        "succeeded"
    } else {
        "waitingForPublisherReview"
    };
    wait_for(&base, &token, "o1", 90, |v| offer_status(v) == done).await
}

api_test!(kill_9_during_packaging_then_restart_reaches_sign_off);
async fn kill_9_during_packaging_then_restart_reaches_sign_off() {
    let status = kill_9_during("displaypackage").await;
    if status.is_null() {
        return;
    }
    assert_eq!(
        step_state(&status, "displaypackage"),
        "complete",
        "{status}"
    );
    assert_eq!(status["previewStep"]["status"], "complete", "{status}");
    assert_eq!(
        status["previewLinks"][0]["uri"], "/preview/contoso/o1",
        "{status}"
    );
}

api_test!(kill_9_during_go_live_then_restart_goes_live);
async fn kill_9_during_go_live_then_restart_goes_live() {
    let status = kill_9_during("live").await;
    if status.is_null() {
        return;
    }
    assert_eq!(step_state(&status, "live"), "complete", "{status}");
    assert_eq!(
        status["liveLinks"][0]["uri"], "/catalogue/contoso/o1",
        "{status}"
    );
}

api_test!(kill_9_during_certification_then_restart_completes);
async fn kill_9_during_certification_then_restart_completes() {
    // No regions: this test is about the engine (replication has its own kill test).
    let status = kill_9_during("displaycertify").await;
    if status.is_null() {
        return;
    }
    // The four automatic steps and the preview, before sign-off.
    assert!(
        status["steps"].as_array().unwrap()[..4]
            .iter()
            .chain([&status["previewStep"]])
            .all(|s| s["status"] == "complete"),
        "{status}"
    );
}

/// Several processes sharing one database are a PostgreSQL deployment (SQLite serves one
/// machine), so this test runs on PostgreSQL alone.
#[tokio::test]
async fn two_servers_on_one_postgres_never_run_a_step_twice() {
    crate::helpers::on(
        crate::helpers::Backend::Postgres,
        two_servers_on_one_database(),
    )
    .await;
}

async fn two_servers_on_one_database() {
    let app = TestApp::spawn().await;
    let db_url = app.db.url.clone();
    // A second server process (in-process here) on the same database.
    let second = portal_server::Server::build(config(&db_url, app.db.dir.path()))
        .await
        .unwrap();
    tokio::spawn(second.run());
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    for i in 0..6 {
        let id = format!("o{i}");
        app.create_offer(&id, &vhds, "ok").await;
        assert_eq!(app.publish(&id, "a@x.com").await.status(), 202);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    for i in 0..6 {
        let id = format!("o{i}");
        let left = deadline
            .saturating_duration_since(Instant::now())
            .as_secs()
            .max(1);
        let s: Value = app
            .wait_status(&id, left, |v| {
                offer_status(v) == "waitingForPublisherReview"
            })
            .await;
        assert_eq!(s["previewStep"]["status"], "complete");
    }
    let counts = portal_server::publishing::store::step_run_counts(&app.store)
        .await
        .unwrap();
    assert_eq!(counts.len(), 6 * 5, "{counts:?}");
    assert!(
        counts.iter().all(|(_, _, n)| *n == 1),
        "a step ran twice: {counts:?}"
    );
}

api_test!(token_cli_lists_without_secrets_and_revokes);
async fn token_cli_lists_without_secrets_and_revokes() {
    let db = TestDb::new().await;
    let secret = token(&db);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_portal-server"))
            .arg("token")
            .args(args)
            .args(["--data-dir", db.dir.path().to_str().unwrap()])
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap()
    };
    let list = String::from_utf8(run(&["list"]).stdout).unwrap();
    assert!(
        list.contains("kill-test") && list.contains("contoso"),
        "{list}"
    );
    assert!(!list.contains(&secret), "never the secret");
    assert!(run(&["revoke", "kill-test"]).status.success());
    assert!(
        !String::from_utf8(run(&["list"]).stdout)
            .unwrap()
            .contains("kill-test")
    );
    assert!(!run(&["revoke", "kill-test"]).status.success());
}

api_test!(demo_has_every_state_and_its_own_images_pass_certification);
async fn demo_has_every_state_and_its_own_images_pass_certification() {
    let db = TestDb::new().await;
    let mut cfg = config(&db.url, db.dir.path());
    cfg.demo = true;
    cfg.allow_private_network = false; // the demo's own address is allowed anyway
    cfg.data_dir = db.dir.path().to_path_buf();
    let real_images = portal_vhd::testimage::mkfs().is_some();
    let server = portal_server::Server::build(cfg).await.unwrap();
    let token = server
        .demo_tokens
        .clone()
        .expect("demo tokens on first start")
        .publisher;
    let base = format!("http://{}", server.addr);
    tokio::spawn(server.run());
    let client = reqwest::Client::new();
    let list: Value = client
        .get(format!("{base}/api/publishers/contoso/offers?{V}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status_of = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == id)
            .map(|o| o["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        status_of("contoso-draft").as_deref(),
        Some("neverPublished")
    );
    assert_eq!(status_of("contoso-failed").as_deref(), Some("failed"));
    assert_eq!(
        status_of("contoso-signoff").as_deref(),
        Some("waitingForPublisherReview")
    );
    assert_eq!(status_of("contoso-live").as_deref(), Some("succeeded"));
    // The live offer is in the public catalogue once its seeded version is packaged (with the
    // logos the portal serves itself).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let catalogue: Value = client
            .get(format!("{base}/api/catalogue"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ids: Vec<&str> = catalogue["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["offerId"].as_str())
            .collect();
        if ids == ["contoso-live"] {
            break;
        }
        assert!(Instant::now() < deadline, "catalogue: {catalogue}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !real_images {
        eprintln!("NOTE: mkfs.ext4 not found; the demo's real images are not checked.");
        return;
    }
    // The failed one shows what certifying the failing image really gives.
    let failed = wait_for(&base, &token, "contoso-failed", 5, |_| true).await;
    let codes: Vec<&str> = failed["steps"][1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["level"] == "error")
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "certification.linux.agent",
            "certification.linux.ssh_client_alive"
        ],
        "{failed}"
    );
    // The publishing one runs for real against the portal's own passing image.
    let s = wait_for(&base, &token, "contoso-publishing", 60, |v| {
        offer_status(v) == "waitingForPublisherReview" || offer_status(v) == "failed"
    })
    .await;
    assert_eq!(offer_status(&s), "waitingForPublisherReview", "{s}");
    let range = client
        .get(format!("{base}/demo/vhds/linux-pass.vhd"))
        .header("Range", "bytes=0-511")
        .send()
        .await
        .unwrap();
    assert_eq!(range.status(), 206);
    assert_eq!(
        range.headers()["content-range"],
        format!("bytes 0-511/{}", 1024 * 1024 * 1024 + 512)
    );
}

api_test!(a_token_revoked_by_the_cli_is_refused_within_a_second);
/// `token revoke` in another process: a running server that has just verified the token
/// refuses it within a second (its cache of verified tokens lasts that long).
async fn a_token_revoked_by_the_cli_is_refused_within_a_second() {
    let app = TestApp::spawn().await;
    let secret = token(&app.db);
    let me = || async {
        app.client
            .get(app.url(&format!("/api/me?{V}")))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(me().await, 200, "a fresh token works");
    let revoked = Command::new(env!("CARGO_BIN_EXE_portal-server"))
        .args(["token", "revoke", "kill-test"])
        .args(["--data-dir", app.db.dir.path().to_str().unwrap()])
        .env("DATABASE_URL", &app.db.url)
        .output()
        .unwrap();
    assert!(revoked.status.success(), "{revoked:?}");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = 0;
    while Instant::now() < deadline {
        last = me().await;
        if last == 401 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last, 401, "still accepted 5 s after the revocation");
}

api_test!(a_step_that_keeps_failing_gives_up_and_says_so);
/// A step whose work keeps failing for a reason that looks passing (here the only region's
/// directory turned into a file after start: every write is refused) is retried, and after
/// `MAX_STEP_RUNS` starts the publish fails at that step with a message telling the publisher
/// what to do, instead of retrying for ever.
async fn a_step_that_keeps_failing_gives_up_and_says_so() {
    let regions = tempfile::tempdir().unwrap();
    let region = regions.path().join("only");
    std::fs::create_dir_all(&region).unwrap();
    let spec = format!("only={}", region.display());
    let app = TestApp::spawn_with(|c| c.regions = spec).await;
    let Some(vhds) = VhdServer::spawn().await else {
        return;
    };
    std::fs::remove_dir_all(&region).unwrap();
    std::fs::write(&region, b"not a directory").unwrap();
    app.create_offer("o1", &vhds, "ok").await;
    assert_eq!(app.publish("o1", "a@x.com").await.status(), 202);
    let status = app
        .wait_status("o1", 120, |v| offer_status(v) == "failed")
        .await;
    let provisioning = &status["steps"][2];
    assert_eq!(provisioning["id"], "displayprovision");
    assert_eq!(provisioning["status"], "failed", "{status}");
    let codes: Vec<&str> = provisioning["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["code"].as_str())
        .collect();
    assert!(codes.contains(&"internalError"), "{provisioning}");
    let counts = portal_server::publishing::store::step_run_counts(&app.store)
        .await
        .unwrap();
    let runs = counts
        .iter()
        .find(|(_, step, _)| step == "displayprovision")
        .map(|(_, _, n)| *n);
    // Eight runs that failed, and a ninth start that gives up.
    assert_eq!(runs, Some(9), "{counts:?}");
}
