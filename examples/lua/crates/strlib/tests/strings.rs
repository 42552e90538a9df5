//! The small string helpers, with expected values printed by lua5.4.

use gcheap_lua_strlib::{RepError, byte, char, lower, rep, reverse, sub, sub_range, upper};

#[test]
fn sub_follows_lua_index_rules() {
    // lua5.4 -e 'print(string.sub("hello", ...))'
    assert_eq!(sub(b"hello", -3, -1), b"llo");
    assert_eq!(sub(b"hello", 2, -2), b"ell");
    assert_eq!(sub(b"hello", 0, -1), b"hello");
    assert_eq!(sub(b"hello", -100, 100), b"hello");
    assert_eq!(sub(b"hello", 4, 2), b"");
    assert_eq!(sub(b"hello", i64::MIN, i64::MAX), b"hello");
    assert_eq!(sub(b"hello", 2, -1), b"ello");
    assert_eq!(sub(b"hello", 2, 100), b"ello");
    assert_eq!(sub(b"hello", -2, -1), b"lo");
    assert_eq!(sub(b"hello", 3, 3), b"l");
    assert_eq!(sub(b"hello", 6, -1), b"");
    assert_eq!(sub(b"hello", 5, 0), b"");
    assert_eq!(sub(b"", 1, 1), b"");
    assert_eq!(sub_range(5, 2, -2), (1, 4));
    assert_eq!(sub_range(5, 4, 2), (0, 0));
}

#[test]
fn byte_and_char() {
    assert_eq!(byte(b"abc", 1, 1), b"a"); // string.byte("abc") -> 97
    assert_eq!(byte(b"abc", -2, 10), b"bc"); // 98 99
    assert_eq!(byte(b"abc", 10, 10), b""); // no values
    assert_eq!(byte(b"", 1, 1), b"");
    assert_eq!(byte(b"hello", -1, -1), b"o"); // 111
    assert_eq!(byte(b"hello", 2, 4), b"ell"); // 101 108 108
    assert_eq!(char(&[65, 66]), Ok(b"AB".to_vec()));
    assert_eq!(char(&[]), Ok(Vec::new()));
    assert_eq!(char(&[256]), Err(0)); // bad argument #1 to 'char' (value out of range)
    assert_eq!(char(&[65, -1]), Err(1));
    assert_eq!(char(&[0, 255]), Ok(vec![0, 255]));
}

#[test]
fn rep_and_its_limits() {
    assert_eq!(rep(b"ab", 3, b"").unwrap(), b"ababab");
    assert_eq!(rep(b"x", 3, b", ").unwrap(), b"x, x, x");
    assert_eq!(rep(b"ab", 3, b"-").unwrap(), b"ab-ab-ab");
    assert_eq!(rep(b"", 5, b"x").unwrap(), b"xxxx");
    assert_eq!(rep(b"ab", 2, b"xyz").unwrap().len(), 7);
    assert_eq!(rep(b"ab", 0, b"x").unwrap(), b"");
    assert_eq!(rep(b"a", -1, b"").unwrap(), b"");
    // All "resulting string too large" in lua5.4:
    assert_eq!(rep(b"x", 1 << 62, b""), Err(RepError::TooLarge));
    assert_eq!(rep(b"", 1 << 62, b"x"), Err(RepError::TooLarge));
    assert_eq!(rep(b"x", 1 << 31, b""), Err(RepError::TooLarge));
    assert_eq!(rep(b"ab", 1 << 30, b""), Err(RepError::TooLarge));
    assert_eq!(rep(b"abc", 715827883, b""), Err(RepError::TooLarge));
    // ("").rep(2^31) succeeds in Lua (after looping); here it is immediate.
    assert_eq!(rep(b"", 1 << 31, b"").unwrap(), b"");
    assert_eq!(rep(b"", i64::MAX, b"").unwrap(), b"");
    assert_eq!(RepError::TooLarge.to_string(), "resulting string too large");
}

#[test]
fn case_and_reverse() {
    assert_eq!(upper(b"aBc\x80\0z"), b"ABC\x80\0Z");
    assert_eq!(lower(b"AbC\x80"), b"abc\x80");
    assert_eq!(reverse(b"abc\0d"), b"d\0cba");
    assert_eq!(reverse(b""), b"");
}
