//! The relay's layers, kept: each top-level module of `relay/src` imports only modules of the
//! layers before its own (ARCHITECTURE.md draws them). A new import that climbs up, or one
//! between two modules of the same layer, fails here with the line that made it.

use std::collections::BTreeSet;
use std::path::Path;

/// Top to bottom: the lowest layer first. Modules of one layer do not import each other.
const LAYERS: &[&[&str]] = &[
    &["net"],
    &["sasl", "oauth"],
    &["imap", "smtp", "message"],
    &["session"],
    &["engine", "discover"],
    &["hints"],
    &["domains", "config"],
    &["server"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a source file belongs to (`net/tls/mod.rs` → `net`).
fn module_of(relative: &Path) -> String {
    let first = relative.components().next().expect("a path");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_owned()
}

/// The top-level modules a file names through `crate::` (in `use` lines and paths alike),
/// with the line that names each.
fn imports(source: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                inner.split(',').map(|n| n.trim()).collect()
            } else {
                vec![rest]
            };
            for n in names {
                let name: String = n
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push((name, line.trim().to_owned()));
                }
            }
        }
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read relay/src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_import_goes_down_the_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut seen_modules = BTreeSet::new();
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&root).expect("under src");
        let module = module_of(relative);
        if module == "lib" || module == "main" {
            continue;
        }
        seen_modules.insert(module.clone());
        let Some(own) = layer_of(&module) else {
            wrong.push(format!("{module}: not in LAYERS (add it where it belongs)"));
            continue;
        };
        let source = std::fs::read_to_string(file).expect("read source");
        for (target, line) in imports(&source) {
            if target == module {
                continue;
            }
            // Re-exports at the crate root (`crate::diagnose`) belong to their module.
            let target = match target.as_str() {
                "diagnose" | "diagnose_with" => "hints".to_owned(),
                "validate" | "RequestError" | "EngineConfig" => "engine".to_owned(),
                _ => target,
            };
            match layer_of(&target) {
                Some(layer) if layer < own => {}
                _ => wrong.push(format!(
                    "{} ({module}) imports {target}: {line}",
                    relative.display()
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
    for layer in LAYERS {
        for m in *layer {
            assert!(
                seen_modules.contains(*m),
                "LAYERS names {m}, which no longer exists"
            );
        }
    }
}

#[test]
fn the_import_reader_finds_groups_and_paths() {
    let found = imports(
        "use crate::net::{Failed, Network};\nuse crate::{diagnose, validate};\nlet x = crate::message::build(); // crate::cli\n",
    );
    let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["net", "diagnose", "validate", "message"]);
}
