//! Stage 3: wasm-opt for size, and the precompressed copies of every shipped file.

#[allow(unused_imports)]
use super::*;

/// wasm-opt for size; `--converge` repeats the passes while they still shrink the module
/// (measured: -0.9 KB gzip on the widget). `--low-memory-unused` lets it fold small constant
/// offsets into loads and stores: Rust puts the 1 MiB stack first, so the lowest kilobyte is
/// reached only by a stack a kilobyte from overflowing (measured: -1.2 KB gzip on the first
/// screen, -1.4 KB on the chat). Tried and declined: `--traps-never-happen` (-1.9 KB more) would
/// turn a panic's clean abort into undefined behaviour; `--gufa` and `-O3` first grew it. The
/// producers and target-features sections are for tools, not browsers.
/// `--one-caller-inline-max-function-size=0`: a function with one caller is no longer inlined
/// into it whatever its size. Inlined, the bodies stop being alike, and gzip finds fewer repeats:
/// without it the first screen's wasm measured 13.8 KB gzip less and the chat's 8.3 KB less
/// (binaryen 132), although it grew 5 % raw (the compile and boot figures in `cargo xtask bench`
/// say what that costs).
pub(super) fn optimise(tools: &Tools, from: &Path, to: &Path) -> Result<(), String> {
    run::status(
        Command::new(tools.wasm_opt_dir.join("wasm-opt"))
            .args(["-Oz", "--converge", "--low-memory-unused", "--strip-producers", "--strip-target-features"])
            .arg("--one-caller-inline-max-function-size=0")
            .arg(from)
            .arg("-o")
            .arg(to),
    )
}

/// Writes `.br` and `.gz` beside each shipped file, at the best settings, so the server (or a
/// CDN) sends them as they are instead of compressing on every request.
pub(super) fn precompress(dist: &Path) -> Result<(), String> {
    for name in shipped(dist)?.all() {
        let path = dist.join(name);
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
