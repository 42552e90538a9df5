-- Lua pattern classes, sets, anchors, quantifiers, captures
local sample = "Hello World 123 _x! \t\n~"
local classes = {"%a", "%d", "%l", "%s", "%u", "%w", "%x", "%p", "%c",
                 "%A", "%D", "%L", "%S", "%U", "%W", "%X", "%P", "%C", "."}
for _, c in ipairs(classes) do
  local n = select(2, sample:gsub(c, ""))
  print(c, n)
end

-- sets and ranges
print(("abc123XYZ"):gsub("[a-z]", "*"))
print(("abc123XYZ"):gsub("[^a-z]", "*"))
print(("a-b_c"):gsub("[%-_]", "."))
print(("hex: 0xDEADbeef"):match("0x([%x]+)"))
print(("a]b"):match("[]]"), ("a^b"):match("[%^]"), ("a^b"):match("[b^]"))
print(("x1y2z3"):gsub("[%d]", "#"))
print(("vowels and consonants"):gsub("[aeiou]", ""))

-- anchors
print(("start middle end"):match("^start"), ("start middle end"):match("^middle"))
print(("start middle end"):match("end$"), ("a$b"):match("a$b"))
print(("^caret"):match("^^(%a+)"))

-- quantifiers: * + - ?
print(("aaab"):match("a*"), ("aaab"):match("a+"), ("aaab"):match("a-b"), ("aaab"):match("a?"))
print(("<a><b>"):match("<(.*)>"), ("<a><b>"):match("<(.-)>"))
print(("color colour"):gsub("colou?r", "C"))
print(("xyz"):match("a*"), ("xyz"):match("^(a*)x"))
print(("12abc"):match("^%d+"), ("abc"):match("^%d*$"))

-- position captures
print(("hello"):match("()ll()"))
print(("aXbXc"):gsub("()X", "%1"))

-- balanced match %b
print(("f(a(b)c) g(d)"):match("%b()"))
print(("[[nested] [x]]"):match("%b[]"))
print(("if x then y end"):gsub("%bif", "<>"))
local calls = {}
for c in ("f(1) g(2, h(3)) k()"):gmatch("%a%b()") do calls[#calls + 1] = c end
print(table.concat(calls, " | "))

-- frontier pattern %f
print(("THE (quick) fox"):gsub("%f[%a]%a+", "W"))
print(("hello world"):gsub("%f[%w]%w+", function(w) return w:upper() end))
local whole = {}
for w in ("the then theme the"):gmatch("%f[%a]the%f[%A]") do whole[#whole + 1] = w end
print("whole-word 'the':", #whole)
print(("aaa bbb"):find("%f[%S]", 2))

-- backreferences
print(("hello 'quoted' text"):match("(['\"])(.-)%1"))
print(("abcabc xyzxy"):match("(%a+)%1"))
print(("aa bb cd ee"):gsub("(%a)%1", "<%1%1>"))

-- escaping magic characters
print(("1.5+2*3"):gsub("[%.%+%*]", " "))
print(("100%"):gsub("%%", " percent"))
print(("a.b"):match("^(.-)%.(.*)$"))

-- pattern errors
local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end
print(pcall(string.find, "x", "[a"))
print(pcall(string.find, "x", "%"))
print(pcall(string.match, "x", "(x"))
print(pcall(string.gsub, "x", "x)", ""))
print(pcall(string.find, "x", "%1"))
print(pcall(string.find, "x", "%b"))
print(pcall(string.find, "x", "%f"))
