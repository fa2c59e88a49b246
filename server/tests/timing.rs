//! Defect 13 of the hostile review: an existing order answered a wrong token measurably slower
//! than a missing order (about 2.3 times as long), which told an attacker which ids exist. Its
//! own test binary, so no other test loads the machine while it measures; rounds interleaved,
//! and the 10th percentile of each kind compared: the cost of the work itself, which noise only
//! ever adds to.

mod common;

use common::*;

#[tokio::test]
async fn a_wrong_token_and_a_missing_order_take_the_same_time() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (mut existing, mut missing) = (Vec::with_capacity(2000), Vec::with_capacity(2000));
    let conn = &mut s.pool.acquire().await.unwrap();
    for round in 0..4000 {
        let (id, into) = if round % 2 == 0 { ("KC-1001", &mut existing) } else { ("KC-9999", &mut missing) };
        let t = std::time::Instant::now();
        let answer = kept_server::store::orders::authorize(conn, id, "wrong-token").await;
        into.push(t.elapsed().as_nanos() as f64);
        assert!(matches!(answer, Err(kept_server::ApiError::NotFound(_))));
    }
    let (e, m) = (p10(&mut existing), p10(&mut missing));
    println!("10th percentiles: wrong token {e:.0} ns, missing order {m:.0} ns");
    assert!(e.max(m) / e.min(m) < 1.5, "wrong token {e:.0} ns vs missing order {m:.0} ns");
}

fn p10(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 10]
}
