//! Stage 5: the size report and its two budgets (first screen, whole).

#[allow(unused_imports)]
use super::*;

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

pub(super) fn budget(root: &Path) -> Result<Sizes, String> {
    let text = std::fs::read_to_string(root.join(BUDGET_FILE)).map_err(|e| format!("{BUDGET_FILE}: {e}"))?;
    parse_budget(&text).ok_or_else(|| {
        format!("{BUDGET_FILE} must hold `first-screen <bytes>` and `whole <bytes>` (gzip), each on a line of its own")
    })
}

pub(super) fn parse_budget(text: &str) -> Option<Sizes> {
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
    fn gzip_shrinks_repetitive_bytes() {
        assert!(gzip_len(&[b'a'; 10_000]) < 100);
    }
}
