//! Realistic programs (a class system, a JSON serializer/parser, binary
//! trees) parse without error, and their functions' scope information
//! matches what `luac5.4 -l -l` reports for them: line ranges, parameter
//! counts, vararg flags, local names in order, and upvalue descriptors
//! (name, in-stack flag, index). The expected `*.luac.txt` files were
//! produced from luac's listing.

use gcheap_lua_syntax::ast::{Function, UpvalueSource};
use gcheap_lua_syntax::parse;

/// The same summary as the normalised `luac -l -l` listing.
fn summary(f: &Function, main: bool, out: &mut String) {
    if main {
        out.push_str("main\n");
    } else {
        out.push_str(&format!("function {},{}\n", f.line, f.end_line));
    }
    out.push_str(&format!("params={} vararg={}\n", f.num_params, f.is_vararg));
    let locals: Vec<String> = f
        .locals
        .iter()
        .map(|l| String::from_utf8_lossy(&l.name).into_owned())
        .collect();
    out.push_str(&format!("locals: {}\n", locals.join(" ")));
    let ups: Vec<String> = f
        .upvalues
        .iter()
        .map(|u| {
            let (instack, idx) = match u.source {
                UpvalueSource::Env => (1, 0),
                UpvalueSource::ParentLocal { slot, .. } => (1, slot),
                UpvalueSource::ParentUpvalue(j) => (0, j),
            };
            format!("{} {instack} {idx}", String::from_utf8_lossy(&u.name))
        })
        .collect();
    out.push_str(&format!("upvalues: {}\n", ups.join(" | ")));
    for child in f.children() {
        summary(child, false, out);
    }
}

fn check(src: &[u8], expected: &str) {
    let chunk = parse(src, "@program.lua").unwrap_or_else(|e| panic!("{e}"));
    let mut got = String::new();
    summary(&chunk.main, true, &mut got);
    assert_eq!(got.trim_end(), expected.trim_end());
    // The printed program parses again, with the same functions.
    let printed = chunk.to_string();
    let again = parse(printed.as_bytes(), "=printed").unwrap_or_else(|e| panic!("{e}\n{printed}"));
    assert_eq!(again.main.children().len(), chunk.main.children().len());
    let key = |f: &Function| -> Vec<_> {
        f.locals
            .iter()
            .map(|l| (l.name.clone(), l.slot, l.attrib, l.captured))
            .collect()
    };
    assert_eq!(key(&again.main), key(&chunk.main));
    assert_eq!(again.main.upvalues, chunk.main.upvalues);
}

#[test]
fn class_system() {
    check(
        include_bytes!("programs/class.lua"),
        include_str!("programs/class.luac.txt"),
    );
}

#[test]
fn json_serializer() {
    check(
        include_bytes!("programs/json.lua"),
        include_str!("programs/json.luac.txt"),
    );
}

#[test]
fn binary_trees() {
    check(
        include_bytes!("programs/trees.lua"),
        include_str!("programs/trees.luac.txt"),
    );
}

#[test]
fn function_counts() {
    let count = |src: &[u8]| {
        fn all(f: &Function) -> usize {
            1 + f.children().into_iter().map(all).sum::<usize>()
        }
        all(&parse(src, "=p").unwrap().main)
    };
    assert_eq!(count(include_bytes!("programs/class.lua")), 15);
    assert_eq!(count(include_bytes!("programs/json.lua")), 11);
    assert_eq!(count(include_bytes!("programs/trees.lua")), 8);
}
