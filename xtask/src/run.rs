//! Running commands: echoing them, and reading cargo's test counts from their output.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs `cmd` with inherited output; Err names the command when it fails.
pub fn status(cmd: &mut Command) -> Result<(), String> {
    eprintln!("$ {}", describe(cmd));
    let st = cmd.status().map_err(|e| format!("could not run {}: {e}", describe(cmd)))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({st})", describe(cmd)))
    }
}

/// Runs `cmd` and returns its trimmed standard output, or None when it cannot run or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Test counts read from `test result:` lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u32,
    pub failed: u32,
}

/// Runs `cmd`, echoing its standard output while counting the tests it reports.
pub fn tests(cmd: &mut Command) -> (bool, Counts) {
    eprintln!("$ {}", describe(cmd));
    let mut child = match cmd.stdout(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("could not run {}: {e}", describe(cmd));
            return (false, Counts::default());
        }
    };
    let mut counts = Counts::default();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(c) = parse_result_line(&line) {
                counts.passed += c.passed;
                counts.failed += c.failed;
            }
        }
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    (ok, counts)
}

/// Reads `test result: ok. 3 passed; 1 failed; ...` (cargo test and wasm-bindgen-test-runner).
pub fn parse_result_line(line: &str) -> Option<Counts> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let number_before = |word: &str| -> Option<u32> {
        rest.split(';').find_map(|part| part.trim().strip_suffix(word)?.trim().rsplit(' ').next()?.parse().ok())
    };
    Some(Counts { passed: number_before("passed")?, failed: number_before("failed")? })
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// A temporary folder under `target/tmp` for everything this run starts (`TMPDIR` points at
/// it), removed when the run ends, whatever happened.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(root: &Path, command: &str) -> Scratch {
        let dir = root.join("target/tmp").join(command);
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(&dir);
        std::env::set_var("TMPDIR", &dir);
        warn_when_disk_is_low(root);
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A clean build of every target and profile takes about `GIB_NEEDED` GiB under `target/`; a full
/// disk shows up later as odd linker crashes, so say it first.
fn warn_when_disk_is_low(root: &Path) {
    const GIB_NEEDED: u64 = 12;
    let free_kib = output(Command::new("df").args(["-Pk"]).arg(root))
        .and_then(|out| out.lines().nth(1)?.split_whitespace().nth(3)?.parse::<u64>().ok());
    if let Some(kib) = free_kib.filter(|kib| kib / (1024 * 1024) < GIB_NEEDED) {
        eprintln!(
            "warning: {} has {:.1} GiB free; a build from scratch needs about {GIB_NEEDED} GiB",
            root.display(),
            kib as f64 / (1024.0 * 1024.0)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_and_wasm_bindgen_result_lines_are_counted() {
        let c = parse_result_line(
            "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s",
        );
        assert_eq!(c, Some(Counts { passed: 12, failed: 0 }));
        let c = parse_result_line("test result: FAILED. 3 passed; 2 failed; 0 ignored");
        assert_eq!(c, Some(Counts { passed: 3, failed: 2 }));
        assert_eq!(parse_result_line("running 3 tests"), None);
    }
}
