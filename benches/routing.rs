//! Route matching with 1, 50 and 300 routes (issue 6): the table is compiled once, at
//! configuration time; a request costs one normalization and one `find`.
//!
//! `cargo bench --bench routing`. Not run by CI (too slow); `cargo clippy --all-targets`
//! keeps it compiling.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use portcullis::model::RouteKey;
use portcullis::routing::{RouteTable, normalize};

/// A table of `n` routes shaped like a real API: literal paths, `{param}` segments, a greedy
/// `{proxy+}` and the `$default` route.
fn table(n: usize) -> RouteTable<usize> {
    let mut builder = RouteTable::builder();
    let methods = ["GET", "POST", "PUT", "DELETE"];
    for i in 0..n.saturating_sub(1) {
        let method = methods.get(i % 4).copied().unwrap_or("GET");
        let key = match i % 3 {
            0 => format!("{method} /service{}/items", i / 3),
            1 => format!("{method} /service{}/items/{{id}}", i / 3),
            _ => format!("{method} /service{}/files/{{proxy+}}", i / 3),
        };
        if let Ok(key) = key.parse::<RouteKey>() {
            let _ = builder.insert(key, i);
        }
    }
    let _ = builder.insert(RouteKey::Default, n);
    builder.build()
}

fn matching(c: &mut Criterion) {
    let mut group = c.benchmark_group("route matching");
    for n in [1usize, 50, 300] {
        let table = table(n);
        let last = n / 3;
        let raw = if n == 1 {
            "/planets".to_owned()
        } else {
            format!("/service{}/items/42", last.saturating_sub(1))
        };
        group.bench_with_input(BenchmarkId::new("normalize + find", n), &raw, |b, raw| {
            b.iter(|| {
                let path = normalize(black_box(raw)).ok();
                path.and_then(|p| table.find(&http::Method::GET, &p).map(|m| *m.value))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, matching);
criterion_main!(benches);
