//! Partner Portal's server: the CPP-shaped JSON API under `/api`, the durable publishing
//! engine, the demo and the built web app. `main.rs` parses the command line and calls
//! [`Server::build`]; the tests use the same builder.

pub mod accounts;
pub mod audit;
pub mod catalogue;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod extract;
pub mod images;
pub mod notifications;
pub mod offers;
pub mod openapi;
pub mod outbound;
pub mod publishing;
pub mod reviewer;
pub mod routes;
pub mod state;
pub mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::db::Db;
use crate::notifications::mail;
use crate::state::{AppState, Settings};

/// Everything `serve` needs, independent of how it was parsed.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks one).
    pub listen: SocketAddr,
    /// Database URL (kept out of logs).
    pub database_url: config::Secret,
    /// Create the demo on first start.
    pub demo: bool,
    /// Allow private networks for image URLs.
    pub allow_private_network: bool,
    /// Minimum duration of each automatic step.
    pub min_step: Duration,
    /// Built web app.
    pub web_dir: PathBuf,
    /// Lease duration of a claimed step.
    pub lease: Duration,
    /// Pipeline workers in this process.
    pub workers: usize,
    /// Where files live besides the database (the demo's sample images).
    pub data_dir: PathBuf,
    /// The site store: a directory or an object store URL (`s3://…`, `az://…`, `gs://…`).
    pub site_store: String,
    /// The regions: `name=URL` pairs, comma-separated.
    pub regions: String,
    /// SMTP server for notification e-mails (kept in the outbox without one).
    pub smtp_url: Option<config::Secret>,
    /// Sender of notification e-mails.
    pub smtp_from: String,
    /// The wait before the first retry of an e-mail the SMTP server refused (30 s; each further
    /// retry waits twice as long, up to an hour). Tests shorten it.
    pub smtp_first_retry: Duration,
    /// The portal's public URL (links in e-mails, the `Origin` of writes, `Secure` cookies);
    /// `http://` and the bound address when `None`.
    pub public_url: Option<String>,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in.
    pub session_max: Duration,
}

impl ServerConfig {
    /// The configuration of `serve` from its arguments.
    pub fn from_args(args: &config::ServeArgs) -> anyhow::Result<Self> {
        Ok(Self {
            listen: args.listen,
            database_url: args.store.url()?,
            demo: !args.no_demo,
            allow_private_network: args.allow_private_network,
            min_step: Duration::from_secs(args.min_step_seconds),
            web_dir: args.web_dir.clone(),
            lease: Duration::from_secs(10),
            workers: 2,
            data_dir: args.store.data_dir.clone(),
            site_store: args
                .site_store
                .clone()
                .unwrap_or_else(|| args.store.data_dir.join("site").display().to_string()),
            regions: args
                .regions
                .clone()
                .unwrap_or_else(|| config::default_regions(&args.store.data_dir)),
            smtp_url: args.smtp_url.clone(),
            smtp_from: args.smtp_from.clone(),
            smtp_first_retry: Duration::from_secs(30),
            public_url: args.public_url.clone(),
            session_idle: Duration::from_secs(args.session_idle_minutes.saturating_mul(60)),
            session_max: Duration::from_secs(args.session_max_hours.saturating_mul(3600)),
        })
    }
}

/// A bound, migrated server, ready to run.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    router: Router,
    state: AppState,
    workers: usize,
    /// The address actually bound.
    pub addr: SocketAddr,
    /// The demo's tokens, when the demo was created by this start.
    pub demo_tokens: Option<demo::DemoTokens>,
    mailer: Option<mail::Mailer>,
    /// Where the demo's images come from (for the start-up output), when the demo is on.
    pub demo_images: Option<String>,
}

impl Server {
    /// Binds, connects, migrates and (on first start) seeds the demo.
    pub async fn build(config: ServerConfig) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let db = Db::connect(config.database_url.expose()).await?;
        let images = if config.demo {
            let dir = config.data_dir.clone();
            let images =
                tokio::task::spawn_blocking(move || demo::vhd::DemoImages::prepare(&dir)).await?;
            if let demo::vhd::DemoImages::InMemory(why) = &images {
                tracing::warn!(reason = %why, "demo images could not be built; install e2fsprogs (mkfs.ext4); serving footer-only images that fail certification");
            }
            Some(images)
        } else {
            None
        };
        let demo_tokens = match &images {
            Some(images) => demo::seed(&db, addr, images).await?,
            None => None,
        };
        let regions = if config.regions.trim().is_empty() {
            Vec::new()
        } else {
            portal_replicate::parse_regions(&config.regions)
                .map_err(|e| anyhow::anyhow!("--regions: {e}"))?
        };
        let public_url = match &config.public_url {
            Some(u) => url::Url::parse(u)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .ok_or_else(|| anyhow::anyhow!("--public-url: `{u}` is not an http(s) URL"))?,
            None => url::Url::parse(&format!("http://{addr}"))?,
        };
        let settings = Settings {
            allow_private_network: config.allow_private_network,
            own_addr: config.demo.then_some(demo::image_host(addr)),
            min_step: config.min_step,
            lease: config.lease,
            http_timeout: Duration::from_secs(10),
            public_url,
            session_idle: config.session_idle,
            session_max: config.session_max,
        };
        let state = AppState {
            db,
            credentials: Arc::default(),
            settings: Arc::new(settings),
            wake: Arc::new(Notify::new()),
            answers: Arc::default(),
            site: open_store(&config.site_store)?,
            regions: Arc::new(regions),
        };
        let mailer = config
            .smtp_url
            .as_ref()
            .map(|url| mail::Mailer::new(url, &config.smtp_from, config.smtp_first_retry))
            .transpose()?;
        let router = Router::new()
            .nest("/api", routes::router(state.clone()))
            .merge(images.as_ref().map(demo::vhd::DemoImages::router).unwrap_or_default())
            .merge(web::router(&config.web_dir))
            // Brotli or gzip when the client accepts it: the app's wasm is 1.3 MB raw and
            // ≈ 0.35 MB compressed, a list of 10,000 offers 3.3 MB raw. Quality 5: about as
            // small as the best for JSON at a fraction of the CPU. Event streams and images
            // are left alone (the default predicate).
            .layer(CompressionLayer::new().quality(CompressionLevel::Precise(5)))
            // Spans record the path only: query strings may carry an access token.
            .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            }));
        Ok(Self {
            listener,
            router,
            state,
            workers: config.workers,
            addr,
            demo_tokens,
            mailer,
            demo_images: images.as_ref().map(demo::vhd::DemoImages::describe),
        })
    }

    /// The portal's public URL.
    pub fn public_url(&self) -> &url::Url {
        &self.state.settings.public_url
    }

    /// The database, for tools and tests.
    pub fn db(&self) -> Db {
        self.state.db.clone()
    }

    /// Runs the workers and serves until the process ends.
    pub async fn run(self) -> anyhow::Result<()> {
        let _workers = publishing::engine::spawn_workers(&self.state, self.workers);
        let _mail = self
            .mailer
            .clone()
            .map(|m| mail::spawn_delivery(self.state.clone(), m));
        if self.demo_images.is_some() {
            let state = self.state.clone();
            tokio::spawn(async move {
                if let Err(e) = demo::package_demo(&state).await {
                    tracing::warn!(error = %e, "packaging the demo's offers failed");
                }
            });
        }
        // Ctrl-C ends the process without waiting for open event streams; steps interrupted
        // here resume (elsewhere, or after a restart) once their leases expire.
        tokio::select! {
            served = axum::serve(
                self.listener,
                self.router.into_make_service_with_connect_info::<SocketAddr>(),
            ) => served?,
            _ = tokio::signal::ctrl_c() => tracing::info!("shutting down"),
        }
        Ok(())
    }
}

/// Opens an object store from a directory path, a `file://` URL or a cloud URL (`s3://…`,
/// `az://…`, `gs://…`, with credentials from the environment).
pub fn open_store(spec: &str) -> anyhow::Result<Arc<dyn object_store::ObjectStore>> {
    let local = |dir: &std::path::Path| -> anyhow::Result<Arc<dyn object_store::ObjectStore>> {
        std::fs::create_dir_all(dir)?;
        Ok(Arc::new(
            object_store::local::LocalFileSystem::new_with_prefix(dir)?,
        ))
    };
    if let Some(rest) = spec.strip_prefix("file://") {
        return local(std::path::Path::new(rest));
    }
    if !spec.contains("://") {
        return local(std::path::Path::new(spec));
    }
    let url = url::Url::parse(spec).map_err(|e| anyhow::anyhow!("`{spec}`: {e}"))?;
    let (store, prefix) = object_store::parse_url_opts(&url, std::env::vars())?;
    anyhow::ensure!(
        prefix.as_ref().is_empty(),
        "`{spec}`: give the bucket or container only, without a path"
    );
    Ok(Arc::from(store))
}
