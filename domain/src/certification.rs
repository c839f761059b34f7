//! The certification report: one [`TestResult`] per test, with a stable id, a verdict and a
//! message that tells the publisher how to fix a failure; and its conversion to step messages.
//! `portal-vhd` writes it, the server answers it ("Check image now") and stores it, the web
//! app shows it: one contract, typed, on every side.

use crate::workflow::{MessageLevel, StepMessage};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The outcome of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    /// The requirement is met.
    Pass,
    /// The requirement is not met; the image is rejected.
    Fail,
    /// Something to look at that does not reject the image.
    Warning,
    /// The test could not run; a person has to review this point.
    NotRun,
}

impl Verdict {
    /// The wire form: `pass`, `fail`, `warning`, `notRun`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warning => "warning",
            Verdict::NotRun => "notRun",
        }
    }
}

macro_rules! test_ids {
    ($($variant:ident => $id:literal, $name:literal;)*) => {
        /// The stable identifier of a test.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum TestId {
            $(
                #[doc = $name]
                #[serde(rename = $id)]
                $variant,
            )*
        }

        impl TestId {
            /// Every test, in report order.
            pub const ALL: &[TestId] = &[$(TestId::$variant),*];

            /// The stable id, e.g. `vhd.checksum`.
            pub fn as_str(self) -> &'static str {
                match self { $(TestId::$variant => $id,)* }
            }

            /// A short human name.
            pub fn name(self) -> &'static str {
                match self { $(TestId::$variant => $name,)* }
            }
        }
    };
}

test_ids! {
    AccessHttps => "access.https", "The URL uses HTTPS";
    AccessAddress => "access.address", "The host is a public address";
    AccessSasPermissions => "access.sas_permissions", "The SAS grants read and list only";
    AccessSasStart => "access.sas_start", "The SAS start time is at least a day back";
    AccessSasExpiry => "access.sas_expiry", "The SAS expires at least three weeks from now";
    AccessBlobName => "access.blob_name", "The blob name ends in .vhd with no bad characters";
    AccessRanges => "access.ranges", "The server answers range requests";
    VhdFooter => "vhd.footer", "The file is long enough to hold a VHD footer";
    VhdCookie => "vhd.cookie", "The footer cookie is conectix";
    VhdChecksum => "vhd.checksum", "The footer checksum is valid";
    VhdFixed => "vhd.fixed", "The disk type is fixed";
    VhdMibAligned => "vhd.mib_aligned", "The virtual size is a whole number of MiB";
    VhdLength => "vhd.length", "The file length is the virtual size plus 512";
    VhdSize => "vhd.size", "The virtual size is within the limits";
    PartitionTable => "partition.table", "The disk has an MBR partition table";
    PartitionAlignment => "partition.alignment", "The first partition starts at 1 MiB or later";
    PartitionNoSwap => "partition.no_swap", "There is no swap partition";
    PartitionOsFamily => "partition.os_family", "The partitions match the declared operating system";
    LinuxFilesystem => "linux.filesystem", "Exactly one readable Linux root filesystem";
    LinuxAgent => "linux.agent", "The Azure Linux agent is installed";
    LinuxSerialConsole => "linux.serial_console", "The kernel command line has console=ttyS0";
    LinuxFstabNoSwap => "linux.fstab_no_swap", "/etc/fstab has no swap entry";
    LinuxShellHistory => "linux.shell_history", "Shell history is cleared";
    LinuxSshClientAlive => "linux.ssh_client_alive", "sshd ClientAliveInterval is between 30 and 235";
    WindowsFilesystem => "windows.filesystem", "Windows in-image checks";
}

/// The result of one test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    /// Which test.
    pub id: TestId,
    /// Its human name.
    pub name: String,
    /// The outcome.
    pub verdict: Verdict,
    /// What was found and, when it failed, how to fix it.
    pub message: String,
}

impl TestResult {
    /// A result with the test's own name.
    pub fn new(id: TestId, verdict: Verdict, message: impl Into<String>) -> Self {
        Self {
            id,
            name: id.name().to_owned(),
            verdict,
            message: message.into(),
        }
    }

    /// A result with this verdict.
    pub fn pass(id: TestId, message: impl Into<String>) -> Self {
        Self::new(id, Verdict::Pass, message)
    }

    /// A result with this verdict.
    pub fn fail(id: TestId, message: impl Into<String>) -> Self {
        Self::new(id, Verdict::Fail, message)
    }

    /// A result with this verdict.
    pub fn not_run(id: TestId, message: impl Into<String>) -> Self {
        Self::new(id, Verdict::NotRun, message)
    }
}

/// Everything certification found about one disk, and what it cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskReport {
    /// The tests, in the order they ran.
    pub tests: Vec<TestResult>,
    /// Bytes read from the image.
    pub bytes_read: u64,
    /// Read requests sent to the image.
    pub requests: u64,
}

impl DiskReport {
    /// The result of one test, if it is in the report.
    pub fn get(&self, id: TestId) -> Option<&TestResult> {
        self.tests.iter().find(|t| t.id == id)
    }

    /// The verdict of one test, if it is in the report.
    pub fn verdict(&self, id: TestId) -> Option<Verdict> {
        self.get(id).map(|t| t.verdict)
    }

    /// How many tests passed.
    pub fn passed_count(&self) -> usize {
        self.tests
            .iter()
            .filter(|t| t.verdict == Verdict::Pass)
            .count()
    }

    /// True when no test failed (warnings and tests needing review do not fail the disk).
    pub fn passed(&self) -> bool {
        self.tests.iter().all(|t| t.verdict != Verdict::Fail)
    }

    /// True when some test could not run and a person has to review it.
    pub fn needs_review(&self) -> bool {
        self.tests.iter().any(|t| t.verdict == Verdict::NotRun)
    }

    /// Step messages for every test that did not pass, tied to `field` (the field path of the
    /// disk's URL, e.g. `definition.plans[0]…osVhdUrl`); the code is `certification.<test id>`.
    /// Failures are errors; warnings and tests needing manual review are warnings. When some
    /// test failed, the tests that did not run are summed up in one information message
    /// (code `certification.not_run`) instead: most did not run because of the failure, and
    /// they all run again once it is fixed.
    pub fn step_messages(&self, field: &str, now: OffsetDateTime) -> Vec<StepMessage> {
        let failed = !self.passed();
        let mut out: Vec<StepMessage> = self
            .tests
            .iter()
            .filter_map(|t| {
                let level = match t.verdict {
                    Verdict::Pass => return None,
                    Verdict::NotRun if failed => return None,
                    Verdict::Fail => MessageLevel::Error,
                    Verdict::Warning | Verdict::NotRun => MessageLevel::Warning,
                };
                let prefix = if t.verdict == Verdict::NotRun {
                    "Needs manual review: "
                } else {
                    ""
                };
                let text = format!("{prefix}{}: {}", t.name, t.message);
                Some(
                    StepMessage::text(level, &text, now)
                        .at(field, format!("certification.{}", t.id.as_str())),
                )
            })
            .collect();
        let not_run: Vec<&str> = self
            .tests
            .iter()
            .filter(|t| t.verdict == Verdict::NotRun)
            .map(|t| t.id.as_str())
            .collect();
        if failed && !not_run.is_empty() {
            let text = format!(
                "{} more test(s) did not run because of the failure(s) above; they run once the image is fixed: {}.",
                not_run.len(),
                not_run.join(", ")
            );
            out.push(
                StepMessage::text(MessageLevel::Information, &text, now)
                    .at(field, "certification.not_run"),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_and_test_ids_print_as_they_travel() {
        for v in [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::Warning,
            Verdict::NotRun,
        ] {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for &id in TestId::ALL {
            assert_eq!(serde_json::to_value(id).unwrap(), id.as_str());
        }
    }
}
