//! The differential test: each script of `tests/corpus/` runs on gcheap-lua, and its output must
//! be byte-identical to what PUC Lua 5.4 printed for it (`NAME.out`, recorded with lua5.4;
//! `check_expected.sh` keeps them current in CI).
//!
//! `tests/corpus/PASSING` lists the scripts the interpreter matches (all of them now): each
//! must match exactly (a regression fails the test). A new script that does not match yet is
//! left out of the list until it does, and the test reports how many such scripts differ; one
//! that starts matching must be added.

use std::collections::BTreeSet;
use std::path::Path;

use gcheap_lua::Lua;

fn run(path: &Path) -> Vec<u8> {
    let source = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    let mut out = Vec::new();
    let mut lua = Lua::new();
    lua.set_args(name, &[]);
    if let Err(msg) = lua.run(&source, name, &mut out) {
        out.extend_from_slice(format!("<uncaught error: {msg}>\n").as_bytes());
    }
    lua.close(&mut out);
    out
}

#[test]
fn scripts_match_puc_lua() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let passing: BTreeSet<String> = std::fs::read_to_string(dir.join("PASSING"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let mut scripts: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "lua"))
        .collect();
    scripts.sort();
    assert!(
        scripts.len() >= 40,
        "the corpus has {} scripts",
        scripts.len()
    );
    let names: BTreeSet<String> = scripts
        .iter()
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .collect();
    for p in &passing {
        assert!(
            names.contains(p),
            "PASSING lists {p}, which is not in the corpus"
        );
    }
    let mut regressed = Vec::new();
    let mut differ = 0;
    for script in &scripts {
        let name = script.file_stem().unwrap().to_str().unwrap();
        let expected = std::fs::read(script.with_extension("out")).unwrap();
        let got = run(script);
        if got == expected {
            assert!(
                passing.contains(name),
                "{name} now matches lua5.4: add it to tests/corpus/PASSING"
            );
        } else if passing.contains(name) {
            regressed.push(format!(
                "{name}:\n--- lua5.4\n{}\n--- gcheap-lua\n{}",
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&got)
            ));
        } else {
            differ += 1;
        }
    }
    eprintln!(
        "corpus: {} of {} scripts match lua5.4; {differ} not yet",
        scripts.len() - differ - regressed.len(),
        scripts.len()
    );
    assert!(
        regressed.is_empty(),
        "regressions:\n{}",
        regressed.join("\n")
    );
}
