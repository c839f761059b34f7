//! Replication against a real HTTP server on loopback and real local-directory regions.

mod support;

use std::sync::Arc;

use portal_replicate::AddressPolicy;
use portal_replicate::{
    Action, Disk, Progress, Region, RegionState, ReplicateError, Responsible, find_replica,
    replicate,
};
use support::{
    ChangeAfter, Fault, Faulty, ImageServer, Regions, collect_progress, image, options,
    sha256_file, sha256_hex,
};
use tokio::sync::watch;

const OS_KEY: &str = "contoso/my-offer/sku1/1.0.0/os.vhd";
const DATA_KEY: &str = "contoso/my-offer/sku1/1.0.0/lun0.vhd";
/// Not a multiple of the 1 MiB part size, so the last part is short.
const OS_LEN: usize = 3 * 1024 * 1024 + 777;
const DATA_LEN: usize = 1024 * 1024 + 5;

async fn one_disk(server: &ImageServer, len: usize, change: ChangeAfter) -> (Vec<u8>, Disk) {
    let body = image(len, 7);
    server.add("os.vhd", body.clone(), change);
    let disk = Disk {
        url: server.url("os.vhd"),
        key: OS_KEY.into(),
    };
    (body, disk)
}

async fn run(
    disks: &[Disk],
    regions: &[Region],
) -> Result<Vec<portal_replicate::Replicated>, ReplicateError> {
    let (tx, _rx) = watch::channel(Progress::default());
    replicate(disks, regions, &options(), &tx).await
}

fn assert_monotonic(seen: &[Progress]) {
    for pair in seen.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(b.bytes_done >= a.bytes_done && b.bytes_verified >= a.bytes_verified);
        assert!(
            b.percent() >= a.percent(),
            "{} then {}",
            a.percent(),
            b.percent()
        );
        for (ra, rb) in a.regions.iter().zip(&b.regions) {
            assert!(rb.bytes_done >= ra.bytes_done && rb.bytes_verified >= ra.bytes_verified);
        }
    }
}

#[tokio::test]
async fn three_regions_get_identical_verified_copies() {
    let server = ImageServer::start().await;
    let os = image(OS_LEN, 1);
    let data = image(DATA_LEN, 2);
    server.add("os.vhd", os.clone(), ChangeAfter::Never);
    server.add("data.vhd", data.clone(), ChangeAfter::Never);
    let disks = [
        Disk {
            url: server.url("os.vhd"),
            key: OS_KEY.into(),
        },
        Disk {
            url: server.url("data.vhd"),
            key: DATA_KEY.into(),
        },
    ];
    let dirs = Regions::new();
    let regions = dirs.regions(&["a", "b", "c"]);
    let (tx, progress) = collect_progress();

    let done = replicate(&disks, &regions, &options(), &tx).await.unwrap();
    drop(tx);

    assert_eq!(done.len(), 6);
    assert!(done.iter().all(|r| r.action == Action::Copied));
    for name in ["a", "b", "c"] {
        for (key, body) in [(OS_KEY, &os), (DATA_KEY, &data)] {
            assert!(
                dirs.read(name, key).as_ref() == Some(body),
                "{name}/{key} differs"
            );
            let m = dirs.manifest(name, key).unwrap();
            assert_eq!(m["sha256"], sha256_hex(body));
            assert_eq!(m["size"], body.len() as u64);
            assert_eq!(m["key"], key);
            assert!(
                !m.to_string().contains("secret"),
                "the SAS signature leaked: {m}"
            );
        }
    }
    // The image server is read once per disk: b and c are copied from a's verified copy.
    assert_eq!(server.gets(), 2);
    assert_eq!(server.body_bytes(), (OS_LEN + DATA_LEN) as u64);

    let seen = progress.await.unwrap();
    assert_monotonic(&seen);
    let last = seen.last().unwrap();
    assert_eq!(last.bytes_total, 3 * (OS_LEN + DATA_LEN) as u64);
    assert_eq!(last.bytes_done, last.bytes_total);
    assert_eq!(last.bytes_verified, last.bytes_total);
    assert_eq!(last.percent(), 100);
    assert!(
        last.regions
            .iter()
            .all(|r| r.state == RegionState::Done && r.percent() == 100)
    );
    assert!(
        seen.iter()
            .any(|p| p.regions[1].state == RegionState::Verifying)
    );

    let found = find_replica(&regions[2], OS_KEY).await.unwrap().unwrap();
    assert_eq!(found.sha256, sha256_hex(&os));
    assert_eq!(found.size, OS_LEN as u64);
    assert_eq!(found.location, regions[2].location(OS_KEY));
    assert!(found.location.starts_with("file:///"));
    assert_eq!(
        find_replica(&regions[2], "contoso/none.vhd").await.unwrap(),
        None
    );
    std::fs::remove_file(dirs.file("c", OS_KEY)).unwrap();
    assert_eq!(find_replica(&regions[2], OS_KEY).await.unwrap(), None);
}

#[tokio::test]
async fn local_copies_of_a_mostly_zero_image_stay_sparse() {
    use std::os::unix::fs::{FileExt as _, MetadataExt as _};

    const MIB: u64 = 1024 * 1024;
    const LEN: u64 = 256 * MIB;
    // A sparse 256 MiB image with 4 MiB of data: 1 MiB at the start (a partition table and a
    // superblock), 2 MiB in the middle at an offset that is no multiple of a block, 1 MiB at
    // the end (a VHD footer), so the length is all that makes the trailing zeros a hole.
    let src_dir = tempfile::tempdir().unwrap();
    let src = src_dir.path().join("os.vhd");
    let file = std::fs::File::create(&src).unwrap();
    file.set_len(LEN).unwrap();
    let middle = 100 * MIB + 12_345;
    let pieces = [
        (0, image(MIB as usize, 3)),
        (middle, image(2 * MIB as usize, 4)),
        (200 * MIB, image(MIB as usize, 5)),
    ];
    for (at, bytes) in &pieces {
        file.write_all_at(bytes, *at).unwrap();
    }
    drop(file);
    let server = ImageServer::start().await;
    server.add_file("os.vhd", &src);
    let disk = Disk {
        url: server.url("os.vhd"),
        key: OS_KEY.into(),
    };
    let dirs = Regions::new();
    // a is copied from the image server, b from a's copy: both ways into a local region.
    let regions = dirs.regions(&["a", "b"]);

    run(&[disk], &regions).await.unwrap();

    let sha256 = sha256_file(&src);
    for name in ["a", "b"] {
        let copy = dirs.file(name, OS_KEY);
        assert_eq!(sha256_file(&copy), sha256, "{name}: the content differs");
        assert_eq!(dirs.manifest(name, OS_KEY).unwrap()["sha256"], sha256);
        let meta = std::fs::metadata(&copy).unwrap();
        assert_eq!(meta.len(), LEN);
        let allocated = meta.blocks() * 512;
        assert!(
            allocated < 16 * MIB,
            "{name}: {allocated} bytes allocated for 4 MiB of data"
        );
        let (at, bytes) = &pieces[1];
        let mut back = vec![0; bytes.len()];
        std::fs::File::open(&copy)
            .unwrap()
            .read_exact_at(&mut back, *at)
            .unwrap();
        assert!(&back == bytes, "{name}: the data in the middle is gone");
    }
}

#[tokio::test]
async fn a_second_run_skips_everything_without_reading_the_image() {
    let server = ImageServer::start().await;
    let (_, disk) = one_disk(&server, OS_LEN, ChangeAfter::Never).await;
    let dirs = Regions::new();
    let regions = dirs.regions(&["a", "b", "c"]);
    run(std::slice::from_ref(&disk), &regions).await.unwrap();
    let gets = server.gets();

    let (tx, progress) = collect_progress();
    let again = replicate(&[disk], &regions, &options(), &tx).await.unwrap();
    drop(tx);

    assert!(again.iter().all(|r| r.action == Action::Skipped));
    assert_eq!(server.gets(), gets, "no GET of the image body");
    let last = progress.await.unwrap().pop().unwrap();
    assert_eq!(last.percent(), 100);
    assert!(last.regions.iter().all(|r| r.state == RegionState::Skipped));
}

#[tokio::test]
async fn a_region_finished_before_a_crash_is_not_copied_again() {
    let server = ImageServer::start().await;
    let (body, disk) = one_disk(&server, OS_LEN, ChangeAfter::Never).await;
    let dirs = Regions::new();
    let regions = dirs.regions(&["a", "b", "c"]);

    // Stop (drop the future) as soon as region b starts receiving: a is finished, b is not.
    let (tx, mut rx) = watch::channel(Progress::default());
    let opts = options();
    let work = replicate(std::slice::from_ref(&disk), &regions, &opts, &tx);
    let b_started = rx.wait_for(|p| {
        p.regions
            .get(1)
            .is_some_and(|r| r.state == RegionState::Copying)
    });
    tokio::select! {
        biased;
        seen = b_started => { seen.unwrap(); }
        result = work => panic!("finished before b started: {result:?}"),
    }
    assert!(dirs.manifest("a", OS_KEY).is_some());
    assert!(
        dirs.manifest("b", OS_KEY).is_none(),
        "b is unfinished, so has no manifest"
    );
    let a_file = dirs.file("a", OS_KEY);
    let a_before = std::fs::metadata(&a_file).unwrap().modified().unwrap();
    let (gets, bytes) = (server.gets(), server.body_bytes());

    let done = run(std::slice::from_ref(&disk), &regions).await.unwrap();

    let actions: Vec<(String, Action)> = done
        .iter()
        .map(|r| (r.replica.region.clone(), r.action))
        .collect();
    assert_eq!(
        actions,
        [
            ("a".to_owned(), Action::Skipped),
            ("b".to_owned(), Action::Copied),
            ("c".to_owned(), Action::Copied)
        ]
    );
    assert_eq!(
        std::fs::metadata(&a_file).unwrap().modified().unwrap(),
        a_before
    );
    assert_eq!(
        (server.gets(), server.body_bytes()),
        (gets, bytes),
        "b and c come from a"
    );
    for name in ["a", "b", "c"] {
        assert!(dirs.read(name, OS_KEY).as_ref() == Some(&body));
    }
    let leftovers: Vec<_> = std::fs::read_dir(dirs.file("b", OS_KEY).parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains('#'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "unfinished uploads left: {leftovers:?}"
    );
}

#[tokio::test]
async fn a_vanished_image_fails_with_what_to_do() {
    let server = ImageServer::start().await;
    let dirs = Regions::new();
    let disk = Disk {
        url: server.url("missing.vhd"),
        key: OS_KEY.into(),
    };
    let err = run(&[disk], &dirs.regions(&["a"])).await.unwrap_err();
    assert!(
        matches!(err, ReplicateError::SourceVanished { .. }),
        "{err:?}"
    );
    let msg = err.message();
    assert!(
        msg.contains("no longer there") && msg.contains("Publish again"),
        "{msg}"
    );
    assert!(
        msg.contains("/missing.vhd") && !msg.contains("secret"),
        "{msg}"
    );
    assert_eq!(err.responsible(), Responsible::Publisher);

    // Nothing listens on the port any more.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let disk = Disk {
        url: format!("http://127.0.0.1:{port}/os.vhd?sig=secret"),
        key: OS_KEY.into(),
    };
    let err = run(&[disk], &dirs.regions(&["a"])).await.unwrap_err();
    assert!(
        matches!(err, ReplicateError::SourceVanished { .. }),
        "{err:?}"
    );
    assert!(
        err.message().contains("connection refused"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn an_image_that_changes_during_the_copy_fails() {
    for change in [ChangeAfter::Get, ChangeAfter::FirstHead] {
        let server = ImageServer::start().await;
        let (_, disk) = one_disk(&server, OS_LEN, change).await;
        let dirs = Regions::new();
        let err = run(&[disk], &dirs.regions(&["a", "b"])).await.unwrap_err();
        assert!(
            matches!(err, ReplicateError::SourceChanged { .. }),
            "{change:?}: {err:?}"
        );
        assert!(err.message().contains("changed while it was being copied"));
        assert!(dirs.manifest("a", OS_KEY).is_none());
    }
}

#[tokio::test]
async fn a_corrupted_write_is_detected_and_not_marked_finished() {
    let server = ImageServer::start().await;
    let (_, disk) = one_disk(&server, OS_LEN, ChangeAfter::Never).await;
    let dirs = Regions::new();
    let inner = dirs.region("a");
    let faulty = Region::new(
        "a",
        Arc::new(Faulty {
            inner: Arc::clone(&inner.store),
            fault: Fault::Corrupt,
        }),
        &inner.url,
    )
    .unwrap();
    let err = run(&[disk], &[faulty]).await.unwrap_err();
    match &err {
        ReplicateError::ChecksumMismatch { region, key, .. } => {
            assert_eq!((region.as_str(), key.as_str()), ("a", OS_KEY));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.message().contains("in region a is corrupt"),
        "{}",
        err.message()
    );
    assert_eq!(err.responsible(), Responsible::Operator);
    assert!(dirs.manifest("a", OS_KEY).is_none());
}

#[tokio::test]
async fn a_copy_corrupted_at_rest_is_found_and_copied_again() {
    let server = ImageServer::start().await;
    let (body, disk) = one_disk(&server, OS_LEN, ChangeAfter::Never).await;
    let dirs = Regions::new();
    run(std::slice::from_ref(&disk), &dirs.regions(&["a"]))
        .await
        .unwrap();
    let mut bad = body.clone();
    bad[12345] ^= 1;
    std::fs::write(dirs.file("a", OS_KEY), &bad).unwrap();

    let err = run(std::slice::from_ref(&disk), &dirs.regions(&["a", "b"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ReplicateError::ChecksumMismatch { region, .. } if region == "a"),
        "{err:?}"
    );
    assert!(
        dirs.manifest("a", OS_KEY).is_none(),
        "the corrupt copy lost its manifest"
    );
    assert!(dirs.manifest("b", OS_KEY).is_none());

    let done = run(&[disk], &dirs.regions(&["a", "b"])).await.unwrap();
    assert!(done.iter().all(|r| r.action == Action::Copied));
    assert!(dirs.read("a", OS_KEY) == Some(body.clone()) && dirs.read("b", OS_KEY) == Some(body));
}

#[tokio::test]
async fn a_full_region_fails_with_storage_full() {
    let server = ImageServer::start().await;
    let (_, disk) = one_disk(&server, OS_LEN, ChangeAfter::Never).await;
    let dirs = Regions::new();
    let inner = dirs.region("eu-west");
    let full = Region::new(
        "eu-west",
        Arc::new(Faulty {
            inner: Arc::clone(&inner.store),
            fault: Fault::Full,
        }),
        &inner.url,
    )
    .unwrap();
    let err = run(&[disk], &[full]).await.unwrap_err();
    assert!(
        matches!(&err, ReplicateError::StorageFull { region, key } if region == "eu-west" && key == OS_KEY),
        "{err:?}"
    );
    assert!(
        err.message().contains("Region eu-west is out of space"),
        "{}",
        err.message()
    );
    assert_eq!(err.responsible(), Responsible::Operator);
    assert!(dirs.manifest("eu-west", OS_KEY).is_none());
    assert!(
        dirs.read("eu-west", OS_KEY).is_none(),
        "no partial object is visible"
    );
}

#[tokio::test]
async fn private_addresses_and_plain_http_are_refused_unless_allowed() {
    let server = ImageServer::start().await;
    let (body, disk) = one_disk(&server, 4096, ChangeAfter::Never).await;
    let dirs = Regions::new();
    let (tx, _rx) = watch::channel(Progress::default());

    let mut strict = options();
    strict.source.address = AddressPolicy::default();
    let err = replicate(
        std::slice::from_ref(&disk),
        &dirs.regions(&["a"]),
        &strict,
        &tx,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, ReplicateError::AddressRefused { addr, .. } if addr == "127.0.0.1"),
        "{err:?}"
    );
    assert_eq!(server.heads() + server.gets(), 0, "nothing was sent");

    let mut https_only = options();
    https_only.source.allow_http = false;
    let err = replicate(
        std::slice::from_ref(&disk),
        &dirs.regions(&["a"]),
        &https_only,
        &tx,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ReplicateError::BadSourceUrl { .. }),
        "{err:?}"
    );
    assert!(err.message().contains("https://"));

    // Only the server itself is allowed: a redirect to it is followed, one to another
    // loopback address is refused.
    let mut own_only = options();
    own_only.source.address = AddressPolicy {
        allow_private: false,
        also_allow: Some(server.addr),
    };
    let port = server.addr.port();
    server.redirect("good", &format!("http://127.0.0.1:{port}/os.vhd"));
    server.redirect("evil", &format!("http://127.0.0.2:{port}/os.vhd"));
    let evil = Disk {
        url: server.url("evil"),
        key: OS_KEY.into(),
    };
    let err = replicate(&[evil], &dirs.regions(&["a"]), &own_only, &tx)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ReplicateError::AddressRefused { addr, .. } if addr == "127.0.0.2"),
        "{err:?}"
    );
    let good = Disk {
        url: server.url("good"),
        key: OS_KEY.into(),
    };
    replicate(&[good], &dirs.regions(&["a"]), &own_only, &tx)
        .await
        .unwrap();
    assert!(dirs.read("a", OS_KEY) == Some(body));
}

#[tokio::test]
async fn progress_counts_skipped_disks_and_keys_are_checked() {
    let server = ImageServer::start().await;
    let (_, disk) = one_disk(&server, DATA_LEN, ChangeAfter::Never).await;
    let dirs = Regions::new();
    run(std::slice::from_ref(&disk), &dirs.regions(&["a"]))
        .await
        .unwrap();

    let (tx, progress) = collect_progress();
    replicate(
        std::slice::from_ref(&disk),
        &dirs.regions(&["a", "b"]),
        &options(),
        &tx,
    )
    .await
    .unwrap();
    drop(tx);
    let seen = progress.await.unwrap();
    assert_monotonic(&seen);
    let last = seen.last().unwrap();
    assert_eq!(last.regions[0].state, RegionState::Skipped);
    assert_eq!(last.regions[1].state, RegionState::Done);
    assert_eq!(last.percent(), 100);

    let twice = [disk.clone(), disk.clone()];
    let err = run(&twice, &dirs.regions(&["a"])).await.unwrap_err();
    assert!(matches!(err, ReplicateError::BadKey { .. }), "{err:?}");
    let bad = Disk {
        key: "../escape.vhd".into(),
        ..disk
    };
    assert!(matches!(
        run(&[bad], &dirs.regions(&["a"])).await.unwrap_err(),
        ReplicateError::BadKey { .. }
    ));
}

#[test]
fn the_futures_are_send_so_the_engine_can_spawn_them() {
    fn assert_send<T: Send>(_: &T) {}
    let dirs = Regions::new();
    let regions = dirs.regions(&["a"]);
    let (tx, _rx) = watch::channel(Progress::default());
    let opts = options();
    let work = replicate(&[], &regions, &opts, &tx);
    assert_send(&work);
    let lookup = find_replica(&regions[0], OS_KEY);
    assert_send(&lookup);
}
