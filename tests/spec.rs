//! Runs every spec vector in `tests/spec/` through the native engine.
//! A failure names the file, the case and the first mismatching path.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

#[test]
fn spec_vectors() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (name, file) in support::spec_files() {
        for (i, case) in file.cases.iter().enumerate() {
            count += 1;
            let snapshot = case.snapshot.as_ref().unwrap_or(&file.snapshot);
            let actual = support::run_case(snapshot, case);
            if let Err(why) = support::contains(&actual, &case.expected, "$") {
                failures.push(format!("{name} case {i} ({}): {why}", case.description));
            }
        }
    }
    println!("{count} spec cases");
    assert!(
        failures.is_empty(),
        "{} of {count} spec cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count >= 150, "only {count} spec cases");
}
