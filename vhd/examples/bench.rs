//! Benchmark: bytes read, requests and wall time to certify sparse Linux images of 64 MiB,
//! 1 GiB and 30 GiB served over HTTP on loopback (axum + ServeDir, TCP_NODELAY).
//!
//! `CARGO_TARGET_DIR=target-vhd cargo run -p portal-vhd --release --example bench`
//! (needs `mkfs.ext4` from e2fsprogs; images stay sparse, a few MB on disk each).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::*;
use portal_vhd::{DiskKind, OsFamily, Verdict, certify_url};

fn main() {
    if mkfs().is_none() {
        eprintln!("mkfs.ext4 is required (apt-get install e2fsprogs)");
        std::process::exit(2);
    }
    let runs = 5;
    println!(
        "| image | file size (B) | verdicts | requests | bytes read | wall time (median of {runs}) |"
    );
    println!("|---|---|---|---|---|---|");
    for (label, size) in [("64 MiB", 64 * MIB), ("1 GiB", GIB), ("30 GiB", 30 * GIB)] {
        let (dir, base) = server().dir(&format!("bench-{}", size / MIB));
        let built = Instant::now();
        let path = linux_vhd(&dir, "disk", size, |_| {});
        let build_time = built.elapsed();
        let url = format!("{base}/disk.vhd");
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..runs {
            let start = Instant::now();
            let report = certify_url(
                &url,
                DiskKind::Os {
                    family: OsFamily::Linux,
                },
                &options(),
                time::OffsetDateTime::now_utc(),
            );
            times.push(start.elapsed());
            last = Some(report);
        }
        times.sort();
        let r = last.unwrap_or_else(|| unreachable!("runs > 0"));
        let passed = r
            .tests
            .iter()
            .filter(|t| t.verdict == Verdict::Pass)
            .count();
        println!(
            "| {label} | {} | {passed}/{} pass | {} | {} | {:.1} ms (image built in {:.2} s) |",
            std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
            r.tests.len(),
            r.requests,
            r.bytes_read,
            times[runs / 2].as_secs_f64() * 1000.0,
            build_time.as_secs_f64(),
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
