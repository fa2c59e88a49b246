//! Building the release widget with trunk, and the size report with its budget.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::run;
use crate::setup::Tools;

/// The files a shop serves, in load order, as trunk names them. The CSS is compiled into the wasm.
/// The build then gives the last two content-hashed names (see [`content_hash`]).
const GLUE: &str = "kept-widget.js";
const WASM: &str = "kept-widget_bg.wasm";
const LOADER: &str = "kept.js";
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
    content_hash(root)?;
    precompress(root)?;
    size_report(root)
}

/// `name-<first 16 hex digits of its SHA-256>.ext`
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(bytes).iter().take(8).map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}-{hash}.{ext}"),
        None => format!("{name}-{hash}"),
    }
}

/// Renames the wasm and its glue after their content (so they can be cached for good) and
/// writes the new names where they are loaded from: the glue, the loader and the demo page.
fn content_hash(root: &Path) -> Result<(), String> {
    let dist = root.join("dist");
    let read = |name: &str| std::fs::read(dist.join(name)).map_err(|e| format!("dist/{name}: {e}"));
    let write =
        |name: &str, bytes: &[u8]| std::fs::write(dist.join(name), bytes).map_err(|e| format!("dist/{name}: {e}"));
    let wasm = read(WASM)?;
    let wasm_name = hashed_name(WASM, &wasm);
    let glue = String::from_utf8(read(GLUE)?).map_err(|e| e.to_string())?.replace(WASM, &wasm_name);
    let glue_name = hashed_name(GLUE, glue.as_bytes());
    write(&wasm_name, &wasm)?;
    write(&glue_name, glue.as_bytes())?;
    for old in [WASM, GLUE] {
        std::fs::remove_file(dist.join(old)).map_err(|e| format!("dist/{old}: {e}"))?;
    }
    for page in [LOADER, "index.html"] {
        let mut text = String::from_utf8(read(page)?).map_err(|e| e.to_string())?;
        if page == LOADER {
            text = without_comment_lines(&text);
        }
        let text = text.replace(&format!("./{GLUE}"), &format!("./{glue_name}")).replace(WASM, &wasm_name);
        let text = text.replace(&format!("\"{GLUE}\""), &format!("\"{glue_name}\""));
        write(page, text.as_bytes())?;
    }
    Ok(())
}

/// The loader as shipped: its lines that are only a comment left out (they are for its readers
/// in `src/kept.js`, not for every customer's download).
fn without_comment_lines(js: &str) -> String {
    js.lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with("//") || (t.starts_with("/*") && t.ends_with("*/")))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The shipped files in `dist`, in load order: the loader, then the glue and the wasm under
/// their content-hashed names.
pub fn shipped(dist: &Path) -> Result<Vec<String>, String> {
    let mut found = vec![LOADER.to_owned()];
    for name in [GLUE, WASM] {
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        let mut matches: Vec<String> = std::fs::read_dir(dist)
            .map_err(|e| format!("{}: {e}", dist.display()))?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|f| f.starts_with(&format!("{stem}-")) && f.ends_with(&format!(".{ext}")))
            .collect();
        match matches.len() {
            1 => found.append(&mut matches),
            n => return Err(format!("dist/ holds {n} files named {stem}-<hash>.{ext}, not one")),
        }
    }
    Ok(found)
}

/// Writes `.br` and `.gz` beside each shipped file, at the best settings, so the server (or a
/// CDN) sends them as they are instead of compressing on every request.
fn precompress(root: &Path) -> Result<(), String> {
    for name in shipped(&root.join("dist"))? {
        let name = name.as_str();
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
    for name in shipped(&dist)? {
        let bytes = std::fs::read(dist.join(&name)).map_err(|e| format!("dist/{name}: {e}"))?;
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
    fn a_hashed_name_changes_with_the_content_and_keeps_the_extension() {
        let a = hashed_name("kept-widget_bg.wasm", b"one");
        assert!(
            a.starts_with("kept-widget_bg-") && a.ends_with(".wasm") && a.len() == "kept-widget_bg-.wasm".len() + 16
        );
        assert_ne!(a, hashed_name("kept-widget_bg.wasm", b"two"));
        assert_eq!(a, hashed_name("kept-widget_bg.wasm", b"one"));
    }

    #[test]
    fn the_loader_ships_without_its_comment_lines() {
        let js = "// one\nconst a = 1; // stays\n  /** doc */\n  f();\n/* x */\n";
        assert_eq!(without_comment_lines(js), "const a = 1; // stays\n  f();\n");
    }

    #[test]
    fn gzip_shrinks_repetitive_bytes() {
        assert!(gzip_len(&[b'a'; 10_000]) < 100);
    }
}
