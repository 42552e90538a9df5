-- method call syntax a:b(), including on strings
local obj = {name = "obj", count = 0}
function obj:inc(n) self.count = self.count + (n or 1); return self end
function obj.describe(self) return self.name .. ":" .. self.count end
obj:inc():inc(5):inc()
print(obj:describe())
print(obj.describe(obj))
print(obj.inc(obj, 10).count)

-- string methods
print(("x"):rep(3))
print(("ab"):rep(3, "-"))
local s = "Hello World"
print(s:upper(), s:lower(), s:len())
print(s:sub(1, 5), s:sub(-5), s:sub(3, -3))
print(s:byte(1), s:byte(-1))
print(s:find("World"), s:match("(%a+) (%a+)"))
print(s:reverse())
print(("%d items"):format(5))
print(("a,b,c"):gsub(",", ";"))
print(#s, s:len() == #s)

-- chained string methods
print(("  trim me  "):match("^%s*(.-)%s*$"):upper():rep(2, "/"))

-- method on number literal needs string conversion via tostring
print(tostring(42):rep(2))

-- self in nested tables
local outer = {inner = {v = 7}}
function outer.inner:get() return self.v end
print(outer.inner:get())

-- method call on function result
local function make() return {val = 3, twice = function(self) return self.val * 2 end} end
print(make():twice())

-- method defined with colon receives self first
local acc = {total = 0}
function acc:add(...)
  for i = 1, select('#', ...) do self.total = self.total + select(i, ...) end
  return self.total
end
print(acc:add(1, 2, 3), acc:add(4))

-- methods through metatable __index (string metatable)
print(getmetatable("").__index == string)
print(("abc"):upper() == string.upper("abc"))

-- method call on table indexed with a string key expression
local key = "inc"
obj[key](obj, 100)
print(obj.count)

-- calling a method on nil gives error
local ok, err = pcall(function() local t = nil; return t:foo() end)
print(ok, (err:gsub("^[^:]*:%d+: ", "")))
local ok2, err2 = pcall(function() local t = {}; return t:foo() end)
print(ok2, (err2:gsub("^[^:]*:%d+: ", "")))
