//! Stage 4: the shipped files: the catalogs per locale, the loader and the notice as shipped JS,
//! and content-hashed names written where each file is loaded from, then the manifest.

#[allow(unused_imports)]
use super::*;

/// `name-<first 16 hex digits of the SHA-256 of bytes>.ext`
pub(super) fn hashed_name(name: &str, bytes: &[u8]) -> String {
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
pub(super) fn content_hash(dist: &Path, chunks: &[String], texts: &[Texts]) -> Result<(), String> {
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
pub(super) const CHAT_KEYS: [&str; 4] = ["chat.", "promise.", "status.", "resolution."];

/// The keys only the server writes with (her promises in her words, sent as text): the widget
/// never fetches them.
pub(super) const SERVER_KEYS: [&str; 3] = ["record.", "mail.", "chat.ask_first_question"];

/// Where the catalogs live in the repository (kept-protocol owns them; the server and the
/// console carry them inside).
pub(super) const CATALOGS: &str = "protocol/locales";

/// Ships each catalog as two content-hashed files: the step's texts (fetched with the first
/// screen) and the chat's (`chat.`/`promise.` keys, fetched with the chat's code).
pub(super) fn catalogs(root: &Path, dist: &Path) -> Result<Vec<Texts>, String> {
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
        let (chat, step): (serde_json::Map<_, _>, serde_json::Map<_, _>) = all
            .into_iter()
            .filter(|(k, _)| !SERVER_KEYS.iter().any(|p| k.starts_with(p)))
            .partition(|(k, _)| CHAT_KEYS.iter().any(|p| k.starts_with(p)));
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
pub(super) fn with_catalog_names(loader: &str, texts: &[Texts]) -> Result<String, String> {
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
pub(super) fn shipped_js(js: &str) -> Result<String, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
