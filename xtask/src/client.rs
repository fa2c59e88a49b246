//! The OpenAPI document proven usable, not only valid: a Python client generated from it by
//! openapi-python-client (a widely used generator, from PyPI) runs the shop's flow against a
//! real kept-server on loopback: the order in, the customer's agreement, the order read back.

use std::path::Path;
use std::process::Command;

use crate::run;
use crate::setup::Tools;

/// Generates the client into `target/openapi-client/` and runs `e2e/client/shop_flow.py`.
pub fn run(root: &Path, tools: &Tools) -> Result<(), String> {
    let out = root.join("target/openapi-client");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    run::status(
        Command::new(tools.openapi_client.join("openapi-python-client"))
            .current_dir(&out)
            .args(["generate", "--meta", "none", "--output-path", "kept_client", "--path"])
            .arg(root.join("protocol/schema/kept-v1.openapi.json")),
    )?;
    let db = out.join("kept.sqlite");
    let (server, url) = crate::schemathesis::start(root, &db.to_string_lossy())?;
    let flow = run::status(
        Command::new(tools.openapi_client.join("python"))
            .arg(root.join("e2e/client/shop_flow.py"))
            .args([url.as_str(), crate::schemathesis::BACKEND])
            .env("PYTHONPATH", &out),
    );
    drop(server);
    flow
}
