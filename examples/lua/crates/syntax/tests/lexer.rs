//! Lexer tests: every token class, numeral form, string escape and error.

use gcheap_lua_syntax::lexer::{LexErrorKind, Lexer, Token, tokenize};

fn tokens(src: &[u8]) -> Vec<Token> {
    tokenize(src)
        .unwrap_or_else(|e| panic!("lex error {e} for {:?}", String::from_utf8_lossy(src)))
        .into_iter()
        .map(|l| l.token)
        .collect()
}

fn one(src: &str) -> Token {
    let t = tokens(src.as_bytes());
    assert_eq!(t.len(), 2, "expected one token in {src:?}: {t:?}");
    t[0].clone()
}

fn string(src: &[u8]) -> Vec<u8> {
    match &tokens(src)[0] {
        Token::String(s) => s.to_vec(),
        t => panic!("not a string: {t:?}"),
    }
}

fn error(src: &[u8]) -> String {
    match tokenize(src) {
        Ok(t) => panic!("no error for {:?}: {t:?}", String::from_utf8_lossy(src)),
        Err(e) => e.to_string(),
    }
}

#[test]
fn keywords() {
    let src = "and break do else elseif end false for function goto if in local nil not or \
               repeat return then true until while";
    use Token::*;
    assert_eq!(
        tokens(src.as_bytes()),
        vec![
            And, Break, Do, Else, Elseif, End, False, For, Function, Goto, If, In, Local, Nil, Not,
            Or, Repeat, Return, Then, True, Until, While, Eof
        ]
    );
}

#[test]
fn names() {
    assert_eq!(one("foo_1"), Token::Name(b"foo_1".as_slice().into()));
    assert_eq!(one("_"), Token::Name(b"_".as_slice().into()));
    assert_eq!(one("ANDY"), Token::Name(b"ANDY".as_slice().into()));
    assert_eq!(one("andy"), Token::Name(b"andy".as_slice().into()));
}

#[test]
fn operators_and_punctuation() {
    use Token::*;
    let src = "+ - * / % ^ # & ~ | << >> // == ~= <= >= < > = ( ) { } [ ] :: ; : , . .. ...";
    assert_eq!(
        tokens(src.as_bytes()),
        vec![
            Plus,
            Minus,
            Star,
            Slash,
            Percent,
            Caret,
            Hash,
            Amp,
            Tilde,
            Pipe,
            Shl,
            Shr,
            DoubleSlash,
            Eq,
            Ne,
            Le,
            Ge,
            Lt,
            Gt,
            Assign,
            LParen,
            RParen,
            LBrace,
            RBrace,
            LBracket,
            RBracket,
            DoubleColon,
            Semicolon,
            Colon,
            Comma,
            Dot,
            Concat,
            Dots,
            Eof
        ]
    );
    // Maximal munch without spaces.
    assert_eq!(
        tokens(b"a<<=b...c..d"),
        vec![
            Name(b"a".as_slice().into()),
            Shl,
            Assign,
            Name(b"b".as_slice().into()),
            Dots,
            Name(b"c".as_slice().into()),
            Concat,
            Name(b"d".as_slice().into()),
            Eof
        ]
    );
    assert_eq!(tokens(b"@ $"), vec![Other(b'@'), Other(b'$'), Eof]);
}

#[test]
fn decimal_integers() {
    assert_eq!(one("0"), Token::Int(0));
    assert_eq!(one("42"), Token::Int(42));
    assert_eq!(one("007"), Token::Int(7));
    assert_eq!(one("9223372036854775807"), Token::Int(i64::MAX));
}

#[test]
fn decimal_integer_overflow_becomes_float() {
    assert_eq!(
        one("9223372036854775808"),
        Token::Float(9223372036854775808.0)
    );
    assert_eq!(
        one("18446744073709551616"),
        Token::Float(18446744073709551616.0)
    );
    assert_eq!(one("100000000000000000000000"), Token::Float(1e23));
}

#[test]
fn hex_integers_wrap() {
    assert_eq!(one("0xff"), Token::Int(255));
    assert_eq!(one("0XA"), Token::Int(10));
    assert_eq!(one("0x7fffffffffffffff"), Token::Int(i64::MAX));
    assert_eq!(one("0xffffffffffffffff"), Token::Int(-1));
    assert_eq!(one("0x8000000000000000"), Token::Int(i64::MIN));
    assert_eq!(one("0xffffffffffffffffff"), Token::Int(-1));
    assert_eq!(one("0x7fffffffffffffff1"), Token::Int(-15));
    assert_eq!(one("0x1e"), Token::Int(30));
}

#[test]
fn hex_floats() {
    assert_eq!(one("0x1p4"), Token::Float(16.0));
    assert_eq!(one("0x.8"), Token::Float(0.5));
    assert_eq!(one("0xA.8p0"), Token::Float(10.5));
    assert_eq!(one("0x1P-2"), Token::Float(0.25));
    assert_eq!(one("0x1p+2"), Token::Float(4.0));
    assert_eq!(one("0x.1"), Token::Float(0.0625));
    assert_eq!(one("0x1."), Token::Float(1.0));
    assert_eq!(one("0x1.8"), Token::Float(1.5));
    assert_eq!(one("0xep1"), Token::Float(28.0));
}

#[test]
fn decimal_floats() {
    assert_eq!(one("1e10"), Token::Float(1e10));
    assert_eq!(one(".5"), Token::Float(0.5));
    assert_eq!(one("3."), Token::Float(3.0));
    assert_eq!(one("1E-2"), Token::Float(0.01));
    assert_eq!(one("1e+2"), Token::Float(100.0));
    assert_eq!(one("2.71"), Token::Float(2.71));
    assert_eq!(one("1.5e300"), Token::Float(1.5e300));
    assert_eq!(one("1e400"), Token::Float(f64::INFINITY));
    assert_eq!(one("0.1"), Token::Float(0.1));
    assert_eq!(one("5.0"), Token::Float(5.0));
}

#[test]
fn numbers_next_to_operators() {
    use Token::*;
    assert_eq!(tokens(b"1-2"), vec![Int(1), Minus, Int(2), Eof]);
    assert_eq!(tokens(b"1e2-3"), vec![Float(100.0), Minus, Int(3), Eof]);
    assert_eq!(tokens(b"3 ..2"), vec![Int(3), Concat, Int(2), Eof]);
    assert_eq!(
        tokens(b"a.b"),
        vec![
            Name(b"a".as_slice().into()),
            Dot,
            Name(b"b".as_slice().into()),
            Eof
        ]
    );
}

#[test]
fn malformed_numbers() {
    assert_eq!(error(b"3x"), "1: malformed number near '3x'");
    assert_eq!(error(b"0x"), "1: malformed number near '0x'");
    assert_eq!(error(b"1e"), "1: malformed number near '1e'");
    assert_eq!(error(b"0x1p"), "1: malformed number near '0x1p'");
    assert_eq!(error(b"1.2.3"), "1: malformed number near '1.2.3'");
    assert_eq!(error(b"3..2"), "1: malformed number near '3..2'");
    assert_eq!(error(b"1e+1e"), "1: malformed number near '1e+1e'");
    assert_eq!(error(b"123abc"), "1: malformed number near '123abc'");
    assert_eq!(error(b"123xyz"), "1: malformed number near '123x'");
    assert_eq!(error(b"0x1g"), "1: malformed number near '0x1g'");
    assert_eq!(error(b"1__"), "1: malformed number near '1_'");
    assert_eq!(error(b"\n\n 08f"), "3: malformed number near '08f'");
}

#[test]
fn simple_escapes() {
    assert_eq!(
        string(br#""\a\b\f\n\r\t\v\\\"\'""#),
        b"\x07\x08\x0c\n\r\t\x0b\\\"'".to_vec()
    );
    assert_eq!(string(br"'it\'s'"), b"it's".to_vec());
    assert_eq!(string(b"\"a\\\nb\""), b"a\nb".to_vec());
    assert_eq!(string(b"\"a\\\r\nb\""), b"a\nb".to_vec());
    assert_eq!(string(b"\"a\\\n\rb\""), b"a\nb".to_vec());
}

#[test]
fn numeric_escapes() {
    assert_eq!(string(br#""\x41\x4a\x4A""#), b"AJJ".to_vec());
    assert_eq!(string(br#""\65\066\0677""#), b"ABC7".to_vec());
    assert_eq!(string(br#""\0\255""#), vec![0, 255]);
    assert_eq!(string(br#""\9x""#), b"\x09x".to_vec());
}

#[test]
fn utf8_escapes() {
    assert_eq!(string(br#""\u{41}""#), b"A".to_vec());
    assert_eq!(string(br#""\u{e9}""#), "é".as_bytes().to_vec());
    assert_eq!(string(br#""\u{20AC}""#), "€".as_bytes().to_vec());
    assert_eq!(string(br#""\u{1F600}""#), "😀".as_bytes().to_vec());
    assert_eq!(string(br#""\u{10FFFF}""#), vec![0xF4, 0x8F, 0xBF, 0xBF]);
    assert_eq!(string(br#""\u{D800}""#), vec![0xED, 0xA0, 0x80]);
    assert_eq!(
        string(br#""\u{200000}""#),
        vec![0xF8, 0x88, 0x80, 0x80, 0x80]
    );
    assert_eq!(
        string(br#""\u{7FFFFFFF}""#),
        vec![0xFD, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF]
    );
    assert_eq!(string(br#""\u{0000041}""#), b"A".to_vec());
}

#[test]
fn z_escape_skips_whitespace() {
    assert_eq!(string(b"\"a\\z   \n\n\t  b\""), b"ab".to_vec());
    assert_eq!(string(b"\"a\\zb\""), b"ab".to_vec());
    let toks = tokenize(b"\"a\\z\n\n  b\" x").unwrap();
    assert_eq!(toks[1].line, 3);
}

#[test]
fn strings_are_bytes() {
    assert_eq!(string(b"'\xff\xfe'"), vec![0xff, 0xfe]);
    assert_eq!(string(b"\"\0\""), vec![0]);
}

#[test]
fn long_strings() {
    assert_eq!(string(b"[[abc]]"), b"abc".to_vec());
    assert_eq!(string(b"[[\nabc]]"), b"abc".to_vec());
    assert_eq!(string(b"[[\r\nabc]]"), b"abc".to_vec());
    assert_eq!(string(b"[[\n\nabc]]"), b"\nabc".to_vec());
    assert_eq!(string(b"[==[a]]b]=]c]==]"), b"a]]b]=]c".to_vec());
    assert_eq!(string(b"[=[\\n]=]"), b"\\n".to_vec());
    assert_eq!(string(b"[[a\r\nb\rc\n\rd]]"), b"a\nb\nc\nd".to_vec());
    assert_eq!(string(b"[[]]"), b"".to_vec());
    let toks = tokenize(b"[[\na\nb]] x").unwrap();
    assert_eq!(toks[0].line, 3);
    assert_eq!(toks[1].line, 3);
}

#[test]
fn comments() {
    use Token::*;
    assert_eq!(tokens(b"a -- comment\nb"), tokens(b"a b"));
    assert_eq!(tokens(b"a --[[ long\n comment ]] b"), tokens(b"a b"));
    assert_eq!(tokens(b"a --[==[ ]] ]=] ]==] b"), tokens(b"a b"));
    assert_eq!(tokens(b"a --[ not long\nb"), tokens(b"a b"));
    assert_eq!(tokens(b"a --[= not long\nb"), tokens(b"a b"));
    assert_eq!(tokens(b"-- only"), vec![Eof]);
    assert_eq!(tokens(b"1 - -2"), vec![Int(1), Minus, Minus, Int(2), Eof]);
}

#[test]
fn line_tracking() {
    let toks = tokenize(b"a\nb\r\nc\rd\n\re\n\nf --[[\n\n]] g").unwrap();
    let lines: Vec<u32> = toks.iter().map(|t| t.line).collect();
    assert_eq!(lines, vec![1, 2, 3, 4, 5, 7, 9, 9]);
    let mut lx = Lexer::new(b"x\n\n");
    lx.next_token().unwrap();
    assert_eq!(lx.line(), 1);
    lx.next_token().unwrap();
    assert_eq!(lx.line(), 3, "end of file is on the last line");
}

#[test]
fn string_errors() {
    assert_eq!(error(b"\"abc"), "1: unfinished string near <eof>");
    assert_eq!(error(b"'abc\n'"), "1: unfinished string near ''abc'");
    assert_eq!(error(b"\"abc\ndef\""), "1: unfinished string near '\"abc'");
    assert_eq!(error(br#""\q""#), "1: invalid escape sequence near '\"\\q'");
    assert_eq!(
        error(br#""\300""#),
        "1: decimal escape too large near '\"\\300\"'"
    );
    assert_eq!(
        error(br#""\256""#),
        "1: decimal escape too large near '\"\\256\"'"
    );
    assert_eq!(
        error(br#""\xZZ""#),
        "1: hexadecimal digit expected near '\"\\xZ'"
    );
    assert_eq!(
        error(br#""\x5""#),
        "1: hexadecimal digit expected near '\"\\x5\"'"
    );
    assert_eq!(error(br#""\u123""#), "1: missing '{' near '\"\\u1'");
    assert_eq!(error(br#""\u{12""#), "1: missing '}' near '\"\\u{12\"'");
    assert_eq!(
        error(br#""\u{}""#),
        "1: hexadecimal digit expected near '\"\\u{}'"
    );
    assert_eq!(
        error(br#""\u{110000000}""#),
        "1: UTF-8 value too large near '\"\\u{110000000'"
    );
    assert_eq!(
        error(b"\"a\\tb\\q"),
        "1: invalid escape sequence near '\"a\tb\\q'"
    );
    assert_eq!(error(b"\"a\\\nb"), "2: unfinished string near <eof>");
    assert_eq!(error(b"\"\\"), "1: unfinished string near <eof>");
}

#[test]
fn long_bracket_errors() {
    assert_eq!(
        error(b"x = [==[ abc"),
        "1: unfinished long string (starting at line 1) near <eof>"
    );
    assert_eq!(
        error(b"\n--[[ abc\n\n"),
        "4: unfinished long comment (starting at line 2) near <eof>"
    );
    assert_eq!(error(b"[="), "1: invalid long string delimiter near '[='");
    assert_eq!(
        error(b"[==x"),
        "1: invalid long string delimiter near '[=='"
    );
}

#[test]
fn error_kinds() {
    let e = tokenize(b"\"abc").unwrap_err();
    assert_eq!(e.kind, LexErrorKind::UnfinishedString);
    assert_eq!(e.near, b"<eof>");
    let e = tokenize(b"\n\n3x").unwrap_err();
    assert_eq!(e.kind, LexErrorKind::MalformedNumber);
    assert_eq!(e.line, 3);
    assert_eq!(e.message(), b"malformed number near '3x'");
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert_eq!(boxed.to_string(), "3: malformed number near '3x'");
}

#[test]
fn token_descriptions() {
    assert_eq!(Token::End.describe(), "'end'");
    assert_eq!(Token::Eof.describe(), "<eof>");
    assert_eq!(Token::Name(Box::default()).describe(), "<name>");
    assert_eq!(Token::Other(1).describe(), "'<\\1>'");
    assert_eq!(Token::Concat.describe(), "'..'");
    assert_eq!(Token::Int(1).describe(), "<integer>");
}
