//! Prints, for each function of a Lua file in `luac -l -l` order, its
//! lines, parameters, locals and upvalues (for comparison with luac).

use gcheap_lua_syntax::ast::*;

fn print(f: &Function, main: bool) {
    if main {
        println!("main");
    } else {
        println!("function {},{}", f.line, f.end_line);
    }
    println!("params={} vararg={}", f.num_params, f.is_vararg);
    let names: Vec<String> = f
        .locals
        .iter()
        .map(|l| String::from_utf8_lossy(&l.name).into_owned())
        .collect();
    println!("locals: {}", names.join(" "));
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
    println!("upvalues: {}", ups.join(" | "));
    for k in f.children() {
        print(k, false);
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: protos FILE");
    let src = std::fs::read(&path).expect("readable");
    match gcheap_lua_syntax::parse(&src, "=x") {
        Ok(c) => print(&c.main, true),
        Err(e) => println!("{e}"),
    }
}
