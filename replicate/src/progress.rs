//! [`Progress`] of a replication, per region and overall, from bytes actually copied and read
//! back; published through a `tokio::sync::watch` channel at most every 100 ms, and at every
//! change of a region's state.

use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::watch;

/// What a region is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RegionState {
    /// Waiting for its turn (also between two disks).
    Pending,
    /// Receiving a disk.
    Copying,
    /// Reading a copy back to check its checksum.
    Verifying,
    /// Every disk is there, at least one was copied in this run.
    Done,
    /// Every disk was already there and verified; nothing was copied.
    Skipped,
}

impl RegionState {
    /// The state in lower case (`pending`, `copying`, `verifying`, `done`, `skipped`), as
    /// serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Copying => "copying",
            Self::Verifying => "verifying",
            Self::Done => "done",
            Self::Skipped => "skipped",
        }
    }
}

/// Progress of one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionProgress {
    /// The region's name.
    pub name: String,
    /// Its state.
    pub state: RegionState,
    /// Bytes written to this region (skipped disks count in full).
    pub bytes_done: u64,
    /// Bytes read back and checked (skipped disks count in full).
    pub bytes_verified: u64,
    /// Sum of the sizes of all disks.
    pub bytes_total: u64,
}

impl RegionProgress {
    /// Percentage of this region's work: writing and reading back weigh the same.
    pub fn percent(&self) -> u8 {
        percent(self.bytes_done + self.bytes_verified, 2 * self.bytes_total)
    }

    /// One byte count for a single bar, `0..=bytes_total`: writing and reading back weigh
    /// half each, so it reaches `bytes_total` when every disk is there and verified.
    pub fn weighted_bytes(&self) -> u64 {
        (self.bytes_done + self.bytes_verified) / 2
    }
}

/// Progress of a whole replication.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// One entry per region, in the order given.
    pub regions: Vec<RegionProgress>,
    /// Bytes written, over all regions.
    pub bytes_done: u64,
    /// Bytes read back and checked, over all regions.
    pub bytes_verified: u64,
    /// Sum over regions of the sizes of all disks.
    pub bytes_total: u64,
}

impl Progress {
    /// Overall percentage (writing and reading back weigh the same); 100 when there is
    /// nothing to do.
    pub fn percent(&self) -> u8 {
        percent(self.bytes_done + self.bytes_verified, 2 * self.bytes_total)
    }
}

fn percent(done: u64, total: u64) -> u8 {
    if total == 0 {
        return 100;
    }
    u8::try_from(u128::from(done.min(total)) * 100 / u128::from(total)).unwrap_or(100)
}

/// Keeps the progress and publishes it, throttled.
#[derive(Debug)]
pub(crate) struct Tracker<'a> {
    now: Progress,
    tx: &'a watch::Sender<Progress>,
    last: Instant,
}

const EVERY: Duration = Duration::from_millis(100);

impl<'a> Tracker<'a> {
    pub(crate) fn new(tx: &'a watch::Sender<Progress>, names: &[String], per_region: u64) -> Self {
        let regions: Vec<RegionProgress> = names
            .iter()
            .map(|name| RegionProgress {
                name: name.clone(),
                state: RegionState::Pending,
                bytes_done: 0,
                bytes_verified: 0,
                bytes_total: per_region,
            })
            .collect();
        let now = Progress {
            bytes_total: per_region * regions.len() as u64,
            regions,
            bytes_done: 0,
            bytes_verified: 0,
        };
        let tracker = Self {
            now,
            tx,
            last: Instant::now(),
        };
        tracker.publish();
        tracker
    }

    fn publish(&self) {
        let now = self.now.clone();
        self.tx.send_modify(|p| *p = now);
    }

    fn maybe_publish(&mut self) {
        if self.last.elapsed() >= EVERY {
            self.last = Instant::now();
            self.publish();
        }
    }

    pub(crate) fn state(&mut self, region: usize, state: RegionState) {
        if let Some(r) = self.now.regions.get_mut(region)
            && r.state != state
        {
            r.state = state;
            self.last = Instant::now();
            self.publish();
        }
    }

    pub(crate) fn written(&mut self, region: usize, n: u64) {
        if let Some(r) = self.now.regions.get_mut(region) {
            r.bytes_done += n;
            self.now.bytes_done += n;
            self.maybe_publish();
        }
    }

    pub(crate) fn verified(&mut self, region: usize, n: u64) {
        if let Some(r) = self.now.regions.get_mut(region) {
            r.bytes_verified += n;
            self.now.bytes_verified += n;
            self.maybe_publish();
        }
    }

    /// Counts a disk already present as written and verified.
    pub(crate) fn skipped(&mut self, region: usize, size: u64) {
        self.written(region, size);
        self.verified(region, size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_weighs_writing_and_reading_back() {
        let mut p = Progress {
            bytes_total: 200,
            ..Progress::default()
        };
        assert_eq!(p.percent(), 0);
        p.bytes_done = 200;
        assert_eq!(p.percent(), 50);
        p.bytes_verified = 100;
        assert_eq!(p.percent(), 75);
        assert_eq!(Progress::default().percent(), 100);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["bytesVerified"], 100);
        for state in [
            RegionState::Pending,
            RegionState::Copying,
            RegionState::Verifying,
            RegionState::Done,
            RegionState::Skipped,
        ] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
    }
}
