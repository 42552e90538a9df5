-- string.gsub with string, table and function replacements, max count
print(("hello world"):gsub("o", "0"))
print(("hello world"):gsub("o", "0", 1))
print(("hello world"):gsub("o", "0", 0))
print(("hello world"):gsub("", "-"))
print(("abc"):gsub(".", "%0%0"))
print(("hello world"):gsub("(%w+)", "<%1>"))
print(("hello world"):gsub("(%w+) (%w+)", "%2 %1"))
print(("50%"):gsub("%%", "%%%%"))
print(("x"):gsub("x", "%%"))

-- table replacement
local vars = {name = "Lua", version = "5.4"}
print(("$name is at version $version, $unknown stays"):gsub("%$(%w+)", vars))
-- table value false/nil keeps original match
print(("a b c"):gsub("%a", {a = "A", b = false}))

-- function replacement
print(("1 2 3 4"):gsub("%d", function(d) return d * d end))
print(("hello"):gsub(".", function(c) return c:byte() .. " " end))
print(("keep drop keep"):gsub("%a+", function(w) if w == "drop" then return "" end end))
print(("a=1,b=2"):gsub("(%w)=(%w)", function(k, v) return v .. "=" .. k end))
print(("abc"):gsub("()", function(p) return p end))

-- count returned
local text = "one fish two fish red fish blue fish"
local _, n = text:gsub("fish", "fish")
print("fish count", n)
local _, spaces = text:gsub(" ", "")
print("spaces", spaces)

-- max count with function
local calls = 0
print(("aaaa"):gsub("a", function() calls = calls + 1 return "b" end, 2), calls)

-- anchored gsub
print(("aaa"):gsub("^a", "b"))
print(("  trim  "):gsub("^%s+", ""))

-- invalid replacement
local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end
local ok, e = pcall(string.gsub, "abc", "b", "%2")
print(ok, strip(e))
ok, e = pcall(string.gsub, "abc", "b", {}, "x")
print(ok, strip(e))
ok, e = pcall(string.gsub, "abc", "(b)", function() return {} end)
print(ok, strip(e))
ok, e = pcall(string.gsub, "abc", "b", "%z")
print(ok, strip(e))

-- numeric replacement values
print(("x y"):gsub("%a", {x = 1, y = 2.5}))
print(("x"):gsub("x", 7))

-- practical: escape HTML
local function escape(s)
  return (s:gsub("[<>&\"]", {["<"] = "&lt;", [">"] = "&gt;", ["&"] = "&amp;", ['"'] = "&quot;"}))
end
print(escape('<a href="x">Tom & Jerry</a>'))

-- practical: camelCase to snake_case
print((("camelCaseStringHere"):gsub("(%u)", function(c) return "_" .. c:lower() end)))

-- practical: collapse whitespace
print((("  too   many    spaces  "):gsub("%s+", " ")))

-- url decode
print((("hello%20world%21"):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)))

-- gsub with pattern containing captures and %0
print(("abc"):gsub("(b)", "[%0|%1]"))

-- gsub on empty string
print((""):gsub("", "x"))
print((""):gsub("a", "x"))
