//! Validates the largest legal offer a number of times; for profilers
//! (`valgrind --tool=callgrind target/release/examples/validate_largest 20`).

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let doc = portal_domain::samples::largest_offer();
    let mut findings = 0;
    for _ in 0..n {
        findings += portal_domain::validate(std::hint::black_box(&doc)).len();
    }
    println!("{findings} findings in {n} runs");
}
