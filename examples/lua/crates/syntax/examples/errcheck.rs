//! Parses each snippet of a file (snippets separated by `----` lines) and
//! prints `OK` or the error as `LINE: MESSAGE`, for comparison with Lua.

fn main() {
    let path = std::env::args().nth(1).expect("usage: errcheck FILE");
    let all = std::fs::read(path).expect("readable file");
    let mut all = all;
    all.extend_from_slice(b"\n----\n");
    let mut rest: &[u8] = &all;
    while let Some(pos) = rest.windows(6).position(|w| w == b"\n----\n") {
        let snip = &rest[..pos];
        rest = &rest[pos + 6..];
        match gcheap_lua_syntax::parse(snip, "=x") {
            Ok(_) => println!("OK"),
            Err(e) => {
                let mut msg = if e.kind == gcheap_lua_syntax::SyntaxErrorKind::TooDeep {
                    Vec::new()
                } else {
                    format!("{}: ", e.line).into_bytes()
                };
                for &c in &e.message {
                    if c == b'\n' {
                        msg.extend_from_slice(b"\\n");
                    } else {
                        msg.push(c);
                    }
                }
                msg.push(b'\n');
                std::io::Write::write_all(&mut std::io::stdout(), &msg).expect("stdout");
            }
        }
    }
}
