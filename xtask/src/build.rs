//! Building the release widget (split into its first screen and lazily loaded chunks), and
//! the size report with its two budgets.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::run;
use crate::setup::Tools;

/// The files a shop serves, as wasm-bindgen and the splitter name them before the build gives
/// them content-hashed names (see [`content_hash`]).
const GLUE: &str = "kept-widget.js";
const WASM: &str = "kept-widget_bg.wasm";
/// The module that fetches and links the chunks; the glue imports it.
const LINK: &str = "kept-chunks.js";
const LOADER: &str = "kept.js";
/// The notice an unsupported browser gets in the widget's place; only such a browser fetches it.
const NOTICE: &str = "kept-notice.js";
/// What the build shipped, one file a line: `first <name>` for the first screen (in load order),
/// `later <name>` for the chunks, `text <tag> <step> <chat>` for each locale's two catalog files
/// (a customer fetches one locale's: the step's with the first screen, the chat's with the
/// chat). Tests, the size report and the benchmark read it.
pub const MANIFEST: &str = "kept-files.txt";
const BUDGET_FILE: &str = "size-budget.txt";

/// Compiler flags for the shipped widget: std rebuilt so that a panic aborts at once, with no
/// panic messages, source locations or Debug formatting in the wasm (measured: about 22 KB gzip
/// less). These are unstable flags, enabled on the stable toolchain with RUSTC_BOOTSTRAP; they
/// apply to this one build only and change nothing the widget does while it works. LLVM inlines
/// only what is called once (its size threshold 0, where opt-level "z" has 5): 118 bytes gzip
/// less on the first screen, 425 on the whole; below 0 it stops inlining single calls (+8.6 KB).
const SIZE_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none --cfg erase_components -Cllvm-args=-inline-threshold=0";
/// Added for the widget: `kept_split` turns the chat into a split point, and the relocations let
/// the splitter move code between modules.
const SPLIT_RUSTFLAGS: &str = " --cfg kept_split -Clink-args=--emit-relocs";

/// `cargo build` of one wasm package in the size-tuned profile; the path of its raw wasm.
fn compile(root: &Path, package: &str, rustflags: &str) -> Result<PathBuf, String> {
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

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// wasm-bindgen's web target for `input`, as `<out_name>.js` and `<out_name>_bg.wasm` in `out`.
fn bindgen(input: &Path, out: &Path, out_name: &str, extra: &[&str]) -> Result<(), String> {
    run::status(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript"])
            .args(extra)
            .args(["--out-name", out_name, "--out-dir"])
            .arg(out)
            .arg(input),
    )
}

/// wasm-opt for size; `--converge` repeats the passes while they still shrink the module
/// (measured: -0.9 KB gzip on the widget). `--low-memory-unused` lets it fold small constant
/// offsets into loads and stores: Rust puts the 1 MiB stack first, so the lowest kilobyte is
/// reached only by a stack a kilobyte from overflowing (measured: -1.2 KB gzip on the first
/// screen, -1.4 KB on the chat). Tried and declined: `--traps-never-happen` (-1.9 KB more) would
/// turn a panic's clean abort into undefined behaviour; `--gufa` and `-O3` first grew it. The
/// producers and target-features sections are for tools, not browsers.
fn optimise(tools: &Tools, from: &Path, to: &Path) -> Result<(), String> {
    run::status(
        Command::new(tools.wasm_opt_dir.join("wasm-opt"))
            .args(["-Oz", "--converge", "--low-memory-unused", "--strip-producers", "--strip-target-features"])
            .arg(from)
            .arg("-o")
            .arg(to),
    )
}

fn fresh_dir(dir: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

/// Builds `dist/` in release mode and prints the size report; Err when a budget is exceeded.
pub fn widget(root: &Path, tools: &Tools) -> Result<Sizes, String> {
    let raw = compile(root, "kept-widget", &format!("{SIZE_RUSTFLAGS}{SPLIT_RUSTFLAGS}"))?;
    let work = target_dir(root).join("widget");
    let dist = root.join("dist");
    fresh_dir(&work)?;
    fresh_dir(&dist)?;
    let chunks = split(&raw, &work)?;
    bindgen(&work.join("main.wasm"), &work, "kept-widget", &["--keep-lld-exports", "--no-demangle"])?;
    drop_unused_classes(&work.join(WASM), &work.join(GLUE))?;
    shorten_names(&work.join(WASM), &work.join(GLUE))?;
    optimise(tools, &work.join(WASM), &dist.join(WASM))?;
    for chunk in &chunks {
        optimise(tools, &work.join(chunk), &dist.join(chunk))?;
    }
    let copy = |from: PathBuf, name: &str| {
        std::fs::copy(&from, dist.join(name)).map(|_| ()).map_err(|e| format!("{}: {e}", from.display()))
    };
    copy(work.join(GLUE), GLUE)?;
    copy(work.join(LINK), LINK)?;
    copy(root.join("src").join(LOADER), LOADER)?;
    let notice = std::fs::read_to_string(root.join("src").join(NOTICE)).map_err(|e| format!("src/{NOTICE}: {e}"))?;
    let notice = shipped_js(&notice).map_err(|e| format!("{NOTICE}: {e}"))?;
    std::fs::write(dist.join(NOTICE), notice).map_err(|e| format!("dist/{NOTICE}: {e}"))?;
    copy(root.join("index.html"), "index.html")?;
    copy(root.join("style/demo.css"), "demo.css")?;
    let texts = catalogs(root, &dist)?;
    content_hash(&dist, &chunks, &texts)?;
    precompress(&dist)?;
    size_report(root)
}

/// JS classes Leptos's server functions bring for streaming (wasm-streams' `IntoUnderlying*`),
/// which a client-side widget never constructs; their wasm exports would keep their code alive.
const UNUSED_CLASSES: [&str; 3] = ["IntoUnderlyingByteSource", "IntoUnderlyingSink", "IntoUnderlyingSource"];

/// Removes [`UNUSED_CLASSES`] from the wasm's exports (wasm-opt then drops their code) and from
/// the glue; Err when wasm-bindgen's output no longer has the expected shape.
fn drop_unused_classes(wasm: &Path, glue: &Path) -> Result<(), String> {
    let bytes = std::fs::read(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let mut module = walrus::Module::from_buffer(&bytes).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let lower: Vec<String> = UNUSED_CLASSES.iter().map(|c| c.to_lowercase()).collect();
    let unused =
        |name: &str| lower.iter().any(|c| name.starts_with(c.as_str()) || name.starts_with(&format!("__wbg_{c}_")));
    let doomed: Vec<_> = module.exports.iter().filter(|e| unused(&e.name)).map(|e| e.id()).collect();
    for id in doomed {
        module.exports.delete(id);
    }
    stub_streams_in_table(&mut module);
    std::fs::write(wasm, module.emit_wasm()).map_err(|e| format!("{}: {e}", wasm.display()))?;

    let text = std::fs::read_to_string(glue).map_err(|e| format!("{}: {e}", glue.display()))?;
    let mut kept = String::with_capacity(text.len());
    let mut skipping: Option<&str> = None;
    for line in text.lines() {
        if let Some(end) = skipping {
            if (end == "}" && line == "}") || (end == ");" && line.ends_with(");")) {
                skipping = None;
            }
            continue;
        }
        let class = UNUSED_CLASSES.iter().find(|c| line.contains(*c));
        match class {
            Some(c) if line.starts_with(&format!("export class {c} ")) => skipping = Some("}"),
            Some(c) if line.starts_with(&format!("const {c}Finalization = ")) => skipping = Some(");"),
            Some(c) if line.starts_with(&format!("if (Symbol.dispose) {c}.prototype")) => {}
            _ => {
                kept.push_str(line);
                kept.push('\n');
            }
        }
    }
    if UNUSED_CLASSES.iter().any(|c| kept.contains(c)) || skipping.is_some() {
        return Err(format!("{}: the unused classes are no longer where the build expects them", glue.display()));
    }
    std::fs::write(glue, kept).map_err(|e| format!("{}: {e}", glue.display()))
}

/// Points the function table's entries for wasm-streams' code (the futures behind the classes
/// dropped above, whose vtables sit in the data) at a trap of the same type, so that wasm-opt can
/// drop that code. Nothing can reach it: the classes that start it are gone. Chosen by mangled
/// name: a path into the crate (`12wasm_streams8readable…`), not a generic merely instantiated
/// there (`…_12wasm_streams` at the end names, say, `JsFuture::from`'s closure, which everything
/// uses); drop glue is left alone, as identical functions are merged under one of their names.
fn stub_streams_in_table(module: &mut walrus::Module) {
    let streams = |module: &walrus::Module, f: walrus::FunctionId| {
        module
            .funcs
            .get(f)
            .name
            .as_deref()
            .is_some_and(|n| n.contains("12wasm_streams8") && !n.contains("drop_in_place"))
    };
    let mut stubs: Vec<(walrus::TypeId, walrus::FunctionId)> = Vec::new();
    let segments: Vec<_> = module.elements.iter().map(|e| e.id()).collect();
    for segment in segments {
        let walrus::ElementItems::Functions(funcs) = &module.elements.get(segment).items else {
            continue;
        };
        let mut funcs = funcs.clone();
        let doomed: Vec<usize> = (0..funcs.len()).filter(|i| streams(module, funcs[*i])).collect();
        for i in doomed {
            let ty = module.funcs.get(funcs[i]).ty();
            let stub = match stubs.iter().find(|(t, _)| *t == ty) {
                Some((_, stub)) => *stub,
                None => {
                    let (params, results) = {
                        let t = module.types.get(ty);
                        (t.params().to_vec(), t.results().to_vec())
                    };
                    let mut builder = walrus::FunctionBuilder::new(&mut module.types, &params, &results);
                    builder.func_body().unreachable();
                    let args = params.iter().map(|p| module.locals.add(*p)).collect();
                    let stub = builder.finish(args, &mut module.funcs);
                    stubs.push((ty, stub));
                    stub
                }
            };
            funcs[i] = stub;
        }
        module.elements.get_mut(segment).items = walrus::ElementItems::Functions(funcs);
    }
}

/// The module name wasm-bindgen gives the glue's functions in the wasm's imports.
const GLUE_MODULE: &str = "./kept-widget_bg.js";

/// Renames the wasm's imports from the glue, in the wasm and in the glue's import object, to one
/// or two letters (`a`, `b`, … `aB`): wasm-bindgen names each after its JS function and a hash,
/// such as `__wbg_addEventListener_847fd86b8c33ec43`, and the hashes' hex digits are written
/// twice and do not compress (measured: -3.2 KB gzip); and the closures' exports to `_0`, `_1`,
/// … (-0.4 KB). Err when the glue no longer has the shape the build expects (each import a key
/// of its own line of the import object, each export named in it).
fn shorten_names(wasm: &Path, glue: &Path) -> Result<(), String> {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let short = |i: usize| -> String {
        let n = LETTERS.len();
        let mut name = String::new();
        if i >= n {
            name.push(LETTERS[i / n - 1] as char);
        }
        name.push(LETTERS[i % n] as char);
        name
    };
    let bytes = std::fs::read(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let mut module = walrus::Module::from_buffer(&bytes).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let mut text = std::fs::read_to_string(glue).map_err(|e| format!("{}: {e}", glue.display()))?;
    let ours = module.imports.iter().filter(|i| i.module == GLUE_MODULE).count();
    if ours > LETTERS.len() * (LETTERS.len() + 1) {
        return Err(format!("{ours} imports: more than two letters can name"));
    }
    for (i, import) in module.imports.iter_mut().filter(|i| i.module == GLUE_MODULE).enumerate() {
        let key = |name: &str| format!("\n        {name}: ");
        let old = key(&import.name);
        if text.matches(&old).count() != 1 {
            return Err(format!("{}: the import {} is not one key of the import object", glue.display(), import.name));
        }
        let name = short(i);
        text = text.replacen(&old, &key(&name), 1);
        import.name = name;
    }
    // The closures' entry points keep their mangled Rust names (`_RINvNvNtNt…`, ~150 characters)
    // as exports, which the glue calls and names its own wrappers after: `_0`, `_1`, … in both.
    let mut mangled: Vec<_> = module.exports.iter_mut().filter(|e| e.name.starts_with("_R")).collect();
    // Longest first: one name can be the start of another.
    mangled.sort_by_key(|e| std::cmp::Reverse(e.name.len()));
    for (i, export) in mangled.into_iter().enumerate() {
        let name = format!("_{i}");
        text = replace_word(&text, &export.name, &name)
            .ok_or_else(|| format!("{}: the glue never names the export {}", glue.display(), export.name))?;
        export.name = name;
    }
    std::fs::write(wasm, module.emit_wasm()).map_err(|e| format!("{}: {e}", wasm.display()))?;
    std::fs::write(glue, text).map_err(|e| format!("{}: {e}", glue.display()))
}

/// `text` with every whole-word `word` (not inside a longer identifier) replaced by `by`; None
/// when there is none.
fn replace_word(text: &str, word: &str, by: &str) -> Option<String> {
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut found = false;
    while let Some(at) = rest.find(word) {
        out.push_str(&rest[..at]);
        let whole = !ident(out.chars().next_back()) && !ident(rest[at + word.len()..].chars().next());
        out.push_str(if whole { by } else { word });
        found |= whole;
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    found.then_some(out)
}

/// The benchmark's floor, a bare Leptos counter (`e2e/floor`), built with the widget's flags
/// into `target/bench-floor/` as `kept_floor.js` and `kept_floor_bg.wasm`; returns the folder.
pub fn floor(root: &Path, tools: &Tools) -> Result<PathBuf, String> {
    let raw = compile(root, "kept-floor", SIZE_RUSTFLAGS)?;
    let work = target_dir(root).join("bench-floor-work");
    let out = target_dir(root).join("bench-floor");
    fresh_dir(&work)?;
    fresh_dir(&out)?;
    bindgen(&raw, &work, "kept_floor", &[])?;
    optimise(tools, &work.join("kept_floor_bg.wasm"), &out.join("kept_floor_bg.wasm"))?;
    std::fs::copy(work.join("kept_floor.js"), out.join("kept_floor.js")).map_err(|e| format!("kept_floor.js: {e}"))?;
    Ok(out)
}

/// Splits the raw wasm at its split points (`#[wasm_split]`): `main.wasm` for wasm-bindgen, one
/// wasm file per chunk and the link module; returns the chunks' names.
fn split(raw: &Path, work: &Path) -> Result<Vec<String>, String> {
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

/// `name-<first 16 hex digits of the SHA-256 of bytes>.ext`
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(bytes).iter().take(8).map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}-{hash}.{ext}"),
        None => format!("{name}-{hash}"),
    }
}

/// Renames every file the loader pulls in after its content (so they can be cached for good) and
/// writes the new names where they are loaded from, then the manifest. The glue and the link
/// module import each other, so they share one hash: that of both together.
fn content_hash(dist: &Path, chunks: &[String], texts: &[Texts]) -> Result<(), String> {
    let read = |name: &str| std::fs::read(dist.join(name)).map_err(|e| format!("dist/{name}: {e}"));
    let read_text = |name: &str| String::from_utf8(read(name)?).map_err(|e| format!("dist/{name}: {e}"));
    let rename =
        |from: &str, to: &str| std::fs::rename(dist.join(from), dist.join(to)).map_err(|e| format!("dist/{from}: {e}"));
    let write = |name: &str, text: &str| std::fs::write(dist.join(name), text).map_err(|e| format!("dist/{name}: {e}"));

    let mut link = read_text(LINK)?;
    let mut later = Vec::new();
    // (name before hashing, as the loader may name it; shipped name)
    let mut renamed = Vec::new();
    for chunk in chunks {
        // `split_chat.wasm` ships as `kept-chat-<hash>.wasm`.
        let plain = format!("kept-{}", chunk.trim_start_matches("split_"));
        let named = hashed_name(&plain, &read(chunk)?);
        rename(chunk, &named)?;
        link = link.replace(&format!("\"./{chunk}\""), &format!("\"./{named}\""));
        renamed.push((plain, named.clone()));
        later.push(named);
    }
    let wasm_name = hashed_name(WASM, &read(WASM)?);
    rename(WASM, &wasm_name)?;
    let glue = read_text(GLUE)?.replace(WASM, &wasm_name);
    let pair = hashed_name("", format!("{glue}{link}").as_bytes());
    let glue_name = format!("{}{pair}.js", GLUE.trim_end_matches(".js"));
    let link_name = format!("{}{pair}.js", LINK.trim_end_matches(".js"));
    // Only the import statements: the wasm names its import module "./kept-chunks.js" too.
    let glue = glue.replace(&format!("from \"./{LINK}\""), &format!("from \"./{link_name}\""));
    let link = link.replace(&format!("from \"./{GLUE}\""), &format!("from \"./{glue_name}\""));
    if !glue.contains(&link_name) || !link.contains(&glue_name) {
        return Err(format!("{GLUE} and {LINK} no longer import each other the way the build expects"));
    }
    write(&glue_name, &shipped_js(&glue).map_err(|e| format!("{GLUE}: {e}"))?)?;
    write(&link_name, &shipped_js(&link).map_err(|e| format!("{LINK}: {e}"))?)?;
    for old in [GLUE, LINK] {
        std::fs::remove_file(dist.join(old)).map_err(|e| format!("dist/{old}: {e}"))?;
    }
    for page in [LOADER, "index.html"] {
        let mut text = read_text(page)?;
        if page == LOADER {
            text = shipped_js(&text).map_err(|e| format!("{LOADER}: {e}"))?;
        }
        let mut text = text
            .replace(&format!("./{GLUE}"), &format!("./{glue_name}"))
            .replace(&format!("./{LINK}"), &format!("./{link_name}"))
            .replace(WASM, &wasm_name);
        for (plain, named) in &renamed {
            text = text.replace(&format!("'{plain}'"), &format!("'{named}'"));
        }
        if page == LOADER && text.contains("'kept-chat.wasm'") {
            return Err(format!("{LOADER} prefetches kept-chat.wasm, but the build made no chat chunk"));
        }
        if page == LOADER {
            text = with_catalog_names(&text, texts)?;
        }
        write(page, &text)?;
    }
    let first = [LOADER, &glue_name, &link_name, &wasm_name];
    let mut manifest: String = first.iter().map(|n| format!("first {n}\n")).collect();
    manifest.extend(later.iter().map(|n| format!("later {n}\n")));
    manifest.extend(texts.iter().map(|t| format!("text {} {} {}\n", t.tag, t.step, t.chat)));
    manifest.push_str(&format!("fallback {NOTICE}\n"));
    write(MANIFEST, &manifest)
}

/// One locale's two catalog files, as shipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Texts {
    pub tag: String,
    pub step: String,
    pub chat: String,
}

/// The keys only the chat shows (the widget's `i18n::Part::of` says the same).
const CHAT_KEYS: [&str; 4] = ["chat.", "promise.", "status.", "resolution."];

/// Where the catalogs live in the repository (kept-protocol owns them; the server and the
/// console carry them inside).
const CATALOGS: &str = "protocol/locales";

/// Ships each catalog as two content-hashed files: the step's texts (fetched with the first
/// screen) and the chat's (`chat.`/`promise.` keys, fetched with the chat's code).
fn catalogs(root: &Path, dist: &Path) -> Result<Vec<Texts>, String> {
    let dir = root.join(CATALOGS);
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{CATALOGS}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let mut texts = Vec::new();
    for path in names {
        let tag = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let all: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let (chat, step): (serde_json::Map<_, _>, serde_json::Map<_, _>) =
            all.into_iter().partition(|(k, _)| CHAT_KEYS.iter().any(|p| k.starts_with(p)));
        let ship = |stem: String, part: serde_json::Map<String, serde_json::Value>| -> Result<String, String> {
            let json = serde_json::to_string(&part).map_err(|e| e.to_string())?;
            let name = hashed_name(&format!("{stem}.json"), json.as_bytes());
            std::fs::write(dist.join(&name), json).map_err(|e| format!("dist/{name}: {e}"))?;
            Ok(name)
        };
        let step = ship(format!("kept-{tag}"), step)?;
        let chat = ship(format!("kept-chat-{tag}"), chat)?;
        texts.push(Texts { tag, step, chat });
    }
    if texts.is_empty() {
        return Err(format!("{CATALOGS} has no catalogs"));
    }
    Ok(texts)
}

/// The loader with the catalogs' shipped names written where it looks them up.
fn with_catalog_names(loader: &str, texts: &[Texts]) -> Result<String, String> {
    const PLACE: &str = "/*catalogs*/{}";
    if !loader.contains(PLACE) {
        return Err(format!("{LOADER} has no {PLACE} for the catalogs' names"));
    }
    let names: Vec<String> =
        texts.iter().map(|t| format!("\"{}\":\"{}\",\"chat-{}\":\"{}\"", t.tag, t.step, t.tag, t.chat)).collect();
    Ok(loader.replace(PLACE, &format!("{{{}}}", names.join(","))))
}

/// JS as shipped: lines that are only a comment (or inside a `/* … */` block that starts a
/// line), blank lines and indentation left out; they are for readers of the source, not for
/// every customer's download. Safe for the loader, the glue and the link module, which have no
/// template literal over several lines (the build checks).
fn shipped_js(js: &str) -> Result<String, String> {
    if js.lines().any(|l| l.matches('`').count() % 2 == 1) {
        return Err("a template literal spans lines: its indentation would change".into());
    }
    let mut out = String::with_capacity(js.len());
    let mut in_block = false;
    for line in js.lines().map(str::trim) {
        if in_block || line.starts_with("/*") {
            in_block = !line.ends_with("*/");
        } else if !line.is_empty() && !line.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// The shipped files in `dist`, from the build's manifest.
#[derive(Clone, Debug, Default)]
pub struct Shipped {
    /// The first screen's code, in load order.
    pub first: Vec<String>,
    /// The chunks loaded after it.
    pub later: Vec<String>,
    /// Each locale's catalog files.
    pub texts: Vec<Texts>,
    /// What only a browser the widget cannot run in fetches (the notice in its place).
    pub fallback: Vec<String>,
}

impl Shipped {
    /// Every shipped file.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        let texts = self.texts.iter().flat_map(|t| [t.step.as_str(), t.chat.as_str()]);
        self.first
            .iter()
            .chain(&self.later)
            .map(String::as_str)
            .chain(texts)
            .chain(self.fallback.iter().map(String::as_str))
    }
}

/// Reads the build's manifest in `dist`.
pub fn shipped(dist: &Path) -> Result<Shipped, String> {
    let text = std::fs::read_to_string(dist.join(MANIFEST)).map_err(|e| format!("dist/{MANIFEST}: {e}"))?;
    let mut shipped = Shipped::default();
    for line in text.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        match words[..] {
            ["first", name] => shipped.first.push(name.to_owned()),
            ["later", name] => shipped.later.push(name.to_owned()),
            ["fallback", name] => shipped.fallback.push(name.to_owned()),
            ["text", tag, step, chat] => {
                shipped.texts.push(Texts { tag: tag.to_owned(), step: step.to_owned(), chat: chat.to_owned() })
            }
            _ => return Err(format!("dist/{MANIFEST}: unreadable line {line:?}")),
        }
    }
    Ok(shipped)
}

/// Writes `.br` and `.gz` beside each shipped file, at the best settings, so the server (or a
/// CDN) sends them as they are instead of compressing on every request.
fn precompress(dist: &Path) -> Result<(), String> {
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

/// Gzip bytes of the first screen (everything fetched before the step is usable) and of the whole
/// widget (every chunk included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    pub first_screen: u64,
    pub whole: u64,
}

/// Prints raw and gzip sizes of each shipped file and checks both totals against their budgets.
pub fn size_report(root: &Path) -> Result<Sizes, String> {
    let dist = root.join("dist");
    let shipped = shipped(&dist)?;
    println!("{:<40} {:>10} {:>10}", "file", "raw", "gzip");
    let size = |name: &str| -> Result<(usize, u64), String> {
        let bytes = std::fs::read(dist.join(name)).map_err(|e| format!("dist/{name}: {e}"))?;
        let gz = gzip_len(&bytes);
        println!("{:<40} {:>10} {:>10}", name, bytes.len(), gz);
        Ok((bytes.len(), gz))
    };
    let (mut raw_code, mut gz_code, mut gz_later) = (0, 0, 0);
    for name in &shipped.first {
        let (raw, gz) = size(name)?;
        raw_code += raw;
        gz_code += gz;
    }
    for name in &shipped.later {
        gz_later += size(name)?.1;
    }
    // A customer fetches one locale's texts: the budgets hold for the largest.
    let (mut step_max, mut both_max) = ((0, 0), 0);
    for t in &shipped.texts {
        let step = size(&t.step)?;
        let chat = size(&t.chat)?.1;
        if step.1 > step_max.1 {
            step_max = step;
        }
        both_max = both_max.max(step.1 + chat);
    }
    let sizes = Sizes { first_screen: gz_code + step_max.1, whole: gz_code + gz_later + both_max };
    for name in &shipped.fallback {
        size(name)?;
        println!("({name}: only a browser the widget cannot run in fetches it; in neither total)");
    }
    println!("{:<40} {:>10} {:>10}", "first screen (largest locale)", raw_code + step_max.0, sizes.first_screen);
    println!("{:<40} {:>10} {:>10}", "whole (every chunk, largest locale)", "", sizes.whole);
    if let Ok(css) = std::fs::read(root.join("style/kept.css")) {
        println!("(style/kept.css is inside the wasm: {} raw, {} gzip on its own)", css.len(), gzip_len(&css));
    }
    let budget = budget(root)?;
    let mut over = Vec::new();
    for (what, measured, allowed) in
        [("first screen", sizes.first_screen, budget.first_screen), ("whole widget", sizes.whole, budget.whole)]
    {
        if measured > allowed {
            over.push(format!("the {what} is {measured} bytes gzip, over the budget of {allowed} in {BUDGET_FILE}"));
        } else {
            println!("size budget, {what}: {measured} of {allowed} bytes gzip");
        }
    }
    if over.is_empty() {
        Ok(sizes)
    } else {
        Err(over.join("; "))
    }
}

/// gzip size at the best compression, as a CDN would serve it.
pub fn gzip_len(bytes: &[u8]) -> u64 {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().map(|v| v.len() as u64).unwrap_or(u64::MAX)
}

fn budget(root: &Path) -> Result<Sizes, String> {
    let text = std::fs::read_to_string(root.join(BUDGET_FILE)).map_err(|e| format!("{BUDGET_FILE}: {e}"))?;
    parse_budget(&text).ok_or_else(|| {
        format!("{BUDGET_FILE} must hold `first-screen <bytes>` and `whole <bytes>` (gzip), each on a line of its own")
    })
}

fn parse_budget(text: &str) -> Option<Sizes> {
    let lines = || text.lines().map(str::trim).filter(|l| !l.starts_with('#'));
    let find = |key: &str| lines().find_map(|l| l.strip_prefix(key)?.trim().parse().ok());
    Some(Sizes { first_screen: find("first-screen ")?, whole: find("whole ")? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budgets_are_read_by_name_and_comments_do_not_count() {
        let text = "# first-screen 1\n\nfirst-screen 122880\nwhole 245760\n";
        assert_eq!(parse_budget(text), Some(Sizes { first_screen: 122_880, whole: 245_760 }));
        assert_eq!(parse_budget("# only a comment\nwhole 5\n"), None);
    }

    #[test]
    fn a_shortened_name_replaces_only_whole_words() {
        let glue = "function _Rab(a) { wasm._Rab(a); } makeClosure(a, _Rab_20); x_Rab; _Rab";
        assert_eq!(
            replace_word(glue, "_Rab", "_0").as_deref(),
            Some("function _0(a) { wasm._0(a); } makeClosure(a, _Rab_20); x_Rab; _0")
        );
        assert_eq!(replace_word("nothing here", "_Rab", "_0"), None);
        assert_eq!(replace_word("only _Rab_2", "_Rab", "_0"), None);
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
    fn js_ships_without_its_comments_blank_lines_and_indentation() {
        let js =
            "// one\nconst a = 1; // stays\n  /** doc */\n\n  f();\n/* x */\n  /**\n   * more\n   */\n  g(`${a}`);\n";
        assert_eq!(shipped_js(js).as_deref(), Ok("const a = 1; // stays\nf();\ng(`${a}`);\n"));
        assert!(shipped_js("const t = `one\n  two`;\n").is_err(), "a literal over two lines");
    }

    #[test]
    fn gzip_shrinks_repetitive_bytes() {
        assert!(gzip_len(&[b'a'; 10_000]) < 100);
    }
}
