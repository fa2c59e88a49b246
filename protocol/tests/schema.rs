//! The committed schema files must equal what the Rust types generate.
//! Regenerate with `KEPT_UPDATE_SCHEMA=1 cargo test -p kept-protocol --features schema --test schema`.

use std::path::PathBuf;

use kept_protocol::schema::{json_schema, openapi};

fn check(name: &str, value: serde_json::Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema").join(name);
    let generated = serde_json::to_string_pretty(&value).unwrap() + "\n";
    if std::env::var_os("KEPT_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date with the Rust types; regenerate it with \
         KEPT_UPDATE_SCHEMA=1 cargo test -p kept-protocol --features schema --test schema",
        path.display()
    );
}

#[test]
fn the_committed_json_schema_matches_the_types() {
    check("kept-v1.schema.json", json_schema());
}

#[test]
fn the_committed_openapi_document_matches_the_types() {
    check("kept-v1.openapi.json", openapi());
}

#[test]
fn every_reference_in_the_openapi_document_resolves() {
    let doc = openapi();
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "unresolved $ref {name}");
    }
    assert!(schemas.contains_key("Preferences") && schemas.contains_key("SubstitutionRule"));
}

#[test]
fn every_operation_has_a_unique_operation_id_and_its_callers_tag() {
    let doc = openapi();
    let mut ids = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap().iter().filter(|(m, _)| *m != "parameters") {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            ids.push(id.to_owned());
            let tag = op["tags"][0].as_str().unwrap_or_else(|| panic!("{method} {path} has no tag"));
            assert!(["customer", "operator", "backend"].contains(&tag), "{method} {path}: {tag}");
        }
    }
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "operationIds are unique");
}
