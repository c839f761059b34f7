//! `portal-server`: parses the command line, sets up logging and calls the library.

use clap::Parser;
use portal_server::accounts::{self, TokenFor};
use portal_server::config::{Cli, Command, TokenCommand, UserCommand};
use portal_server::db::{Db, rfc3339, to_ms as db_ms};
use portal_server::{Server, ServerConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        None => serve(&cli.serve).await,
        Some(Command::Serve(args)) => serve(&args).await,
        Some(Command::Token(cmd)) => token(cmd).await,
        Some(Command::User(cmd)) => user(cmd).await,
    }
}

async fn serve(args: &portal_server::config::ServeArgs) -> anyhow::Result<()> {
    let server = Server::build(ServerConfig::from_args(args)?).await?;
    println!("Partner Portal listening on http://{}", server.addr);
    if let Some(images) = &server.demo_images {
        println!("{images}");
    }
    if let Some(tokens) = &server.demo_tokens {
        println!(
            "Demo publisher `contoso` created; its API token: {}",
            tokens.publisher
        );
        println!(
            "Demo reviewer (subscription {}) token: {}",
            portal_domain::samples::SAMPLE_SUBSCRIPTION,
            tokens.reviewer
        );
        println!(
            "Sign in at {} with the password `{}` as:",
            server.public_url(),
            portal_server::demo::DEMO_PASSWORD
        );
        for (email, name, role) in portal_server::demo::DEMO_PEOPLE {
            println!("  {email:<28} {name} ({})", role.as_str());
        }
        let (email, name) = portal_server::demo::DEMO_REVIEWER;
        println!("  {email:<28} {name} (reviewer of the demo's previews)");
    }
    server.run().await
}

async fn user(cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Create {
            publisher,
            email,
            role,
            name,
            password_stdin,
            public_url,
            store,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let public_url =
                url::Url::parse(&public_url).map_err(|e| anyhow::anyhow!("--public-url: {e}"))?;
            let db = Db::connect(store.url()?.expose()).await?;
            match accounts::users::create_user(
                &db,
                &public_url,
                &publisher,
                &email,
                role,
                name.as_deref(),
                password,
            )
            .await?
            {
                accounts::users::Created::PasswordSet => {
                    println!(
                        "{email} is a {} of {publisher}; the password is set",
                        role.as_str()
                    );
                }
                accounts::users::Created::Link(link) => {
                    eprintln!(
                        "{email} is a {} of {publisher}. Send them this link to set a password (valid 24 hours, works once):",
                        role.as_str()
                    );
                    println!("{link}");
                }
            }
        }
    }
    Ok(())
}

async fn token(cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create {
            publisher,
            reviewer,
            name,
            store,
        } => {
            let principal = match (publisher, reviewer) {
                (Some(p), _) => {
                    portal_domain::ids::PublisherId::parse(&p)
                        .map_err(|_| anyhow::anyhow!("`{p}` is not a valid publisher id"))?;
                    TokenFor::Publisher(p)
                }
                (None, Some(sub)) => {
                    let sub = portal_domain::ids::SubscriptionId::parse(&sub).map_err(|_| {
                        anyhow::anyhow!(
                            "`{sub}` is not an Azure subscription id (a GUID such as \
                             0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9)"
                        )
                    })?;
                    TokenFor::Reviewer(sub.normalized())
                }
                (None, None) => anyhow::bail!("give --publisher or --reviewer"),
            };
            let db = Db::connect(store.url()?.expose()).await?;
            println!(
                "{}",
                accounts::create_token(&db, &principal, name.as_deref()).await?
            );
        }
        TokenCommand::List { store } => {
            let db = Db::connect(store.url()?.expose()).await?;
            for t in accounts::store::list(&db).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    t.key.id,
                    t.key.name,
                    t.kind,
                    t.acts_for,
                    t.key.role.as_str(),
                    rfc3339(db_ms(t.key.created_at))
                );
            }
        }
        TokenCommand::Revoke { id_or_name, store } => {
            let db = Db::connect(store.url()?.expose()).await?;
            let n = accounts::store::revoke(&db, &id_or_name).await?;
            anyhow::ensure!(n > 0, "no token with id or name `{id_or_name}`");
            println!("revoked {n} token(s); running servers refuse it within a second");
        }
    }
    Ok(())
}
