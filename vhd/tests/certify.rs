//! End-to-end certification of images built on the fly and served over HTTP on loopback.

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use portal_vhd::footer::{build_fixed_footer, checksum};
use portal_vhd::{
    DiskKind, DiskReport, FileSource, OsFamily, TestId, Verdict, certify_disk, certify_url,
    tests_for,
};
use time::macros::datetime;

const LINUX: DiskKind = DiskKind::Os {
    family: OsFamily::Linux,
};
const WINDOWS: DiskKind = DiskKind::Os {
    family: OsFamily::Windows,
};
const DATA: DiskKind = DiskKind::Data { lun: 0 };
const ACCESS: &[TestId] = &[
    TestId::AccessHttps,
    TestId::AccessBlobName,
    TestId::AccessAddress,
    TestId::AccessRanges,
];
const SIZE: u64 = 64 * MIB;

fn all_ids(kind: DiskKind) -> Vec<TestId> {
    let mut ids = ACCESS.to_vec();
    ids.extend(tests_for(kind));
    ids
}

/// Builds an image with `build` in a fresh served directory and certifies it over HTTP.
fn certify_built(
    name: &str,
    kind: DiskKind,
    build: impl FnOnce(&Path) -> std::path::PathBuf,
) -> DiskReport {
    let (dir, base) = server().dir(name);
    let path = build(&dir);
    let file = path.file_name().unwrap().to_str().unwrap().to_owned();
    let report = certify_url(
        &format!("{base}/{file}"),
        kind,
        &options(),
        datetime!(2026-11-25 12:00 UTC),
    );
    let _ = fs::remove_dir_all(&dir);
    report
}

/// [`certify_built`] for an image with an ext4 partition: `None` (the test returns, reported
/// through [`missing`]) without `mkfs.ext4`.
fn certify_ext4(
    name: &str,
    kind: DiskKind,
    build: impl FnOnce(&Path) -> std::path::PathBuf,
) -> Option<DiskReport> {
    mkfs()?;
    Some(certify_built(name, kind, build))
}

/// A Linux image with `tweak` applied to its root filesystem, certified over HTTP.
fn linux_case(name: &str, tweak: impl FnOnce(&Path)) -> Option<DiskReport> {
    certify_ext4(name, LINUX, |dir| linux_vhd(dir, "disk", SIZE, tweak))
}

/// `disk.vhd` with an MBR holding one empty Linux partition and a valid footer, no
/// filesystem: enough for the tests that stop at the footer or the partition table, so they
/// run without `mkfs.ext4`.
fn layout_only_vhd(dir: &Path) -> std::path::PathBuf {
    build_vhd(
        dir,
        "disk",
        SIZE,
        &Table::Mbr(vec![Part::rest(0x83, 1, SIZE, Content::Empty)]),
    )
}

const LAYOUT_AND_LINUX: &[TestId] = &[
    TestId::PartitionTable,
    TestId::PartitionAlignment,
    TestId::PartitionNoSwap,
    TestId::PartitionOsFamily,
    TestId::LinuxFilesystem,
    TestId::LinuxAgent,
    TestId::LinuxSerialConsole,
    TestId::LinuxFstabNoSwap,
    TestId::LinuxShellHistory,
    TestId::LinuxSshClientAlive,
];
const LINUX_INSIDE: &[TestId] = &[
    TestId::LinuxAgent,
    TestId::LinuxSerialConsole,
    TestId::LinuxFstabNoSwap,
    TestId::LinuxShellHistory,
    TestId::LinuxSshClientAlive,
];

#[test]
fn good_linux_image_passes_everything() {
    let Some(r) = linux_case("good", |_| {}) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[], &[]);
    assert!(r.passed() && !r.needs_review());
}

#[test]
fn missing_agent_fails() {
    let Some(r) = linux_case("noagent", |root| {
        fs::remove_file(root.join("etc/waagent.conf")).unwrap()
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::LinuxAgent], &[]);
}

#[test]
fn agent_binary_alone_is_enough() {
    let Some(r) = linux_case("agentbin", |root| {
        fs::remove_file(root.join("etc/waagent.conf")).unwrap();
        put(root, "usr/sbin/waagent", "#!/usr/bin/python3\n");
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[], &[]);
}

#[test]
fn missing_serial_console_fails() {
    let Some(r) = linux_case("noconsole", |root| {
        put(
            root,
            "etc/default/grub",
            "GRUB_CMDLINE_LINUX=\"quiet splash\"\n",
        )
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::LinuxSerialConsole], &[]);
}

#[test]
fn serial_console_in_grub_cfg_passes() {
    let Some(r) = linux_case("grubcfg", |root| {
        put(root, "etc/default/grub", "GRUB_TIMEOUT=1\n");
        put(
            root,
            "boot/grub2/grub.cfg",
            "menuentry 'x' {\n  linux /vmlinuz root=/dev/sda1 console=ttyS0,115200\n}\n",
        );
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[], &[]);
}

#[test]
fn swap_in_fstab_fails() {
    let Some(r) = linux_case("fstabswap", |root| {
        put(
            root,
            "etc/fstab",
            "LABEL=root / ext4 defaults 0 1\n/swapfile none swap sw 0 0\n",
        );
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::LinuxFstabNoSwap], &[]);
}

#[test]
fn big_history_fails() {
    let Some(r) = linux_case("history", |root| {
        put(root, "home/dave/.bash_history", &"sudo ls\n".repeat(300))
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::LinuxShellHistory], &[]);
    assert!(
        r.get(TestId::LinuxShellHistory)
            .unwrap()
            .message
            .contains("/home/dave/.bash_history (2400 bytes)")
    );
}

#[test]
fn client_alive_missing_fails() {
    let Some(r) = linux_case("noalive", |root| {
        put(root, "etc/ssh/sshd_config", "PermitRootLogin no\n")
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::LinuxSshClientAlive], &[]);
}

#[test]
fn client_alive_out_of_range_fails() {
    let Some(r) = linux_case("alive300", |root| {
        put(root, "etc/ssh/sshd_config", "ClientAliveInterval 300\n")
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::LinuxSshClientAlive], &[]);
}

#[test]
fn client_alive_from_an_included_file_wins() {
    // sshd takes the first value: the drop-in (included first) sets 120, the main file 600.
    let Some(r) = linux_case("alivedropin", |root| {
        put(
            root,
            "etc/ssh/sshd_config",
            "Include /etc/ssh/sshd_config.d/*.conf\nClientAliveInterval 600\n",
        );
        put(
            root,
            "etc/ssh/sshd_config.d/50-cloud.conf",
            "ClientAliveInterval 120\n",
        );
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[], &[]);
}

#[test]
fn swap_partition_fails() {
    let Some(r) = certify_ext4("swappart", LINUX, |dir| {
        let root = dir.join("rootfs");
        good_rootfs(&root);
        build_vhd(
            dir,
            "disk",
            SIZE,
            &Table::Mbr(vec![
                Part::mib(0x83, 1, 40, Content::Ext4(root)),
                Part::rest(0x82, 41, SIZE, Content::Empty),
            ]),
        )
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::PartitionNoSwap], &[]);
}

#[test]
fn two_root_partitions_fail() {
    let Some(r) = certify_ext4("tworoots", LINUX, |dir| {
        let root = dir.join("rootfs");
        good_rootfs(&root);
        build_vhd(
            dir,
            "disk",
            SIZE,
            &Table::Mbr(vec![
                Part::mib(0x83, 1, 30, Content::Ext4(root.clone())),
                Part::rest(0x83, 31, SIZE, Content::Ext4(root)),
            ]),
        )
    }) else {
        return;
    };
    assert_verdicts(
        &r,
        &all_ids(LINUX),
        &[TestId::LinuxFilesystem],
        LINUX_INSIDE,
    );
}

#[test]
fn separate_boot_partition_is_not_a_second_root() {
    let Some(r) = certify_ext4("bootpart", LINUX, |dir| {
        let root = dir.join("rootfs");
        good_rootfs(&root);
        put(&root, "etc/default/grub", "GRUB_TIMEOUT=1\n");
        let boot = dir.join("bootfs");
        put(&boot, "grub/grub.cfg", "linux /vmlinuz console=ttyS0\n");
        build_vhd(
            dir,
            "disk",
            SIZE,
            &Table::Mbr(vec![
                Part::mib(0x83, 1, 20, Content::Ext4(boot)),
                Part::rest(0x83, 21, SIZE, Content::Ext4(root)),
            ]),
        )
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[], &[]);
}

#[test]
fn partition_before_one_mib_fails() {
    let Some(r) = certify_ext4("early", LINUX, |dir| {
        let root = dir.join("rootfs");
        good_rootfs(&root);
        build_vhd(
            dir,
            "disk",
            SIZE,
            &Table::Mbr(vec![Part {
                kind: 0x83,
                start_lba: 64,
                sectors: SIZE / 512 - 64,
                content: Content::Ext4(root),
            }]),
        )
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::PartitionAlignment], &[]);
}

#[test]
fn gpt_disk_fails_clearly() {
    let r = certify_built("gpt", LINUX, |dir| {
        build_vhd(dir, "disk", SIZE, &Table::Gpt)
    });
    let not_run: Vec<TestId> = LAYOUT_AND_LINUX[1..].to_vec();
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::PartitionTable], &not_run);
    assert!(
        r.get(TestId::PartitionTable)
            .unwrap()
            .message
            .contains("GPT")
    );
}

#[test]
fn no_partition_table_fails_clearly() {
    let r = certify_built("notable", LINUX, |dir| {
        build_vhd(dir, "disk", SIZE, &Table::None)
    });
    assert_verdicts(
        &r,
        &all_ids(LINUX),
        &[TestId::PartitionTable],
        &LAYOUT_AND_LINUX[1..],
    );
    assert!(
        r.get(TestId::PartitionTable)
            .unwrap()
            .message
            .contains("no partition table")
    );
}

#[test]
fn xfs_like_root_needs_manual_review() {
    let r = certify_built("xfs", LINUX, |dir| {
        let mut sb = b"XFSB".to_vec();
        sb.resize(4096, 0);
        build_vhd(
            dir,
            "disk",
            SIZE,
            &Table::Mbr(vec![Part::rest(0x83, 1, SIZE, Content::Bytes(sb))]),
        )
    });
    let mut not_run = vec![TestId::LinuxFilesystem];
    not_run.extend_from_slice(LINUX_INSIDE);
    assert_verdicts(&r, &all_ids(LINUX), &[], &not_run);
    assert!(
        r.get(TestId::LinuxFilesystem)
            .unwrap()
            .message
            .contains("XFS")
    );
    assert!(r.needs_review());
}

#[test]
fn windows_ntfs_image_reports_what_ran() {
    let r = certify_built("windows", WINDOWS, |dir| {
        build_vhd(
            dir,
            "disk",
            SIZE,
            &Table::Mbr(vec![Part::rest(
                0x07,
                1,
                SIZE,
                Content::Bytes(b"\xebR\x90NTFS    ".to_vec()),
            )]),
        )
    });
    assert_verdicts(&r, &all_ids(WINDOWS), &[], &[TestId::WindowsFilesystem]);
    assert!(
        r.get(TestId::WindowsFilesystem)
            .unwrap()
            .message
            .contains("sysprep")
    );
}

#[test]
fn ntfs_image_declared_linux_fails() {
    let r = certify_built("ntfslinux", LINUX, |dir| {
        build_vhd(
            dir,
            "disk",
            SIZE,
            &Table::Mbr(vec![Part::rest(0x07, 1, SIZE, Content::Empty)]),
        )
    });
    assert_verdicts(
        &r,
        &all_ids(LINUX),
        &[TestId::PartitionOsFamily],
        LINUX_INSIDE
            .iter()
            .chain(&[TestId::LinuxFilesystem])
            .copied()
            .collect::<Vec<_>>()
            .as_slice(),
    );
}

/// Rewrites the footer of `path` with `edit`, recomputing the checksum unless `keep_sum`.
fn edit_footer(path: &Path, keep_sum: bool, edit: impl FnOnce(&mut [u8; 512])) {
    let len = fs::metadata(path).unwrap().len();
    let mut f = build_fixed_footer(len - 512);
    edit(&mut f);
    if !keep_sum {
        f[0x40..0x44].copy_from_slice(&[0; 4]);
        let s = checksum(&f);
        f[0x40..0x44].copy_from_slice(&s.to_be_bytes());
    }
    write_at(path, len - 512, &f);
}

const FOOTER_REST: &[TestId] = &[
    TestId::VhdChecksum,
    TestId::VhdFixed,
    TestId::VhdMibAligned,
    TestId::VhdLength,
    TestId::VhdSize,
];

#[test]
fn dynamic_vhd_fails() {
    let r = certify_built("dynamic", LINUX, |dir| {
        // Shaped like qemu's dynamic VHD: footer copy, cxsparse header, BAT, footer; no data.
        let path = dir.join("disk.vhd");
        let mut footer = build_fixed_footer(SIZE);
        footer[0x10..0x18].copy_from_slice(&0x200u64.to_be_bytes());
        footer[0x3C..0x40].copy_from_slice(&3u32.to_be_bytes());
        footer[0x40..0x44].copy_from_slice(&[0; 4]);
        let s = checksum(&footer);
        footer[0x40..0x44].copy_from_slice(&s.to_be_bytes());
        let mut file = footer.to_vec();
        let mut header = vec![0u8; 1024];
        header[..8].copy_from_slice(b"cxsparse");
        file.extend(header);
        file.extend(vec![0xFF; 512]);
        file.extend(footer);
        fs::write(&path, file).unwrap();
        path
    });
    let not_run = LAYOUT_AND_LINUX.to_vec();
    assert_verdicts(
        &r,
        &all_ids(LINUX),
        &[TestId::VhdFixed, TestId::VhdLength],
        &not_run,
    );
}

#[test]
fn bad_cookie_fails() {
    let r = certify_built("cookie", LINUX, |dir| {
        let p = layout_only_vhd(dir);
        edit_footer(&p, false, |f| f[0..8].copy_from_slice(b"notavhd!"));
        p
    });
    let not_run: Vec<TestId> = FOOTER_REST
        .iter()
        .chain(LAYOUT_AND_LINUX)
        .copied()
        .collect();
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::VhdCookie], &not_run);
}

#[test]
fn bad_checksum_fails() {
    let r = certify_built("checksum", LINUX, |dir| {
        let p = layout_only_vhd(dir);
        edit_footer(&p, true, |f| f[0x40] ^= 0x55);
        p
    });
    assert_verdicts(
        &r,
        &all_ids(LINUX),
        &[TestId::VhdChecksum],
        LAYOUT_AND_LINUX,
    );
}

#[test]
fn size_not_whole_mib_fails() {
    let Some(r) = certify_ext4("unaligned", LINUX, |dir| {
        linux_vhd(dir, "disk", SIZE + 32768, |_| {})
    }) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::VhdMibAligned], &[]);
}

#[test]
fn truncated_upload_fails() {
    let r = certify_built("truncated", LINUX, |dir| {
        let p = layout_only_vhd(dir);
        let f = fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.set_len(SIZE - 10 * MIB).unwrap();
        p
    });
    let not_run: Vec<TestId> = FOOTER_REST
        .iter()
        .chain(LAYOUT_AND_LINUX)
        .copied()
        .collect();
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::VhdCookie], &not_run);

    let r = certify_built("tiny", LINUX, |dir| {
        let p = dir.join("disk.vhd");
        fs::write(&p, b"conectix").unwrap();
        p
    });
    let mut not_run = vec![TestId::VhdCookie];
    not_run.extend(FOOTER_REST.iter().chain(LAYOUT_AND_LINUX));
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::VhdFooter], &not_run);
}

#[test]
fn data_disk_checks_footer_and_size_only() {
    let r = certify_built("data", DATA, |dir| {
        build_vhd(dir, "data0", SIZE, &Table::None)
    });
    assert_verdicts(&r, &all_ids(DATA), &[], &[]);
}

fn http_failure(path: &str) -> (DiskReport, Duration) {
    let start = Instant::now();
    let r = certify_url(
        &server().url(path),
        LINUX,
        &options(),
        datetime!(2026-11-25 12:00 UTC),
    );
    (r, start.elapsed())
}

#[test]
fn server_ignoring_range_fails_without_downloading() {
    let (r, _) = http_failure("/ignore/disk.vhd");
    let rest: Vec<TestId> = tests_for(LINUX);
    assert_verdicts(&r, &all_ids(LINUX), &[TestId::AccessRanges], &rest);
    assert!(r.get(TestId::AccessRanges).unwrap().message.contains("200"));
    assert_eq!(r.bytes_read, 0);
}

#[test]
fn stalling_server_times_out() {
    let (r, took) = http_failure("/stall/disk.vhd");
    assert_verdicts(
        &r,
        &all_ids(LINUX),
        &[TestId::AccessRanges],
        &tests_for(LINUX),
    );
    assert!(
        r.get(TestId::AccessRanges)
            .unwrap()
            .message
            .contains("did not answer"),
        "{r:#?}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn redirect_loop_fails() {
    let (r, _) = http_failure("/loop/disk.vhd");
    assert_verdicts(
        &r,
        &all_ids(LINUX),
        &[TestId::AccessRanges],
        &tests_for(LINUX),
    );
    assert!(
        r.get(TestId::AccessRanges)
            .unwrap()
            .message
            .contains("redirects"),
        "{r:#?}"
    );
}

#[test]
fn loopback_is_refused_unless_allowed() {
    let mut opts = options();
    opts.http.address.allow_private = false;
    let r = certify_url(
        &server().url("/files/x.vhd"),
        LINUX,
        &opts,
        datetime!(2026-11-25 12:00 UTC),
    );
    assert_eq!(r.verdict(TestId::AccessAddress), Some(Verdict::Fail));
    assert_eq!(r.verdict(TestId::AccessRanges), Some(Verdict::NotRun));
    assert_eq!(r.requests, 0);
    let r = certify_url(
        &format!("http://localhost:{}/files/x.vhd", server().addr.port()),
        LINUX,
        &opts,
        datetime!(2026-11-25 12:00 UTC),
    );
    assert_eq!(
        r.verdict(TestId::AccessAddress),
        Some(Verdict::Fail),
        "{r:#?}"
    );
}

#[test]
fn one_gib_image_is_cheap_to_certify() {
    let Some(r) = certify_ext4("big", LINUX, |dir| linux_vhd(dir, "disk", GIB, |_| {})) else {
        return;
    };
    assert_verdicts(&r, &all_ids(LINUX), &[], &[]);
    assert!(r.bytes_read <= MIB, "read {} bytes", r.bytes_read);
    assert!(r.requests <= 20, "sent {} requests", r.requests);
}

#[test]
fn local_file_source_gives_the_same_verdicts() {
    if mkfs().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = linux_vhd(dir.path(), "disk", SIZE, |_| {});
    let r = certify_disk(FileSource::open(&p).unwrap(), LINUX, &options().limits);
    assert_verdicts(&r, &tests_for(LINUX), &[], &[]);
    let msgs = r.step_messages(
        "definition.plans[0].osVhdUrl",
        datetime!(2026-11-25 12:00 UTC),
    );
    assert!(msgs.is_empty());
}

#[test]
fn failures_become_step_messages_tied_to_the_field() {
    let Some(r) = linux_case("messages", |root| {
        fs::remove_file(root.join("etc/waagent.conf")).unwrap()
    }) else {
        return;
    };
    let msgs = r.step_messages(
        "definition.plans[0].osVhdUrl",
        datetime!(2026-11-25 12:00 UTC),
    );
    assert_eq!(msgs.len(), 1);
    assert_eq!(
        msgs[0].field.as_deref(),
        Some("definition.plans[0].osVhdUrl")
    );
    assert_eq!(msgs[0].code.as_deref(), Some("certification.linux.agent"));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["tests"][0]["id"], "access.https");
    assert_eq!(json["tests"][0]["verdict"], "pass");
}

#[test]
fn redirects_are_followed_and_rechecked() {
    // A data disk: what is tested is the HTTP source, and its two reads (the probe, the
    // footer) are enough to tell one hop in all from one hop per read.
    let (dir, _) = server().dir("redirect");
    build_vhd(&dir, "disk", SIZE, &Table::None);
    let now = datetime!(2026-11-25 12:00 UTC);
    let r = certify_url(
        &server().url("/redirect/redirect/disk.vhd"),
        DATA,
        &options(),
        now,
    );
    assert_verdicts(&r, &all_ids(DATA), &[], &[]);
    // One extra hop for the first request only: later reads go straight to the final URL.
    let direct = certify_url(
        &server().url("/files/redirect/disk.vhd"),
        DATA,
        &options(),
        now,
    );
    assert!(direct.requests >= 2, "{direct:#?}");
    assert_eq!(r.requests, direct.requests + 1);
    let _ = fs::remove_dir_all(&dir);

    let r = certify_url(&server().url("/toftp/disk.vhd"), LINUX, &options(), now);
    assert_eq!(r.verdict(TestId::AccessRanges), Some(Verdict::Fail));
    assert!(
        r.get(TestId::AccessRanges)
            .unwrap()
            .message
            .contains("ftp://"),
        "{r:#?}"
    );
}

#[test]
fn request_budget_stops_the_check_with_a_clear_failure() {
    // A real ext4 image: three requests run out inside the filesystem test, the path where a
    // failed read has to turn into a clear failure rather than a wrong verdict.
    if mkfs().is_none() {
        return;
    }
    let (dir, base) = server().dir("budget");
    linux_vhd(&dir, "disk", SIZE, |_| {});
    let mut opts = options();
    opts.http.max_requests = 3;
    let r = certify_url(
        &format!("{base}/disk.vhd"),
        LINUX,
        &opts,
        datetime!(2026-11-25 12:00 UTC),
    );
    assert!(!r.passed());
    assert!(r.requests <= 3);
    assert!(
        r.tests
            .iter()
            .any(|t| t.verdict == Verdict::Fail && t.message.contains("more than 3 requests")),
        "{r:#?}"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn sas_url_is_checked_and_served() {
    // A data disk: the SAS tests read the URL only, and reading the image proves the server
    // serves it with the token in the query.
    let (dir, base) = server().dir("sas");
    build_vhd(&dir, "disk", SIZE, &Table::None);
    let mut opts = options();
    opts.require_sas = true;
    let url = format!(
        "{base}/disk.vhd?sv=2020-08-04&sr=c&sp=rl&st=2026-11-20T00:00:00Z&se=2027-01-31T00:00:00Z&sig=abc%3D"
    );
    let r = certify_url(&url, DATA, &opts, datetime!(2026-11-25 12:00 UTC));
    let mut ids = all_ids(DATA);
    ids.extend([
        TestId::AccessSasPermissions,
        TestId::AccessSasStart,
        TestId::AccessSasExpiry,
    ]);
    assert_verdicts(&r, &ids, &[], &[]);
    let r = certify_url(
        &url.replace("sp=rl", "sp=rwl"),
        DATA,
        &opts,
        datetime!(2026-11-25 12:00 UTC),
    );
    assert_verdicts(&r, &ids, &[TestId::AccessSasPermissions], &[]);
    let _ = fs::remove_dir_all(&dir);
}
