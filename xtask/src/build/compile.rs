//! Stage 1: compiling the widget for wasm in the size-tuned profile, and splitting the raw wasm
//! at its split points into the main module, the chunks and the link module.

#[allow(unused_imports)]
use super::*;

/// Compiler flags for the shipped widget: std rebuilt so that a panic aborts at once, with no
/// panic messages, source locations or Debug formatting in the wasm (measured: about 22 KB gzip
/// less). These are unstable flags, enabled on the stable toolchain with RUSTC_BOOTSTRAP; they
/// apply to this one build only and change nothing the widget does while it works. LLVM inlines
/// only what is called once (its size threshold 0, where opt-level "z" has 5): 118 bytes gzip
/// less on the first screen, 425 on the whole; below 0 it stops inlining single calls (+8.6 KB).
pub(super) const SIZE_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none --cfg erase_components -Cllvm-args=-inline-threshold=0";
/// Added for the widget: `kept_split` turns the chat into a split point, and the relocations let
/// the splitter move code between modules.
pub(super) const SPLIT_RUSTFLAGS: &str = " --cfg kept_split -Clink-args=--emit-relocs";

/// `cargo build` of one wasm package in the size-tuned profile; the path of its raw wasm.
pub(super) fn compile(root: &Path, package: &str, rustflags: &str) -> Result<PathBuf, String> {
    run::status(
        Command::new("cargo")
            .args(["build", "--lib", "-p", package, "--target", "wasm32-unknown-unknown"])
            .args(["--profile", "wasm-release", "--offline"])
            .current_dir(root)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUSTFLAGS", rustflags)
            .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
            // std's smaller algorithms (sorting, formatting): -0.6 KB gzip on the first screen,
            // -2.3 KB on the chat's chunk.
            .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size"),
    )?;
    Ok(target_dir(root).join("wasm32-unknown-unknown/wasm-release").join(format!("{}.wasm", package.replace('-', "_"))))
}

/// Splits the raw wasm at its split points (`#[wasm_split]`): `main.wasm` for wasm-bindgen, one
/// wasm file per chunk and the link module; returns the chunks' names.
pub(super) fn split(raw: &Path, work: &Path) -> Result<Vec<String>, String> {
    let input = std::fs::read(raw).map_err(|e| format!("{}: {e}", raw.display()))?;
    let main = work.join("main.wasm");
    let link = format!("./{LINK}");
    let glue = format!("./{GLUE}");
    let mut opts = wasm_split_cli_support::Options::new(&input);
    opts.output_dir = work;
    opts.main_out_path = &main;
    opts.link_name = &link;
    opts.main_module = &glue;
    let out = wasm_split_cli_support::transform(opts).map_err(|e| format!("splitting the widget: {e:#}"))?;
    let mut chunks: Vec<String> =
        out.split_modules.iter().filter_map(|p| Some(p.file_name()?.to_str()?.to_owned())).collect();
    chunks.sort();
    Ok(chunks)
}
