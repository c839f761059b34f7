//! The command line and environment: one typed struct per command, a doc comment on every
//! field, secrets wrapped so they cannot be printed.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::builder::BoolishValueParser;
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
    /// Manage people.
    #[command(subcommand)]
    User(UserCommand),
}

/// `user …` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Make a person a member of a publisher with a role, and print a one-time set-password
    /// link (valid 24 h). For an existing person it changes the role and resets the password.
    Create {
        /// The publisher.
        #[arg(long)]
        publisher: String,
        /// The person's e-mail address.
        #[arg(long)]
        email: String,
        /// `owner`, `manager`, `developer` or `viewer`.
        #[arg(long, value_parser = parse_role)]
        role: portal_domain::accounts::Role,
        /// The display name (default: the address before the `@`).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input and set it now (no link).
        #[arg(long)]
        password_stdin: bool,
        /// The portal's public URL, for the link.
        #[arg(
            long,
            env = "PORTAL_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
        /// Where the data lives.
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn parse_role(s: &str) -> Result<portal_domain::accounts::Role, String> {
    portal_domain::accounts::Role::parse(s)
        .ok_or_else(|| format!("`{s}` is not a role; use owner, manager, developer or viewer"))
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
    #[arg(long, env = "PORTAL_NO_DEMO", value_parser = BoolishValueParser::new())]
    pub no_demo: bool,
    /// Allow image URLs on private, loopback and link-local addresses (and plain http to
    /// loopback). Off by default: such URLs could reach internal services.
    #[arg(long, env = "PORTAL_ALLOW_PRIVATE_NETWORK", value_parser = BoolishValueParser::new())]
    pub allow_private_network: bool,
    /// Minimum duration of each automatic step in seconds, so people can watch the progress
    /// view in a demonstration. Only adds a wait before a step completes.
    #[arg(long, env = "PORTAL_MIN_STEP_SECONDS", default_value_t = 0)]
    pub min_step_seconds: u64,
    /// Directory of the built web app (`scripts/build-web.sh`), served at `/`.
    #[arg(long, env = "PORTAL_WEB_DIR", default_value = "dist")]
    pub web_dir: PathBuf,
    /// Where product pages, catalogue entries and their assets go: a directory, or an object
    /// store URL (`s3://bucket`, `az://container`, `gs://bucket`; credentials from the
    /// environment). Default: `site/` in the data directory.
    #[arg(long, env = "PORTAL_SITE_STORE")]
    pub site_store: Option<String>,
    /// The regions certified disks are replicated to: comma-separated `name=LOCATION`, where
    /// LOCATION is a directory, `file:///dir`, `s3://bucket/prefix`, `az://container/prefix`
    /// or `gs://bucket/prefix`. Default: three local regions under `regions/` in the data
    /// directory (eastus, westeurope, koreacentral). An empty value turns replication off
    /// (Provisioning then copies nothing and test deployments find no disks).
    #[arg(long, env = "PORTAL_REGIONS")]
    pub regions: Option<String>,
    /// Deliver notification e-mails through this SMTP server: `smtp://[user:pass@]host[:port]`
    /// (add `?tls=required` for STARTTLS) or `smtps://…`. Without it, e-mails are kept in the
    /// outbox and shown in the portal.
    #[arg(long, env = "PORTAL_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,
    /// The sender of notification e-mails.
    #[arg(
        long,
        env = "PORTAL_SMTP_FROM",
        default_value = "Partner Portal <portal@localhost>"
    )]
    pub smtp_from: String,
    /// The portal's public URL, as browsers reach it: links in e-mails point there, writes with
    /// the session cookie must come from its origin, and cookies are `Secure` when it is
    /// https. Default: `http://` and the listen address.
    #[arg(long, env = "PORTAL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// A browser session unused for this many minutes ends.
    #[arg(long, env = "PORTAL_SESSION_IDLE_MINUTES", default_value_t = 8 * 60)]
    pub session_idle_minutes: u64,
    /// A browser session ends this many hours after sign-in, used or not.
    #[arg(long, env = "PORTAL_SESSION_MAX_HOURS", default_value_t = 7 * 24)]
    pub session_max_hours: u64,
}

/// The default regions: three directories under the data directory.
pub fn default_regions(data_dir: &std::path::Path) -> String {
    ["eastus", "westeurope", "koreacentral"]
        .iter()
        .map(|r| format!("{r}={}", data_dir.join("regions").join(r).display()))
        .collect::<Vec<_>>()
        .join(",")
}

/// `token …` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a publisher; prints only the token.
    Create {
        /// The publisher the token acts for.
        #[arg(
            long,
            required_unless_present = "reviewer",
            conflicts_with = "reviewer"
        )]
        publisher: Option<String>,
        /// Make a reviewer token for this Azure subscription id: it opens the previews whose
        /// preview subscription ids include it, and nothing else.
        #[arg(long, value_name = "SUBSCRIPTION_ID")]
        reviewer: Option<String>,
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn plain_invocation_means_serve_with_defaults() {
        let cli = Cli::try_parse_from(["portal-server"]).expect("parses");
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.listen.to_string(), "127.0.0.1:8080");
        assert!(!cli.serve.no_demo && !cli.serve.allow_private_network);
        assert_eq!(cli.serve.min_step_seconds, 0);
        assert_eq!(cli.serve.web_dir, PathBuf::from("dist"));
    }

    #[test]
    fn serve_and_token_subcommands_parse() {
        let cli = Cli::try_parse_from([
            "portal-server",
            "serve",
            "--no-demo",
            "--min-step-seconds",
            "3",
        ])
        .expect("parses");
        assert!(
            matches!(cli.command, Some(Command::Serve(ref a)) if a.no_demo && a.min_step_seconds == 3)
        );
        let cli =
            Cli::try_parse_from(["portal-server", "token", "create", "--publisher", "contoso"])
                .expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::Token(TokenCommand::Create { .. }))
        ));
        let sub = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9";
        let cli = Cli::try_parse_from(["portal-server", "token", "create", "--reviewer", sub])
            .expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::Token(TokenCommand::Create { reviewer: Some(ref r), publisher: None, .. })) if r == sub
        ));
        assert!(Cli::try_parse_from(["portal-server", "token", "create"]).is_err());
        assert!(
            Cli::try_parse_from([
                "portal-server",
                "token",
                "create",
                "--publisher",
                "contoso",
                "--reviewer",
                sub
            ])
            .is_err()
        );
    }

    #[test]
    fn database_urls_are_never_printed() {
        let s: Secret = "postgres://u:hunter2@db/portal"
            .parse()
            .expect("infallible");
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
