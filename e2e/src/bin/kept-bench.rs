//! Runs the benchmarks (see `kept_e2e::bench`); `cargo xtask bench` sets it up and calls it.

use std::path::PathBuf;

fn main() {
    // `kept-bench scale`: only the server at scale (engines, instances, fan-out), as JSON and as
    // the table's rows.
    if std::env::args().nth(1).as_deref() == Some("scale") {
        let report = kept_e2e::scale::run();
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
        println!("{}", kept_e2e::scale::rows(&report));
        return;
    }
    let out = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target/bench"));
    let dist = PathBuf::from(std::env::var("KEPT_DIST").expect("KEPT_DIST is set by `cargo xtask bench`"));
    let peer_name = std::env::var("KEPT_PEER_NAME").unwrap_or_else(|_| "peer".to_owned());
    let report = kept_e2e::bench::run(&dist, &kept_e2e::bench::peer_dir(), &peer_name, &out);
    println!("{}", kept_e2e::bench::markdown(&report));
    println!("(took {} s; JSON and markdown in {})", report.seconds, out.display());
}
