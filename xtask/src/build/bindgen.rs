//! Stage 2: wasm-bindgen's glue for the main module, and the passes on its output that save
//! bytes (unused classes dropped, import and export names shortened).

#[allow(unused_imports)]
use super::*;

/// wasm-bindgen's web target for `input`, as `<out_name>.js` and `<out_name>_bg.wasm` in `out`.
pub(super) fn bindgen(input: &Path, out: &Path, out_name: &str, extra: &[&str]) -> Result<(), String> {
    run::status(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript"])
            .args(extra)
            .args(["--out-name", out_name, "--out-dir"])
            .arg(out)
            .arg(input),
    )
}

/// JS classes Leptos's server functions bring for streaming (wasm-streams' `IntoUnderlying*`),
/// which a client-side widget never constructs; their wasm exports would keep their code alive.
pub(super) const UNUSED_CLASSES: [&str; 3] = ["IntoUnderlyingByteSource", "IntoUnderlyingSink", "IntoUnderlyingSource"];

/// Removes [`UNUSED_CLASSES`] from the wasm's exports (wasm-opt then drops their code) and from
/// the glue; Err when wasm-bindgen's output no longer has the expected shape.
pub(super) fn drop_unused_classes(wasm: &Path, glue: &Path) -> Result<(), String> {
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
pub(super) fn stub_streams_in_table(module: &mut walrus::Module) {
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
pub(super) const GLUE_MODULE: &str = "./kept-widget_bg.js";

/// Renames the wasm's imports from the glue, in the wasm and in the glue's import object, to one
/// or two letters (`a`, `b`, … `aB`): wasm-bindgen names each after its JS function and a hash,
/// such as `__wbg_addEventListener_847fd86b8c33ec43`, and the hashes' hex digits are written
/// twice and do not compress (measured: -3.2 KB gzip); and the closures' exports to `_0`, `_1`,
/// … (-0.4 KB). Err when the glue no longer has the shape the build expects (each import a key
/// of its own line of the import object, each export named in it).
pub(super) fn shorten_names(wasm: &Path, glue: &Path) -> Result<(), String> {
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
pub(super) fn replace_word(text: &str, word: &str, by: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
