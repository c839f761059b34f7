//! The entry points: [`certify_disk`] over any [`RangeSource`] and [`certify_url`] for a
//! publisher's URL. They run every test in order and never panic; a test that cannot run
//! because an earlier one failed is reported as not run, with the reason.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::access::{UrlRules, check_url};
use crate::footer::{FOOTER_LEN, SizeLimits, check_footer};
use crate::http::{HttpOptions, HttpRangeSource};
use crate::linux::{LINUX_TESTS, Shared, check_linux};
use crate::partition::{check_layout, read_table};
use crate::readahead::ReadAhead;
use crate::report::{DiskReport, TestId, TestResult, Verdict};
use crate::source::{RangeSource, ReadError};

/// The operating system an OS disk declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OsFamily {
    /// Linux: the in-image tests run on an ext2/3/4 root.
    Linux,
    /// Windows: only format and layout tests run.
    Windows,
}

impl OsFamily {
    /// Parses the offer's `osType` (`Linux` / `Windows`, any case).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "linux" => Some(Self::Linux),
            "windows" => Some(Self::Windows),
            _ => None,
        }
    }
}

/// Which disk of a VM image is being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DiskKind {
    /// The OS disk.
    Os {
        /// The declared operating system.
        family: OsFamily,
    },
    /// A data disk (its LUN is validated with the document; kept here for reports).
    Data {
        /// The logical unit number.
        lun: u32,
    },
}

impl SizeLimits {
    /// The `(min, max)` virtual size for `kind`.
    pub fn range_for(&self, kind: DiskKind) -> (u64, u64) {
        match kind {
            DiskKind::Os {
                family: OsFamily::Linux,
            } => (self.min.max(self.linux_os_min), self.linux_os_max),
            DiskKind::Os {
                family: OsFamily::Windows,
            } => (self.min.max(self.windows_os_min), self.windows_os_max),
            DiskKind::Data { .. } => (self.min, self.data_max),
        }
    }
}

/// Everything `certify_url` needs besides the URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertifyOptions {
    /// Size limits per kind of disk.
    pub limits: SizeLimits,
    /// HTTP policy and budgets (`http.allow_http` also relaxes the HTTPS test).
    pub http: HttpOptions,
    /// Require a SAS token in the URL (turn off for test and demo servers).
    pub require_sas: bool,
}

impl Default for CertifyOptions {
    fn default() -> Self {
        Self {
            limits: SizeLimits::default(),
            http: HttpOptions::default(),
            require_sas: true,
        }
    }
}

impl CertifyOptions {
    /// The URL rules these options imply.
    fn url_rules(&self) -> UrlRules {
        UrlRules {
            allow_http: self.http.allow_http,
            require_sas: self.require_sas,
        }
    }
}

const FOOTER_TESTS: &[TestId] = &[
    TestId::VhdFooter,
    TestId::VhdCookie,
    TestId::VhdChecksum,
    TestId::VhdFixed,
    TestId::VhdMibAligned,
    TestId::VhdLength,
    TestId::VhdSize,
];
const LAYOUT_TESTS: &[TestId] = &[
    TestId::PartitionTable,
    TestId::PartitionAlignment,
    TestId::PartitionNoSwap,
    TestId::PartitionOsFamily,
];

/// Every test a disk of `kind` reports, in order (after the access tests).
pub fn tests_for(kind: DiskKind) -> Vec<TestId> {
    let mut ids = FOOTER_TESTS.to_vec();
    if let DiskKind::Os { family } = kind {
        ids.extend_from_slice(LAYOUT_TESTS);
        match family {
            OsFamily::Linux => ids.extend_from_slice(LINUX_TESTS),
            OsFamily::Windows => ids.push(TestId::WindowsFilesystem),
        }
    }
    ids
}

/// Adds a not-run result for every test of `ids` missing from `results`.
fn skip_rest(results: &mut Vec<TestResult>, ids: &[TestId], why: &str) {
    for id in ids {
        if !results.iter().any(|r| r.id == *id) {
            results.push(TestResult::not_run(*id, why));
        }
    }
}

/// Certifies one disk image read from `source`. Blocking; never panics.
///
/// Reads go through a [`ReadAhead`] cache; `bytes_read` and `requests` count what reached
/// `source`.
pub fn certify_disk<S: RangeSource + 'static>(
    source: S,
    kind: DiskKind,
    limits: &SizeLimits,
) -> DiskReport {
    let cache = Rc::new(RefCell::new(ReadAhead::new(
        Box::new(source) as Box<dyn RangeSource>
    )));
    let shared: Shared = cache.clone();
    let tests = run_tests(&shared, kind, limits);
    let cache = cache.borrow();
    DiskReport {
        tests,
        bytes_read: cache.bytes_read(),
        requests: cache.requests(),
    }
}

fn run_tests(src: &Shared, kind: DiskKind, limits: &SizeLimits) -> Vec<TestResult> {
    let all = tests_for(kind);
    let mut results = Vec::new();
    let len = src.borrow().len();
    if len < FOOTER_LEN as u64 {
        results.push(TestResult::fail(
            TestId::VhdFooter,
            format!("The file is only {len} bytes, too short for a VHD footer. The upload is truncated or empty."),
        ));
        skip_rest(&mut results, &all, "Not run: the file has no VHD footer.");
        return results;
    }
    let mut footer = [0u8; FOOTER_LEN];
    if let Err(e) = src
        .borrow_mut()
        .read_at(len - FOOTER_LEN as u64, &mut footer)
    {
        results.push(TestResult::fail(
            TestId::VhdFooter,
            format!("Reading the VHD footer failed: {e}"),
        ));
        skip_rest(
            &mut results,
            &all,
            "Not run: the VHD footer could not be read.",
        );
        return results;
    }
    results.push(TestResult::pass(
        TestId::VhdFooter,
        format!("The file is {len} bytes."),
    ));
    let outcome = check_footer(&footer, len, limits.range_for(kind));
    results.extend(outcome.results);
    let DiskKind::Os { family } = kind else {
        skip_rest(&mut results, &all, "Not run: the VHD footer is invalid.");
        return results;
    };
    if !outcome.usable {
        skip_rest(
            &mut results,
            &all,
            "Not run: the VHD footer is invalid, so the disk layout cannot be trusted.",
        );
        return results;
    }
    let disk_size = len - FOOTER_LEN as u64;
    let table = match read_table(&mut *src.borrow_mut(), disk_size) {
        Ok(t) => t,
        Err(e) => {
            results.push(TestResult::fail(
                TestId::PartitionTable,
                format!("Reading the partition table failed: {e}"),
            ));
            skip_rest(
                &mut results,
                &all,
                "Not run: the partition table could not be read.",
            );
            return results;
        }
    };
    let (layout, usable) = check_layout(&table, family == OsFamily::Windows);
    results.extend(layout);
    let family_ok = results
        .iter()
        .any(|r| r.id == TestId::PartitionOsFamily && r.verdict == Verdict::Pass);
    if !usable || !family_ok {
        skip_rest(
            &mut results,
            &all,
            "Not run: the partition table is missing, damaged or does not match the OS.",
        );
        return results;
    }
    match family {
        OsFamily::Linux => results.extend(check_linux(src, &table)),
        OsFamily::Windows => results.push(TestResult::not_run(
            TestId::WindowsFilesystem,
            "Checked: VHD format, size and partition layout. Not checked: NTFS cannot be read here, so \
             generalization (sysprep), RDP, updates and the srv.sys patch level need a manual review.",
        )),
    }
    results
}

/// Certifies the disk at `url`: URL and SAS tests, then the range test, then [`certify_disk`]
/// over HTTP. `bytes_read` and `requests` are the real HTTP figures (the probe and redirect
/// hops included). Blocking: call it from `spawn_blocking`.
pub fn certify_url(
    url: &str,
    kind: DiskKind,
    opts: &CertifyOptions,
    now: OffsetDateTime,
) -> DiskReport {
    let mut tests = check_url(url, opts.url_rules(), now);
    let disk_tests = tests_for(kind);
    let https_ok = tests
        .iter()
        .any(|t| t.id == TestId::AccessHttps && t.verdict == Verdict::Pass);
    let not_run = |tests: &mut Vec<TestResult>, why: &str| {
        skip_rest(tests, &[TestId::AccessAddress, TestId::AccessRanges], why);
        skip_rest(tests, &disk_tests, why);
    };
    if !https_ok {
        not_run(&mut tests, "Not run: the URL is not usable.");
        return DiskReport {
            tests,
            bytes_read: 0,
            requests: 0,
        };
    }
    let source = match HttpRangeSource::open(url, opts.http.clone()) {
        Ok(s) => s,
        Err(e) => {
            if matches!(e, ReadError::AddressRefused { .. }) {
                tests.push(TestResult::fail(TestId::AccessAddress, e.to_string()));
            } else {
                tests.push(TestResult::pass(
                    TestId::AccessAddress,
                    "The host is allowed.",
                ));
                tests.push(TestResult::fail(
                    TestId::AccessRanges,
                    format!("The image could not be read: {e}"),
                ));
            }
            not_run(&mut tests, "Not run: the image could not be read.");
            return DiskReport {
                tests,
                bytes_read: 0,
                requests: 0,
            };
        }
    };
    tests.push(TestResult::pass(
        TestId::AccessAddress,
        "The host is allowed.",
    ));
    tests.push(TestResult::pass(
        TestId::AccessRanges,
        "The server answers range requests with 206 Partial Content.",
    ));
    let counters = source.counters();
    let report = certify_disk(source, kind, &opts.limits);
    tests.extend(report.tests);
    DiskReport {
        tests,
        bytes_read: counters.bytes(),
        requests: counters.requests(),
    }
}

/// The tests [`certify_url`] runs on the URL text alone (before any request).
const URL_TESTS: &[TestId] = &[
    TestId::AccessHttps,
    TestId::AccessSasPermissions,
    TestId::AccessSasStart,
    TestId::AccessSasExpiry,
    TestId::AccessBlobName,
];

/// A stored report made current for `url` at `now`: the URL tests (HTTPS, SAS times and
/// permissions, blob name) are run again, the rest is kept. For reusing the result of an
/// unchanged image whose SAS URL was regenerated. No request is sent.
pub fn refresh_url_tests(
    report: &DiskReport,
    url: &str,
    opts: &CertifyOptions,
    now: OffsetDateTime,
) -> DiskReport {
    let mut tests = check_url(url, opts.url_rules(), now);
    tests.extend(
        report
            .tests
            .iter()
            .filter(|t| !URL_TESTS.contains(&t.id))
            .cloned(),
    );
    DiskReport {
        tests,
        bytes_read: report.bytes_read,
        requests: report.requests,
    }
}
