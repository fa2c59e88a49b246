//! Build script of the widget: ships its stylesheet (inside the wasm) without the comments and
//! the layout whitespace that are for its readers in `style/kept.css`.

fn main() {
    println!("cargo:rerun-if-changed=style/kept.css");
    let css = std::fs::read_to_string("style/kept.css").expect("style/kept.css");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("kept.min.css"), minify(&css)).expect("the minified stylesheet");
}

/// Drops comments, collapses whitespace, and drops it around `{`, `}`, `;` and `,`, after `:`
/// (a declaration's or a media feature's; a pseudo-class's name always follows it at once), and
/// around the `>` and `~` combinators. Never before `:` (there a space is a descendant
/// combinator) nor around `+` (inside `calc()` the spaces are required).
fn minify(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(open) = rest.find("/*") {
        text.push_str(&rest[..open]);
        rest = rest[open..].find("*/").map_or("", |close| &rest[open + close + 2..]);
    }
    text.push_str(rest);
    let mut min = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for c in ["{", "}", ";", ","] {
        min = min.replace(&format!(" {c}"), c).replace(&format!("{c} "), c);
    }
    min.replace(";}", "}").replace(": ", ":").replace(" > ", ">").replace(" ~ ", "~")
}
