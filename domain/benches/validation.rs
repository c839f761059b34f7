//! Validation of the largest legal offer (100 SKUs × 8 disk versions × 15 data disks).
//! Target: under 1 ms natively. Run with `cargo bench -p portal-domain`.

use criterion::{Criterion, criterion_group, criterion_main};
use portal_domain::samples::largest_offer;
use portal_domain::validate;

fn bench(c: &mut Criterion) {
    let doc = largest_offer();
    assert!(validate(&doc).is_empty(), "the largest offer must be legal");
    c.bench_function("validate largest legal offer", |b| {
        b.iter(|| validate(std::hint::black_box(&doc)))
    });
    let json = serde_json::to_string(&doc).unwrap_or_default();
    c.bench_function("parse + validate largest legal offer", |b| {
        b.iter(|| {
            let parsed: portal_domain::OfferDocument =
                serde_json::from_str(std::hint::black_box(&json)).unwrap_or_default();
            validate(&parsed)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
