//! The guarded clients against real HTTP servers on `127.0.0.1:0`: DNS pinning, the redirect
//! loop and its hop limit, redaction of every message.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header::LOCATION};
use axum::response::IntoResponse;
use axum::routing::get;
use portal_net::{
    AddressPolicy, BlockingClient, Client, ClientOptions, Error, Reason, Refusal, Request,
    parse_url,
};

/// A server answering `/ok` with `ok`, `/loop` with a redirect to itself (with a secret in the
/// query) and `/to` with a redirect to `to`; it counts the requests it gets.
struct Server {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn serve(to: Option<String>) -> Server {
    let hits = Arc::new(AtomicUsize::new(0));
    let count = |hits: &Arc<AtomicUsize>| {
        let hits = Arc::clone(hits);
        move || {
            hits.fetch_add(1, Ordering::SeqCst);
        }
    };
    let (ok, looping, redirect) = (count(&hits), count(&hits), count(&hits));
    let to = to.unwrap_or_default();
    let app = Router::new()
        .route(
            "/ok",
            get(move || async move {
                ok();
                "ok"
            }),
        )
        .route(
            "/loop",
            get(move || async move {
                looping();
                (StatusCode::FOUND, [(LOCATION, "/loop?sig=SECRET2")]).into_response()
            }),
        )
        .route(
            "/to",
            get(move || async move {
                redirect();
                (StatusCode::TEMPORARY_REDIRECT, [(LOCATION, to)]).into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server { addr, hits }
}

fn options(policy: AddressPolicy) -> ClientOptions {
    ClientOptions {
        policy,
        allow_http: true,
        timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    }
}

const LOOPBACK: AddressPolicy = AddressPolicy {
    allow_private: true,
    also_allow: None,
};

fn only(addr: SocketAddr) -> AddressPolicy {
    AddressPolicy {
        allow_private: false,
        also_allow: Some(addr),
    }
}

async fn get_url(client: &Client, url: &str) -> Result<reqwest::Response, Error> {
    client.send(&Request::get(parse_url(url)?)).await
}

fn refused_address(err: &Error) -> Option<std::net::IpAddr> {
    match err.refusal() {
        Some(Refusal::Address { addr, .. }) => Some(*addr),
        _ => None,
    }
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_unless_private_is_allowed() {
    let server = serve(None).await;
    let by_name = format!("http://localhost:{}/ok", server.addr.port());

    // Even the one allowed socket address does not admit a name that resolves to it.
    for policy in [AddressPolicy::default(), only(server.addr)] {
        let client = Client::new(&options(policy)).unwrap();
        let err = get_url(&client, &by_name).await.unwrap_err();
        let addr = refused_address(&err).unwrap_or_else(|| panic!("{err}"));
        assert!(addr.is_loopback(), "{err}");
        assert!(err.to_string().contains("localhost resolves to"), "{err}");
        assert!(!err.is_transient());
    }
    assert_eq!(server.hits(), 0, "nothing reached the server");

    let client = Client::new(&options(LOOPBACK)).unwrap();
    let resp = get_url(&client, &by_name).await.unwrap();
    assert_eq!(resp.text().await.unwrap(), "ok");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn literals_are_checked_before_sending() {
    let server = serve(None).await;
    let client = Client::new(&options(AddressPolicy::default())).unwrap();
    let err = get_url(&client, &server.url("/ok")).await.unwrap_err();
    assert_eq!(refused_address(&err), Some(server.addr.ip()), "{err}");
    let own = Client::new(&options(only(server.addr))).unwrap();
    assert!(get_url(&own, &server.url("/ok")).await.is_ok());

    let https_only = Client::new(&ClientOptions {
        allow_http: false,
        ..options(LOOPBACK)
    })
    .unwrap();
    let err = get_url(&https_only, &server.url("/ok")).await.unwrap_err();
    assert_eq!(
        err.refusal(),
        Some(&Refusal::Scheme("http".into())),
        "{err}"
    );
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_redirect_to_a_refused_address_is_refused() {
    let target = serve(None).await;
    for to in [
        target.url("/ok"),
        format!("http://localhost:{}/ok?sig=SECRET", target.addr.port()),
    ] {
        let redirector = serve(Some(to.clone())).await;
        let client = Client::new(&options(only(redirector.addr))).unwrap();
        let err = get_url(&client, &redirector.url("/to?sig=SECRET"))
            .await
            .unwrap_err();
        assert!(refused_address(&err).is_some(), "{to}: {err}");
        assert_eq!(err.url(), redirector.url("/to"));
        assert_eq!(err.redirected_to(), Some(to.split('?').next().unwrap()));
        assert!(!err.to_string().contains("SECRET"), "{err}");
        assert_eq!(redirector.hits(), 1);
    }
    assert_eq!(target.hits(), 0, "the refused hop was never sent");

    // With loopback allowed, the same redirect is followed.
    let redirector = serve(Some(target.url("/ok"))).await;
    let client = Client::new(&options(LOOPBACK)).unwrap();
    let resp = get_url(&client, &redirector.url("/to")).await.unwrap();
    assert_eq!(resp.url().as_str(), target.url("/ok"));
    assert_eq!(resp.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn the_hop_limit_ends_a_redirect_loop() {
    let server = serve(None).await;
    let client = Client::new(&ClientOptions {
        max_redirects: 2,
        ..options(LOOPBACK)
    })
    .unwrap();
    let mut sent = Vec::new();
    let err = client
        .send_with(
            &Request::get(parse_url(&server.url("/loop?sig=SECRET")).unwrap()),
            |at| {
                sent.push(at.path().to_owned());
                Ok::<(), Error>(())
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.reason(), &Reason::TooManyRedirects(2));
    assert_eq!(sent.len(), 3, "the first request and two redirects");
    assert_eq!(server.hits(), 3);
    let shown = err.to_string();
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(shown.ends_with("more than 2 redirects"), "{shown}");
}

#[tokio::test]
async fn the_query_is_redacted_from_every_message() {
    // A port nothing listens on: bind, note the port, close.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let client = Client::new(&options(LOOPBACK)).unwrap();
    let secret = format!("http://{closed}/os.vhd?sv=2024&sig=SECRET");
    let err = get_url(&client, &secret).await.unwrap_err();
    assert!(
        matches!(err.reason(), Reason::ConnectionRefused(_)),
        "{err:?}"
    );
    let strict = Client::new(&options(AddressPolicy::default())).unwrap();
    let refused = get_url(&strict, &secret).await.unwrap_err();
    let invalid = get_url(&client, "http://h:99999/x?sig=SECRET")
        .await
        .unwrap_err();
    for e in [err, refused, invalid] {
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}

#[test]
fn the_blocking_client_follows_the_same_rules() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let target = runtime.block_on(serve(None));
    let redirector = runtime.block_on(serve(Some(target.url("/ok"))));

    let client = BlockingClient::new(&options(only(redirector.addr))).unwrap();
    let err = client
        .send(&Request::get(parse_url(&redirector.url("/to")).unwrap()))
        .unwrap_err();
    assert_eq!(refused_address(&err), Some(target.addr.ip()), "{err}");
    let by_name = format!("http://localhost:{}/ok", target.addr.port());
    let err = client
        .send(&Request::get(parse_url(&by_name).unwrap()))
        .unwrap_err();
    assert!(refused_address(&err).is_some(), "{err}");
    assert_eq!(target.hits(), 0);

    let open = BlockingClient::new(&ClientOptions {
        max_redirects: 1,
        ..options(LOOPBACK)
    })
    .unwrap();
    let resp = open
        .send(&Request::get(parse_url(&redirector.url("/to")).unwrap()))
        .unwrap();
    assert_eq!(resp.text().unwrap(), "ok");
    let err = open
        .send(&Request::get(parse_url(&target.url("/loop")).unwrap()))
        .unwrap_err();
    assert_eq!(err.reason(), &Reason::TooManyRedirects(1));
}
