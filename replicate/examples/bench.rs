//! Replication rate against `curl -o` of the same image, and peak memory while replicating.
//!
//! `cargo run -p portal-replicate --release --example bench -- [size GiB, default 10]`
//!
//! Creates a sparse image of that size in a temporary directory, serves it over loopback HTTP
//! from a child process (this example re-run as `bench serve FILE`, so the server's memory is
//! not counted), times `curl -s -o FILE URL` before and after, then times [`replicate`] to one
//! local region, verification included. Prints MB/s (10^6 bytes per second) of each, the ratio
//! to the mean curl rate, and this process's peak RSS (`VmHWM`). Everything it writes is
//! removed at the end.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use portal_replicate::{Disk, Progress, Region, RegionState, ReplicateOptions, replicate};
use portal_vhd::AddressPolicy;
use tokio::sync::watch;

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        let file = args.get(1).ok_or("usage: bench serve FILE")?;
        return serve(Path::new(file));
    }
    let gib: f64 = match args.first() {
        Some(a) => a
            .parse()
            .map_err(|_| format!("size in GiB expected, got {a:?}"))?,
        None => 10.0,
    };
    let size = (gib * 1024.0 * 1024.0 * 1024.0) as u64 / 512 * 512;
    let dir = tempfile::tempdir()?;
    let image = dir.path().join("image.vhd");
    std::fs::File::create(&image)?.set_len(size)?;

    let mut server = Server::start(&image)?;
    let url = format!("http://127.0.0.1:{}/image.vhd", server.port);
    println!("image: {size} bytes ({gib} GiB, sparse), served from a child process at {url}");

    let curl_before = curl(&url, &dir.path().join("curl.out"), size)?;
    let replicated = replicate_once(&url, &dir.path().join("region"), size)?;
    let curl_after = curl(&url, &dir.path().join("curl.out"), size)?;
    server.stop();

    let rate = |secs: f64| size as f64 / secs / 1e6;
    let curl_mean = (rate(curl_before) + rate(curl_after)) / 2.0;
    println!(
        "curl -o, before:  {curl_before:7.2} s  {:8.1} MB/s",
        rate(curl_before)
    );
    println!(
        "curl -o, after:   {curl_after:7.2} s  {:8.1} MB/s",
        rate(curl_after)
    );
    println!(
        "replicate+verify: {replicated:7.2} s  {:8.1} MB/s  = {:.0} % of curl's mean rate",
        rate(replicated),
        rate(replicated) / curl_mean * 100.0
    );
    println!(
        "peak RSS of the replicating process (VmHWM): {}",
        peak_rss()?
    );
    Ok(())
}

/// Times one replication of `url` to a fresh local region in `region`, then deletes it.
fn replicate_once(url: &str, region: &Path, size: u64) -> Result<f64, Error> {
    let runtime = tokio::runtime::Runtime::new()?;
    let region = Region::local("bench", region)?;
    let mut opts = ReplicateOptions::default();
    opts.source.allow_http = true;
    opts.source.address = AddressPolicy {
        allow_private: true,
        also_allow: None,
    };
    let disk = Disk {
        url: url.to_owned(),
        key: "bench/image.vhd".into(),
    };
    let (tx, rx) = watch::channel(Progress::default());
    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || sample(&rx, &stop, start)
    });
    let regions = std::slice::from_ref(&region);
    let done = runtime.block_on(replicate(&[disk], regions, &opts, &tx));
    let secs = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let phases = sampler.join().map_err(|_| "the sampler panicked")?;
    let done = done?;
    println!(
        "  copying (HTTP -> region, SHA-256 + XXH3): {:6.2} s, peak RSS {} kB",
        phases.verify_from, phases.copy_rss_kb
    );
    println!(
        "  verifying (read back, XXH3):              {:6.2} s, peak RSS {} kB",
        secs - phases.verify_from,
        phases.verify_rss_kb
    );
    let copy = &done.first().ok_or("nothing replicated")?.replica;
    if copy.size != size {
        return Err(format!("replicated {} bytes, expected {size}", copy.size).into());
    }
    println!("replicated: sha256 {}", copy.sha256);
    let dir = region.url.trim_start_matches("file://").to_owned();
    std::fs::remove_dir_all(dir)?;
    Ok(secs)
}

/// Time at which verification began, and the largest RSS seen before and after.
#[derive(Debug, Default)]
struct Phases {
    verify_from: f64,
    copy_rss_kb: u64,
    verify_rss_kb: u64,
}

/// Samples this process's RSS every 20 ms until `stop`, split by the region's state.
fn sample(rx: &watch::Receiver<Progress>, stop: &AtomicBool, start: Instant) -> Phases {
    let mut phases = Phases::default();
    while !stop.load(Ordering::Relaxed) {
        let verifying =
            rx.borrow().regions.first().is_some_and(|r| {
                r.state != RegionState::Pending && r.state != RegionState::Copying
            });
        let rss = status_kb("VmRSS:").unwrap_or(0);
        if verifying {
            if phases.verify_from == 0.0 {
                phases.verify_from = start.elapsed().as_secs_f64();
            }
            phases.verify_rss_kb = phases.verify_rss_kb.max(rss);
        } else {
            phases.copy_rss_kb = phases.copy_rss_kb.max(rss);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    phases
}

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.trim_start_matches(field)
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Times `curl -s -o out url`, checks the size, deletes `out`.
fn curl(url: &str, out: &Path, size: u64) -> Result<f64, Error> {
    let start = Instant::now();
    let status = Command::new("curl")
        .args(["-s", "-o"])
        .arg(out)
        .arg(url)
        .status()?;
    let secs = start.elapsed().as_secs_f64();
    if !status.success() || std::fs::metadata(out)?.len() != size {
        return Err(format!("curl failed: {status}").into());
    }
    std::fs::remove_file(out)?;
    Ok(secs)
}

fn peak_rss() -> Result<String, Error> {
    let kb = status_kb("VmHWM:").ok_or("no VmHWM in /proc/self/status")?;
    Ok(format!("{kb} kB = {:.1} MB", kb as f64 * 1024.0 / 1e6))
}

/// The image server child process.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(image: &Path) -> Result<Self, Error> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("serve")
            .arg(image)
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port = line
            .trim()
            .parse()
            .map_err(|_| format!("the server said {line:?}"))?;
        Ok(Self { child, port })
    }

    fn stop(&mut self) {
        // Only our own child, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `bench serve FILE`: serves FILE at `/image.vhd` on a random loopback port, printed first.
fn serve(file: &Path) -> Result<(), Error> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let app = axum::Router::new().route_service(
            "/image.vhd",
            tower_http::services::ServeFile::new(file).with_buf_chunk_size(256 * 1024),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("{}", listener.local_addr()?.port());
        axum::serve(listener, app).await?;
        Ok(())
    })
}
