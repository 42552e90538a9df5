-- string.find / match / gmatch basics, plain find, init
local s = "the quick brown fox jumps over the lazy dog"
print(s:find("the"), s:find("the", 2), s:find("cat"))
print(s:find("o", 1, true), s:find("o", 15), s:find("o", -5))
print(s:find(""), s:find("", 10), s:find("", #s + 1), s:find("", #s + 2))
print(("a.b.c"):find(".", 1, true), ("a.b.c"):find("."), ("a.b.c"):find("%."))
print(("a+b"):find("+", 1, true), ("(x)"):find("(", 1, true))
print(s:find("(%a+) (%a+)"))
print(s:find("q(u)(i)"))
print(("hello"):find("l+"))

-- match returns captures or whole match
print(s:match("%a+"), s:match("(%a+) fox"), s:match("z%a+"), s:match("xyz"))
print(("key=value"):match("(%w+)=(%w+)"))
print(("  padded  "):match("^%s*(.-)%s*$") .. "|")
print(("2024-01-15"):match("(%d+)-(%d+)-(%d+)"))
print(("abc"):match("()b()"))
print(("hello world"):match("o", 6), ("hello"):match(".", -2))

-- gmatch iterates over matches
local words = {}
for w in s:gmatch("%a+") do words[#words + 1] = w end
print(#words, words[1], words[#words])
local pairs_ = {}
for k, v in ("a=1, b=2, c=3"):gmatch("(%w+)=(%w+)") do pairs_[#pairs_ + 1] = k .. ":" .. v end
print(table.concat(pairs_, " "))
local nums = {}
for n in ("10 -20 3.5 abc 7"):gmatch("%-?%d+%.?%d*") do nums[#nums + 1] = tonumber(n) end
print(table.concat(nums, ","))
local positions = {}
for p in ("banana"):gmatch("()a") do positions[#positions + 1] = p end
print(table.concat(positions, ","))
-- gmatch with empty matches
local empties = 0
for _ in ("abc"):gmatch("x*") do empties = empties + 1 end
print("empty matches", empties)
-- gmatch with a leading caret
local anch = {}
for w in ("aaa"):gmatch("^a") do anch[#anch + 1] = w end
print("anchored gmatch", #anch)
-- (a leading '^' in gmatch is not an anchor; it matches a literal '^')
local lit = 0
for _ in ("x^ay^a"):gmatch("^a") do lit = lit + 1 end
print("literal caret matches", lit)
-- gmatch with init argument (5.4)
local fromInit = {}
for w in ("one two three"):gmatch("%a+", 5) do fromInit[#fromInit + 1] = w end
print(table.concat(fromInit, "|"))

-- find with special chars plain
print(("1+1=2"):find("1+1", 1, true), ("1+1=2"):find("1+1"))
print(("[tag]"):find("[tag]", 1, true), ("[tag]"):find("[tag]"))

-- init beyond and negative
print(("abc"):find("c", 10), ("abc"):find("a", -10), ("abc"):find("b", -2))
print(("abc"):match("^(a)"), ("abc"):match("^(b)"), ("abc"):match("c$"), ("abc"):match("b$"))

-- captures count limit behaviour not tested; nested captures
print(("abcd"):match("((a)(b)((c)d))"))
