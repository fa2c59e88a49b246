//! Building the release widget with trunk, and the size report with its budget.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::run;
use crate::setup::Tools;

/// The files a shop serves, in load order. The CSS is compiled into the wasm.
pub const SHIPPED: [&str; 3] = ["kept.js", "kept-widget.js", "kept-widget_bg.wasm"];
const BUDGET_FILE: &str = "size-budget.txt";

/// Compiler flags for the shipped widget: std rebuilt so that a panic aborts at once, with no
/// panic messages, source locations or Debug formatting in the wasm (measured: about 22 KB gzip
/// less). These are unstable flags, enabled on the stable toolchain with RUSTC_BOOTSTRAP; they
/// apply to this one build only and change nothing the widget does while it works.
const SIZE_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none --cfg erase_components";

/// Builds `dist/` in release mode and prints the size report; Err when the budget is exceeded.
pub fn widget(root: &Path, tools: &Tools) -> Result<u64, String> {
    run::status(
        Command::new("trunk")
            .args(["build", "--release", "--offline"])
            .current_dir(root)
            .env("PATH", tools.path_var())
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUSTFLAGS", SIZE_RUSTFLAGS)
            .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort"),
    )?;
    precompress(root)?;
    size_report(root)
}

/// Writes `.br` and `.gz` beside each shipped file, at the best settings, so the server (or a
/// CDN) sends them as they are instead of compressing on every request.
fn precompress(root: &Path) -> Result<(), String> {
    for name in SHIPPED {
        let path = root.join("dist").join(name);
        let bytes = std::fs::read(&path).map_err(|e| format!("dist/{name}: {e}"))?;
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&bytes).map_err(|e| e.to_string())?;
        let gz = gz.finish().map_err(|e| e.to_string())?;
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
        brotli::BrotliCompress(&mut &bytes[..], &mut br, &params).map_err(|e| e.to_string())?;
        std::fs::write(path.with_file_name(format!("{name}.gz")), gz).map_err(|e| e.to_string())?;
        std::fs::write(path.with_file_name(format!("{name}.br")), br).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Builds the operator console into `dist/operator/` (after the widget: trunk replaces `dist/`).
/// It is the shop's own tool, so it has no byte budget and uses the ordinary release profile.
pub fn console(root: &Path, tools: &Tools) -> Result<(), String> {
    run::status(
        Command::new("trunk")
            .args(["build", "--release", "--offline"])
            .current_dir(root.join("operator"))
            .env("PATH", tools.path_var()),
    )
}

/// Prints raw and gzip sizes of each shipped file and checks the total against the budget.
pub fn size_report(root: &Path) -> Result<u64, String> {
    let dist = root.join("dist");
    println!("{:<24} {:>10} {:>10}", "file", "raw", "gzip");
    let (mut raw_total, mut gz_total) = (0u64, 0u64);
    for name in SHIPPED {
        let bytes = std::fs::read(dist.join(name)).map_err(|e| format!("dist/{name}: {e}"))?;
        let gz = gzip_len(&bytes);
        println!("{:<24} {:>10} {:>10}", name, bytes.len(), gz);
        raw_total += bytes.len() as u64;
        gz_total += gz;
    }
    println!("{:<24} {:>10} {:>10}", "total", raw_total, gz_total);
    if let Ok(css) = std::fs::read(root.join("style/kept.css")) {
        println!("(style/kept.css is inside the wasm: {} raw, {} gzip on its own)", css.len(), gzip_len(&css));
    }
    let budget = budget(root)?;
    if gz_total > budget {
        return Err(format!("the widget is {gz_total} bytes gzip, over the budget of {budget} in {BUDGET_FILE}"));
    }
    println!("size budget: {gz_total} of {budget} bytes gzip");
    Ok(gz_total)
}

/// gzip size at the best compression, as a CDN would serve it.
pub fn gzip_len(bytes: &[u8]) -> u64 {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().map(|v| v.len() as u64).unwrap_or(u64::MAX)
}

fn budget(root: &Path) -> Result<u64, String> {
    let text = std::fs::read_to_string(root.join(BUDGET_FILE)).map_err(|e| format!("{BUDGET_FILE}: {e}"))?;
    parse_budget(&text).ok_or_else(|| format!("{BUDGET_FILE} must hold the budget in gzip bytes on a line of its own"))
}

fn parse_budget(text: &str) -> Option<u64> {
    text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_the_first_line_that_is_not_a_comment() {
        assert_eq!(parse_budget("# why\n\n81920\n"), Some(81920));
        assert_eq!(parse_budget("# only a comment\n"), None);
    }

    #[test]
    fn gzip_shrinks_repetitive_bytes() {
        assert!(gzip_len(&[b'a'; 10_000]) < 100);
    }
}
