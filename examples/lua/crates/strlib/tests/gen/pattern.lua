-- Generates tests/pattern_cases.rs: find/match/gmatch/gsub results as
-- lua5.4 computes them, rendered as text (strings with %q, numbers with
-- tostring, separated by spaces; gmatch iterations separated by "; ").
--   lua5.4 tests/gen/pattern.lua > tests/cases/pattern_cases.rs
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local C = require("common")

local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end
local function run(f, ...)
  local t = table.pack(pcall(f, ...))
  if not t[1] then return "error: " .. strip(t[2]) end
  return C.render(t, 2, t.n)
end

local long = string.rep("a", 300)
local find_cases = {
  {"hello world", "o", 1}, {"hello world", "o", 6}, {"hello world", "o", -3}, {"hello world", "xyz", 1},
  {"hello world", "l+", 1}, {"hello", "", 1}, {"hello", "", 10}, {"hello", "", 6}, {"hello", "", 7},
  {"hello", "", -100}, {"hello", "l", 0}, {"hello", "h", -5}, {"hello", "h", -6},
  {"a.b", ".", 1, true}, {"a.b", "%.", 1}, {"a+b", "+", 1, true}, {"a+b", "a+b", 1},
  {"a+b", "a+b", 1, true}, {"x(y", "(", 1, true}, {"a\0b", "\0", 1}, {"a\0b", "%z", 1},
  {"abc", "^b", 1}, {"abc", "^a", 1}, {"abc", "^b", 2}, {"abc", "c$", 1}, {"abc", "b$", 1},
  {"a$b", "$b", 1}, {"a^b", "a^", 1}, {"abc", "a$b", 1}, {"abc$", "c$", 1},
  {"key = value", "(%w+)%s*=%s*(%w+)", 1}, {"hello", "()ll()", 1}, {"hello", "(h)(e)(l)(l)(o)", 1},
  {"  trim  ", "^%s*(.-)%s*$", 1}, {"THE (quick) fox", "%((%a+)%)", 1}, {"f(a(b)c)d", "%b()", 1},
  {"[[x]]", "%b[]", 1}, {"(((", "%b()", 1}, {"abc", "%bac", 1},
  {"THE (quick) fox", "%f[%a]%a+", 5}, {"hello world", "%f[%w]%w+%f[%W]", 2},
  {"foo bar", "%f[%l]", 1}, {"x", "%f[%z]", 1}, {"ab", "%f[^%z]", 1}, {"ab", "%f[%a]", 2},
  {"abcabc", "(abc)%1", 1}, {"abab", "(a)(b)%2", 1}, {"aa bb cd", "(%a)%1", 1},
  {"[]", "[]]", 1}, {"a]", "[]a]+", 1}, {"a-b", "[a-]+", 1}, {"a-z", "[%-]", 1},
  {"^x", "[%^x]+", 1}, {"x^", "[x^]+", 1}, {"abc123", "[^%a]+", 1}, {"abc123", "[%d%a]+", 1},
  {"hello", "[a-f]", 1}, {"\200\201", "[\128-\255]+", 1}, {"ABCdef", "%u+", 1}, {"ABCdef", "%l+", 1},
  {"a1 b2", "%w%d", 2}, {"tab\there", "%c", 1}, {"x!y", "%p", 1}, {"x y\tz", "%s+", 1},
  {"0x1F", "%x+", 3}, {"aaa", "a-b", 1}, {"aaab", "a-b", 1}, {"aaa", "a*", 1}, {"aaa", "a?a?a?a", 1},
  {"", "a*", 1}, {"", ".", 1}, {"ab", ".-", 1}, {"ab", ".-$", 1}, {"-12", "[+-]?%d+", 1},
  {"ÿ", "%a", 1}, {"\255", "%A", 1}, {"a.b", "%W", 1}, {"Q", "%Q", 1},
  {long, string.rep("a?", 199), 1}, {long, string.rep("a?", 200), 1}, {long, string.rep("a?", 300), 1},
  {long, string.rep("(a)", 32), 1}, {long, string.rep("(a)", 33), 1},
  {"abc", "%", 1}, {"abc", "[a", 1}, {"abc", "[a%", 1}, {"abc", "[a%]", 1}, {"abc", "[^", 1},
  {"abc", "[]", 1}, {"abc", "%f", 1}, {"abc", "%fa", 1}, {"abc", "%b", 1}, {"abc", "%ba", 1},
  {"abc", "(a", 1}, {"abc", "a)", 1}, {"abc", "%1", 1}, {"abc", "(a)%2", 1}, {"abc", "(a%1)", 1},
  {"abc", "%0", 1}, {"abc", "()%1", 1}, {"abc", "(()a)", 1}, {"abc", "(a)()", 1},
  {"x", "%f[x", 1}, {"hello", "l", 100}, {"hello", "l", math.mininteger}, {"", "", 1}, {"", "", 2},
}
local match_cases = {
  {"hello world", "%w+"}, {"hello world", "(%w+) (%w+)"}, {"key=val", "(%w+)=(%w*)"},
  {"2024-01-15", "(%d+)-(%d+)-(%d+)"}, {"hello", "()"}, {"hello", "(h)()"}, {"hello", ".-(l+)(.*)"},
  {"  x  ", "^%s*(.-)%s*$"}, {"abc", "^(a)"}, {"abc", "^(b)"}, {"abc", "b", -1}, {"abc", "b", -2},
  {"abc", ".", 4}, {"abc", ".?", 4}, {"abc", ".?", 5}, {"[tag]", "%[(.-)%]"}, {"a,b,,c", "([^,]*)"},
  {"x = 10", "(%a+)%s*=%s*(%d+)"}, {"abc", "((a)(b))"}, {"abc", "(a(b(c)))"}, {"ab", "(a)(c?)(b)"},
  {"hello", "(l)(l)"}, {"hello", "(a*(.)%w(%s*))"}, {"test123abc", "^(%a+)(%d+)(%a+)$"},
  {"\0\1\2", "(%c+)"}, {"a\nb", "(.)\n(.)"},
}
local gmatch_cases = {
  {"hello world from lua", "%a+"}, {"key1=val1, key2=val2", "(%w+)=(%w+)"}, {"abc", ""},
  {"abc", "%w*"}, {"abc", "()"}, {"a,b,,c", "([^,]*)"}, {"one two  three", "%S+"},
  {"^a^a", "^a"}, {"aaa", "a-"}, {"aaa", "a*"}, {"x1y22z333", "%d+"}, {"abc", ".", 2},
  {"abc", ".", -1}, {"abc", ".", 10}, {"abc", "", 4}, {"abc", "", 5}, {"hello", "(l)"},
  {"ab12cd", "%a*"}, {"((a)(b))", "%b()"}, {"THE (quick) fox", "%f[%a]%a+"}, {"abc", "(a"},
  {"abc", "%"}, {"x = 1, y = 2", "(%w+) = (%w+)"}, {"aXbXc", "[^X]+"},
}
local gsub_cases = {
  {"hello world", "o", "0"}, {"hello world", "o", "0", 1}, {"hello world", "o", "0", 0},
  {"hello world", "o", "0", -1}, {"hello world", "(o)", "[%1]"}, {"hello world", "%w+", "<%0>"},
  {"hello world", "(%w+) (%w+)", "%2 %1"}, {"abc", "%w", "%%"}, {"abc", "", "-"}, {"abc", "%w*", "x"},
  {"hello world", "o*", "X"}, {"abc", "b*", "-"}, {"abc", "^", ">"}, {"abc", "$", "<"},
  {"abc", "^a", "A"}, {"aaa", "^a", "A"}, {"abc", "^b", "B"}, {"abc", "^", "x", 0},
  {"  trim  ", "^%s+", ""}, {"hello", "l+", "L"}, {"hello", "", "."}, {"", "", "x"}, {"", "a*", "x"},
  {"abc", "a", "%2"}, {"abc", "(a)", "%2"}, {"abc", "a", "%"}, {"abc", "a", "%x"}, {"abc", "a", "x%"},
  {"abc", "(a", "x"}, {"abc", "(a", "%1"}, {"abc", "(a", "%0"}, {"abc", "()b", "%1"},
  {"abc", "a", "%0%0"}, {"abc", "a", "%1"}, {"abc", "a()", "%1"}, {"abc", "%f[%w]", "^"},
  {"hello world", "%f[%w]%w", string.upper}, {"x^2", "%^", "**"}, {"a.b.c", "%.", "/"},
  {"a.b.c", ".", "/", 2}, {"abc", "[abc]", {a = "1", b = true}}, {"hello world", "%w+", "<table>"},
  {"hello world", "%w+", "<func>"}, {"x y z", "%a", "<func>"}, {"a1b2", "(%a)(%d)", "<func>"},
  {"hello", "()l()", "<func>"}, {"hello", "()l", "<table>"}, {"a x b", "%a", "<func>"},
  {"y z", "%a", "<func>"}, {"n", "%a", "<func>"}, {"t", "%a", "<func>"}, {"abc", "(a", "<func>"},
  {"x hello", "%w+", "<table>"}, {"world!", "%w+", "<table>"}, {"x", "%w+", "<table>"},
  {"abc", "%w", "<table>"}, {"abc", "(a)(b)", "<table>"}, {"abc", "(a", "<table>"},
  {"abc", "((a)", "<table>"}, {string.rep("x", 10), "x", "yy", 3}, {"abcabc", "(abc)%1", "%1!"},
  {"aaa", "a-", "-"}, {"aaa", "a?", "-"}, {"one two", "(%w+)", "%1 %1"},
}

-- Random differential cases: small subjects, patterns built from tokens.
math.randomseed(20240611)
local tokens = {"a", "b", "c", "1", " ", ".", "%a", "%d", "%s", "%w", "%W", "%l", "%p", "[abc]",
  "[^a]", "[a-c]", "[%d ]", "[]a]", "%b()", "%bab", "%f[%w]", "%f[%W]", "(", ")", "()", "%1", "%2",
  "*", "+", "-", "?", "^", "$", "%", "[", "]", "%(", "%.", "%%"}
local function rnd_pat()
  local t = {}
  for i = 1, math.random(1, 7) do t[i] = tokens[math.random(#tokens)] end
  return table.concat(t)
end
local function rnd_subj()
  local chars, t = "aabbc1 2().%", {}
  for i = 1, math.random(0, 10) do local k = math.random(#chars) t[i] = chars:sub(k, k) end
  return table.concat(t)
end
for _ = 1, 400 do find_cases[#find_cases+1] = {rnd_subj(), rnd_pat(), math.random(-3, 4)} end
for _ = 1, 150 do gmatch_cases[#gmatch_cases+1] = {rnd_subj(), rnd_pat()} end
local repls = {"<%0>", "%1", "[%1|%2]", "", "x", "%%"}
for _ = 1, 300 do
  local n = math.random(0, 3)
  gsub_cases[#gsub_cases+1] = {rnd_subj(), rnd_pat(), repls[math.random(#repls)], n > 0 and n or nil}
end
for _ = 1, 100 do gsub_cases[#gsub_cases+1] = {rnd_subj(), rnd_pat(), "<func>"} end

print("// Generated by `lua5.4 tests/gen/pattern.lua` from Lua 5.4.4; do not edit.\n")
print("#![allow(clippy::type_complexity)]")
print("/// (subject, pattern, init, plain, rendered results of string.find)")
print("pub const FIND: &[(&[u8], &[u8], i64, bool, &[u8])] = &[")
for _, c in ipairs(find_cases) do
  local r = run(string.find, c[1], c[2], c[3], c[4])
  local init = c[3] == math.mininteger and "i64::MIN" or tostring(c[3])
  print(string.format("    (%s, %s, %s, %s, %s),", C.bytes(c[1]), C.bytes(c[2]), init, tostring(c[4] == true), C.bytes(r)))
end
print("];\n")
print("/// (subject, pattern, init, rendered results of string.match)")
print("pub const MATCH: &[(&[u8], &[u8], i64, &[u8])] = &[")
for _, c in ipairs(match_cases) do
  local r = run(string.match, c[1], c[2], c[3] or 1)
  print(string.format("    (%s, %s, %d, %s),", C.bytes(c[1]), C.bytes(c[2]), c[3] or 1, C.bytes(r)))
end
print("];\n")
print("/// (subject, pattern, init, rendered iterations of string.gmatch)")
print("pub const GMATCH: &[(&[u8], &[u8], i64, &[u8])] = &[")
for _, c in ipairs(gmatch_cases) do
  local its = {}
  local ok, err = pcall(function()
    local f = string.gmatch(c[1], c[2], c[3] or 1)
    while true do
      local t = table.pack(f())
      if t[1] == nil then break end
      its[#its+1] = C.render(t, 1, t.n)
    end
  end)
  if not ok then its[#its+1] = "error: " .. strip(err) end
  print(string.format("    (%s, %s, %d, %s),", C.bytes(c[1]), C.bytes(c[2]), c[3] or 1, C.bytes(table.concat(its, "; "))))
end
print("];\n")

-- The replacement table and function the Rust tests mirror.
local T = {hello = "HI", world = false, a = "[A]", [1] = "first", x = true, b = 7}
local function Fn(...)
  local t = table.pack(...)
  if t[1] == "x" then return nil elseif t[1] == "y" then return false
  elseif t[1] == "n" then return 42 elseif t[1] == "t" then return {} end
  for i = 1, t.n do t[i] = tostring(t[i]) end
  return "<" .. table.concat(t, "|") .. ">"
end
print("/// (subject, pattern, replacement, max, rendered results of string.gsub);")
print("/// replacement b\"<table>\" and b\"<func>\" stand for the table and function in tests/pattern.rs")
print("pub const GSUB: &[(&[u8], &[u8], &[u8], Option<i64>, &[u8])] = &[")
for _, c in ipairs(gsub_cases) do
  local repl = c[3]
  local rs = repl
  if repl == "<table>" then repl = T elseif repl == "<func>" then repl = Fn
  elseif type(repl) ~= "string" then rs = nil end
  if rs then
    local r = run(string.gsub, c[1], c[2], repl, c[4])
    print(string.format("    (%s, %s, %s, %s, %s),", C.bytes(c[1]), C.bytes(c[2]), C.bytes(rs),
      c[4] and ("Some(" .. c[4] .. ")") or "None", C.bytes(r)))
  end
end
print("];")
