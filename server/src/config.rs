//! The command line and environment: one typed struct per command, a doc comment on every
//! field, secrets wrapped so they cannot be printed.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};

/// A value that must never be printed or logged (a database URL may hold a password).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// Partner Portal: a self-hostable marketplace publishing portal.
#[derive(Debug, Parser)]
#[command(
    name = "portal-server",
    version,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do (`serve` when omitted).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, accepted without the subcommand too.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server, the publishing pipeline and the web app.
    Serve(ServeArgs),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Directory for the SQLite database (and, later, blobs).
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Database URL; `postgres://…` selects PostgreSQL. Default: SQLite in the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<Secret>,
}

impl StoreArgs {
    /// The database URL to connect to (creating the data directory for SQLite).
    pub fn url(&self) -> anyhow::Result<Secret> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)?;
        let path = self.data_dir.join("portal.db");
        Ok(Secret(format!("sqlite://{}?mode=rwc", path.display())))
    }
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PORTAL_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where the data lives.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Do not create the demo publisher and offers on first start.
    #[arg(long, env = "PORTAL_NO_DEMO")]
    pub no_demo: bool,
    /// Allow image URLs on private, loopback and link-local addresses (and plain http to
    /// loopback). Off by default: such URLs could reach internal services.
    #[arg(long, env = "PORTAL_ALLOW_PRIVATE_NETWORK")]
    pub allow_private_network: bool,
    /// Minimum duration of each automatic step in seconds, so people can watch the progress
    /// view in a demonstration. Only adds a wait before a step completes.
    #[arg(long, env = "PORTAL_MIN_STEP_SECONDS", default_value_t = 0)]
    pub min_step_seconds: u64,
    /// Directory of the built web app (`trunk build`), served at `/`.
    #[arg(long, env = "PORTAL_WEB_DIR", default_value = "dist")]
    pub web_dir: PathBuf,
}

/// `token …` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a publisher; prints only the token.
    Create {
        /// The publisher the token acts for.
        #[arg(long)]
        publisher: String,
        /// A name to recognise the token by.
        #[arg(long)]
        name: Option<String>,
        /// Where the data lives.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List tokens (never their secrets).
    List {
        /// Where the data lives.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a token by id or name.
    Revoke {
        /// The token's id or name.
        id_or_name: String,
        /// Where the data lives.
        #[command(flatten)]
        store: StoreArgs,
    },
}
