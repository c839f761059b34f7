//! The sshd keep-alive test: finds the effective `ClientAliveInterval` the way sshd does
//! (first value wins, `Include` followed with globs, global section only) and judges it.

use ext4_view::{Ext4, Ext4Error};

use super::{list_dir, read_text};
use crate::report::{TestId, TestResult};

/// Parses an sshd time value (`180`, `3m`, `1m30s`) in seconds.
pub(crate) fn parse_sshd_time(v: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut num: Option<u64> = None;
    for c in v.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(
                num.unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(u64::from(d))?,
            );
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        total = total.checked_add(num.take()?.checked_mul(unit)?)?;
    }
    if let Some(n) = num {
        total = total.checked_add(n)?;
    }
    (!v.is_empty()).then_some(total)
}

/// Matches a file name against a glob with `*` and `?` only, in O(pattern × name) time
/// (the pattern comes from the image, so no exponential backtracking).
fn glob_match(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, n));
            p += 1;
        } else if let Some((sp, sn)) = star {
            p = sp + 1;
            n = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Where the first `ClientAliveInterval` was found, following `Include` like sshd (first value wins,
/// processing stops at the first `Match` block).
struct SshdScan {
    found: Option<(String, String)>,
    stopped: bool,
}

fn scan_sshd(fs: &Ext4, path: &str, depth: u32, scan: &mut SshdScan) -> Result<bool, Ext4Error> {
    let Some(text) = read_text(fs, path)? else {
        return Ok(false);
    };
    for line in text.lines() {
        if scan.found.is_some() || scan.stopped {
            break;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, rest) = line
            .split_once(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or((line, ""));
        let rest = rest
            .trim_start_matches(|c: char| c.is_whitespace() || c == '=')
            .trim();
        match key.to_ascii_lowercase().as_str() {
            "clientaliveinterval" => scan.found = Some((path.to_owned(), rest.to_owned())),
            "match" => scan.stopped = true,
            "include" if depth < 4 => {
                for pattern in rest.split_whitespace() {
                    let full = if pattern.starts_with('/') {
                        pattern.to_owned()
                    } else {
                        format!("/etc/ssh/{pattern}")
                    };
                    let (dir, file) = full.rsplit_once('/').unwrap_or(("", full.as_str()));
                    if file.contains(['*', '?']) {
                        for name in list_dir(fs, if dir.is_empty() { "/" } else { dir })? {
                            if glob_match(file.as_bytes(), name.as_bytes()) {
                                scan_sshd(fs, &format!("{dir}/{name}"), depth + 1, scan)?;
                            }
                        }
                    } else {
                        scan_sshd(fs, &full, depth + 1, scan)?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(true)
}

pub(super) fn sshd(fs: &Ext4) -> Result<TestResult, Ext4Error> {
    let mut scan = SshdScan {
        found: None,
        stopped: false,
    };
    if !scan_sshd(fs, "/etc/ssh/sshd_config", 0, &mut scan)? {
        return Ok(TestResult::fail(
            TestId::LinuxSshClientAlive,
            "There is no /etc/ssh/sshd_config: an SSH server must be installed and started at boot, with \
             `ClientAliveInterval 180`.",
        ));
    }
    let Some((file, value)) = scan.found else {
        return Ok(TestResult::fail(
            TestId::LinuxSshClientAlive,
            "ClientAliveInterval is not set in the sshd configuration (it defaults to 0). Add \
             `ClientAliveInterval 180` to /etc/ssh/sshd_config.",
        ));
    };
    Ok(match parse_sshd_time(&value) {
        Some(s) if (30..=235).contains(&s) => TestResult::pass(
            TestId::LinuxSshClientAlive,
            format!("ClientAliveInterval is {s} s ({file})."),
        ),
        Some(s) => TestResult::fail(
            TestId::LinuxSshClientAlive,
            format!(
                "ClientAliveInterval is {s} s in {file}; it must be between 30 and 235 (180 is recommended)."
            ),
        ),
        None => TestResult::fail(
            TestId::LinuxSshClientAlive,
            format!(
                "ClientAliveInterval has an invalid value '{value}' in {file}; set `ClientAliveInterval 180`."
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sshd_times() {
        assert_eq!(parse_sshd_time("180"), Some(180));
        assert_eq!(parse_sshd_time("3m"), Some(180));
        assert_eq!(parse_sshd_time("1m30s"), Some(90));
        assert_eq!(parse_sshd_time("abc"), None);
        assert_eq!(parse_sshd_time(""), None);
        assert_eq!(parse_sshd_time("99999999999999999999999"), None);
    }

    #[test]
    fn globs() {
        assert!(glob_match(b"*.conf", b"50-cloud.conf"));
        assert!(!glob_match(b"*.conf", b"50-cloud.conf.bak"));
        assert!(glob_match(b"a?c", b"abc"));
    }
}
