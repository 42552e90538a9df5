//! Prints the tree of a Lua file (or stdin) as annotated Lua, or as plain
//! Lua with `--plain`; prints the syntax error if there is one.
use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let plain = args.iter().any(|a| a == "--plain");
    let mut src = Vec::new();
    match args.iter().find(|a| *a != "--plain") {
        Some(path) => src = std::fs::read(path).expect("readable file"),
        None => {
            std::io::stdin().read_to_end(&mut src).expect("stdin");
        }
    }
    match gcheap_lua_syntax::parse(&src, "=input") {
        Ok(chunk) if plain => println!("{chunk}"),
        Ok(chunk) => println!("{chunk:#}"),
        Err(e) => println!("{e}"),
    }
}
