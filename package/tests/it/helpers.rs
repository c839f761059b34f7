//! Shared test fixtures: PNG files, a local HTTP server, a sample offer, Azurite.

use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use portal_domain::OfferDocument;
use portal_package::{HttpPolicy, LeadOptions, PackageOptions, RetryPolicy};
use serde_json::json;

/// A valid PNG of the given size (a flat colour).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().expect("PNG header");
        let pixels = vec![0x33u8; (width * height * 3) as usize];
        writer.write_image_data(&pixels).expect("PNG data");
    }
    out
}

/// Serves `router` on a random loopback port until the test's runtime ends.
pub async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    addr
}

/// Packaging options for loopback test servers.
pub fn package_options() -> PackageOptions {
    PackageOptions {
        http: HttpPolicy::loopback_for_tests(),
        max_image_bytes: 256 * 1024,
    }
}

/// Lead options for loopback test servers with fast retries.
pub fn lead_options() -> LeadOptions {
    LeadOptions {
        http: HttpPolicy::loopback_for_tests(),
        retry: RetryPolicy {
            attempts: 3,
            first_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(40),
            deadline: Duration::from_secs(10),
        },
        max_answer_bytes: 64 * 1024,
    }
}

/// A complete sample offer whose images are served at `base` (`/small.png` …).
pub fn sample_offer(base: &str) -> OfferDocument {
    serde_json::from_value(json!({
        "publisherId": "contoso",
        "offerTypeId": "microsoft-azure-virtualmachines",
        "id": "contoso-vm",
        "version": 2,
        "definition": {
            "displayText": "Contoso VM",
            "offer": {
                "microsoft-azure-marketplace.title": "Contoso <Secure> VM",
                "microsoft-azure-marketplace.summary": "Fast & safe",
                "microsoft-azure-marketplace.longSummary": "A hardened image \"for\" everyone",
                "microsoft-azure-marketplace.description": "<p>Hello <b>world</b><script>alert(1)</script></p>",
                "microsoft-azure-marketplace.categories": ["networking", "security"],
                "microsoft-azure-marketplace.smallLogo": format!("{base}/small.png"),
                "microsoft-azure-marketplace.mediumLogo": format!("{base}/medium.png"),
                "microsoft-azure-marketplace.largeLogo": format!("{base}/large.png"),
                "microsoft-azure-marketplace.wideLogo": format!("{base}/wide.png"),
                "microsoft-azure-marketplace.screenshots": [
                    {"name": "Dashboard <1>", "url": format!("{base}/shot.png")}
                ],
                "microsoft-azure-marketplace.videos": [
                    {"name": "Tour", "link": "https://www.youtube.com/watch?v=abc", "thumbnailUrl": format!("{base}/shot.png")}
                ],
                "microsoft-azure-marketplace.usefulLinks": [
                    {"linkTitle": "Docs", "linkUrl": "https://contoso.com/docs"},
                    {"linkTitle": "Evil", "linkUrl": "javascript:alert(1)"}
                ],
                "microsoft-azure-marketplace.privacyURL": "https://contoso.com/privacy",
                "microsoft-azure-marketplace.termsOfUse": "Use <i>wisely</i><img src=x onerror=alert(1)>",
                "microsoft-azure-marketplace.allowedSubscriptions": ["0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"],
                "microsoft-azure-marketplace.leadDestination": "AzureTable",
                "microsoft-azure-marketplace.tableLeadConfiguration": {
                    "connectionString": "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=U0VDUkVULUtFWQ==;EndpointSuffix=core.windows.net"
                },
                "microsoft-azure-marketplace.engineeringContactEmail": "eng@contoso.com",
                "microsoft-azure-marketplace.supportContactPhone": "+1 425 555 0100"
            },
            "plans": [{
                "planId": "standard",
                "microsoft-azure-virtualmachines.skuTitle": "Standard",
                "microsoft-azure-virtualmachines.skuSummary": "The usual",
                "microsoft-azure-virtualmachines.skuDescription": "Everything you need",
                "microsoft-azure-virtualmachines.operatingSystemFamily": "Linux",
                "microsoft-azure-virtualmachines.operationSystem": "Ubuntu 22.04 LTS",
                "microsoft-azure-virtualmachines.recommendedVMSizes": ["a1-standard", "a2-standard"],
                "microsoft-azure-virtualmachines.openPorts": [{"name": "web", "protocol": "TCP", "port": 443}],
                "virtualMachinePricing": {"isByol": true},
                "regions": ["US", "KR"],
                "microsoft-azure-virtualmachines.vmImages": {
                    "1.9.0": {"osVhdUrl": "https://acct.blob.core.windows.net/vhds/os-190.vhd?sig=DISKSAS", "lunVhdDetails": []},
                    "1.10.0": {"osVhdUrl": "https://acct.blob.core.windows.net/vhds/os-1100.vhd?sig=DISKSAS",
                               "lunVhdDetails": [{"lun": 0, "lunVhdUrl": "https://acct.blob.core.windows.net/vhds/d0.vhd?sig=DISKSAS"}]}
                }
            }, {
                "planId": "hidden",
                "microsoft-azure-virtualmachines.skuTitle": "Hidden one",
                "microsoft-azure-virtualmachines.hideSKUForSolutionTemplate": true
            }]
        }
    }))
    .expect("the sample offer parses")
}

/// A running `azurite-table` with in-memory persistence on a free loopback port, killed on drop.
pub struct Azurite {
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
    /// The table service port.
    pub port: u16,
}

/// Azurite's well-known development account key.
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

fn azurite_binary() -> Option<PathBuf> {
    let name = "azurite-table";
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".cache")));
    let tools = std::env::var_os("PORTAL_TOOLS_DIR")
        .map(PathBuf::from)
        .or_else(|| cache.map(|c| c.join("partner-portal/tools")));
    let in_tools = tools.map(|t| t.join("npm/node_modules/.bin").join(name));
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name));
    in_tools.into_iter().chain(on_path).find(|p| p.is_file())
}

impl Azurite {
    /// Starts Azurite's table service and waits (up to 60 s) until it accepts connections.
    /// Panics, naming the fix, when Azurite is not installed.
    pub fn start() -> Self {
        let bin = azurite_binary().unwrap_or_else(|| {
            panic!(
                "azurite-table was not found (looked in $PORTAL_TOOLS_DIR, ~/.cache/partner-portal/tools/npm/node_modules/.bin and PATH). \
                 Run scripts/setup.sh, which installs the pinned azurite npm package."
            )
        });
        let dir = tempfile::tempdir().unwrap();
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let log = dir.path().join("azurite.log");
        let log_file = std::fs::File::create(&log).unwrap();
        let child = Command::new(&bin)
            .args([
                "--inMemoryPersistence",
                "--disableTelemetry",
                "--tableHost",
                "127.0.0.1",
            ])
            .args(["--tablePort", &port.to_string()])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let mut azurite = Self {
            child,
            log,
            _dir: dir,
            port,
        };
        azurite.wait_ready(Duration::from_secs(60));
        azurite
    }

    fn wait_ready(&mut self, limit: Duration) {
        let deadline = Instant::now() + limit;
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("azurite-table exited ({status}): {}", self.log_text());
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "azurite-table did not listen on {addr} within {limit:?}: {}",
                self.log_text()
            );
            // Polling interval of the readiness check, not a wait for a guessed duration.
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A connection string for the development account on this instance.
    pub fn connection_string(&self, key: &str) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};TableEndpoint=http://127.0.0.1:{}/devstoreaccount1;",
            self.port
        )
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let _ = writeln!(std::io::stderr(), "azurite log:\n{}", self.log_text());
        }
    }
}
