//! The cost of a sign-in's password check: one argon2id verification with the parameters the
//! server uses (`accounts::passwords::hasher`). The target is 50–250 ms on the
//! machine that serves; `docs/benchmarks.md` records the figure here.
//! `cargo bench -p portal-server --bench passwords`

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use criterion::{Criterion, criterion_group, criterion_main};

fn verify(c: &mut Criterion) {
    let hasher = portal_server::accounts::passwords::hasher();
    let salt = SaltString::generate(&mut OsRng);
    let phc = hasher
        .hash_password(b"violet tugboat canyon 42", &salt)
        .expect("hash")
        .to_string();
    let parsed = PasswordHash::new(&phc).expect("parse");
    let mut group = c.benchmark_group("argon2id");
    group.sample_size(20);
    group.bench_function("verify", |b| {
        b.iter(|| {
            hasher
                .verify_password(b"violet tugboat canyon 42", &parsed)
                .expect("verifies");
        });
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
