//! Replication rate against `curl -o` of the same image, and peak memory while replicating.
//!
//! `cargo run -p portal-replicate --release --example bench -- [size GiB, default 10] [rounds, default 3]`
//!
//! Creates a sparse image of that size in a temporary directory and serves it over loopback
//! HTTP from a child process (this example re-run as `bench serve FILE`, so the server's
//! memory is not counted). One untimed `curl -o /dev/null` first, so that no timed run pays
//! for the server's first read of the image. Then, `rounds` times: `curl -s -o FILE URL`, then
//! [`replicate`] to one fresh local region, verification included; and a last `curl`. Before
//! every timed run, `sync` waits until the previous run's writes have reached the disk. Each
//! round's ratio is the replication rate over the mean rate of the curls before and after it.
//! Prints MB/s (10^6 bytes per second), the ratios and their median, and this process's peak
//! RSS (`VmHWM`). Everything it writes is removed at the end.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use portal_replicate::AddressPolicy;
use portal_replicate::{Disk, Progress, Region, ReplicateOptions, replicate};
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

    let rounds: usize = match args.get(1) {
        Some(a) => a
            .parse()
            .map_err(|_| format!("rounds expected, got {a:?}"))?,
        None => 3,
    };
    let mut server = Server::start(&image)?;
    let url = format!("http://127.0.0.1:{}/image.vhd", server.port);
    println!("image: {size} bytes ({gib} GiB, sparse), served from a child process at {url}");
    let rate = |secs: f64| size as f64 / secs / 1e6;

    let warm = curl(&url, Path::new("/dev/null"), None)?;
    println!("warm-up curl -o /dev/null (untimed): {warm:.2} s");
    let curl_out = dir.path().join("curl.out");
    let mut curls = vec![curl(&url, &curl_out, Some(size))?];
    println!(
        "curl -o:          {:7.2} s  {:8.1} MB/s",
        curls[0],
        rate(curls[0])
    );
    let mut ratios = Vec::new();
    for round in 1..=rounds {
        let replicated = replicate_once(&url, &dir.path().join("region"), size)?;
        let after = curl(&url, &curl_out, Some(size))?;
        let before = *curls.last().ok_or("no curl run")?;
        curls.push(after);
        let ratio = rate(replicated) / ((rate(before) + rate(after)) / 2.0) * 100.0;
        ratios.push(ratio);
        println!(
            "round {round}: replicate+verify {replicated:7.2} s  {:8.1} MB/s  = {ratio:.0} % of the curls around it",
            rate(replicated)
        );
        println!("curl -o:          {after:7.2} s  {:8.1} MB/s", rate(after));
    }
    server.stop();
    ratios.sort_by(f64::total_cmp);
    if let Some(median) = ratios.get(ratios.len() / 2) {
        println!(
            "median of {} rounds: {median:.0} % of curl's rate (lowest {:.0} %)",
            ratios.len(),
            ratios[0]
        );
    }
    println!(
        "peak RSS of the replicating process (VmHWM): {}",
        peak_rss()?
    );
    Ok(())
}

/// Waits until every dirty page has been written (`sync`), so a timed run does not pay for
/// the previous run's write-back.
fn settle() -> Result<(), Error> {
    if !Command::new("sync").status()?.success() {
        return Err("sync failed".into());
    }
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
    settle()?;
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
        "  last byte written at {:6.2} s, all read back at {:6.2} s (SHA-256 + XXH3 of what was sent, XXH3 of what was read back); peak RSS {} kB",
        phases.written_at, phases.verified_at, phases.rss_kb
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

/// When the last byte was written and the last byte read back, and the largest RSS seen.
#[derive(Debug, Default)]
struct Phases {
    written_at: f64,
    verified_at: f64,
    rss_kb: u64,
}

/// Samples this process's RSS and the progress every 20 ms until `stop`.
fn sample(rx: &watch::Receiver<Progress>, stop: &AtomicBool, start: Instant) -> Phases {
    let mut phases = Phases::default();
    while !stop.load(Ordering::Relaxed) {
        let (written, verified) = {
            let p = rx.borrow();
            let total = p.bytes_total.max(1);
            (p.bytes_done >= total, p.bytes_verified >= total)
        };
        let now = start.elapsed().as_secs_f64();
        if !written {
            phases.written_at = now;
        }
        if !verified {
            phases.verified_at = now;
        }
        phases.rss_kb = phases.rss_kb.max(status_kb("VmRSS:").unwrap_or(0));
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

/// Times `curl -s -o out url` after [`settle`]; checks the size and deletes `out` when one is
/// expected.
fn curl(url: &str, out: &Path, size: Option<u64>) -> Result<f64, Error> {
    settle()?;
    let start = Instant::now();
    let status = Command::new("curl")
        .args(["-s", "-o"])
        .arg(out)
        .arg(url)
        .status()?;
    let secs = start.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("curl failed: {status}").into());
    }
    if let Some(size) = size {
        if std::fs::metadata(out)?.len() != size {
            return Err("curl's file has the wrong size".into());
        }
        std::fs::remove_file(out)?;
    }
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
