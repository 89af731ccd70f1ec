//! The crate's layers, read from its sources: every `crate::x` a top-level module names
//! (outside its test modules) must sit in a lower layer than the module itself, so data
//! and imports flow one way and no two modules import each other, even through others.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and its layer, lowest first. A module may import only modules of
/// a lower layer; the two faces (`web`, `api`) share a layer and so import neither each
/// other nor anything above them.
const LAYERS: &[(&str, u8)] = &[
    ("domain", 0),
    ("schema", 0),
    ("metrics", 0),
    ("telemetry", 0),
    ("ocr", 1),
    ("config", 1),
    ("error", 1),
    ("db", 2),
    ("store", 2),
    ("app", 2),
    ("service", 3),
    ("http", 4),
    ("jobs", 4),
    ("web", 5),
    ("api", 5),
    ("startup", 6),
    ("demo", 6),
    ("seed", 6),
];

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Module -> the crate modules it names, each with a file that names it.
fn imports() -> BTreeMap<String, BTreeMap<String, String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src/");
        let first = rel
            .components()
            .next()
            .expect("a path")
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if first == "main" || first == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a source file");
        // What serves requests, not its tests.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !name.is_empty() && name != first {
                graph
                    .entry(first.clone())
                    .or_default()
                    .entry(name)
                    .or_insert_with(|| rel.display().to_string());
            }
        }
    }
    graph
}

#[test]
fn every_import_runs_down_the_layers() {
    let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut wrong = BTreeSet::new();
    for (module, names) in imports() {
        let Some(&from) = layer.get(module.as_str()) else {
            wrong.insert(format!("{module} is not in LAYERS: give it a layer"));
            continue;
        };
        for (name, file) in names {
            match layer.get(name.as_str()) {
                Some(&to) if to < from => {}
                Some(_) => {
                    wrong.insert(format!("{module} imports {name} (in {file})"));
                }
                None => {
                    wrong.insert(format!("{module} names unknown crate::{name} (in {file})"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "imports that run back up:\n{wrong:#?}");
}

#[test]
fn domain_imports_nothing_else_and_store_only_domain_and_the_schema() {
    let graph = imports();
    let of = |m: &str| -> BTreeSet<String> {
        graph
            .get(m)
            .map(|names| names.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(of("domain"), BTreeSet::new());
    let allowed: BTreeSet<String> = ["domain", "schema"].map(String::from).into();
    assert!(
        of("store").is_subset(&allowed),
        "store imports {:?}",
        of("store")
    );
}
