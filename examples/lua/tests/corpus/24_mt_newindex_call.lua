-- __newindex (table and function) and __call
local log = {}
local t = setmetatable({}, {__newindex = function(t, k, v)
  log[#log + 1] = tostring(k) .. "=" .. tostring(v)
  rawset(t, k, v)
end})
t.a = 1
t.b = 2
t.a = 3 -- exists now: no metamethod
print(table.concat(log, " "), t.a, t.b)

-- __newindex table redirects writes
local store = {}
local redirect = setmetatable({}, {__newindex = store})
redirect.x = 10
print(rawget(redirect, "x"), store.x, redirect.x)

-- read-only table
local function readonly(src)
  return setmetatable({}, {
    __index = src,
    __newindex = function(_, k) error("attempt to modify read-only field " .. tostring(k), 2) end,
  })
end
local ro = readonly({pi = 3.14})
print(ro.pi)
local ok, e = pcall(function() ro.pi = 3 end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))

-- tracking proxy (counts reads and writes)
local function track(inner)
  local reads, writes = 0, 0
  local p = setmetatable({}, {
    __index = function(_, k) reads = reads + 1; return inner[k] end,
    __newindex = function(_, k, v) writes = writes + 1; inner[k] = v end,
  })
  return p, function() return reads, writes end
end
local p, stats = track({})
p.a = 1; p.b = 2; p.a = p.a + p.b
print(p.a, stats())

-- rawset bypasses __newindex
local guarded = setmetatable({}, {__newindex = function() error("no") end})
rawset(guarded, "k", "v")
print(guarded.k)

-- __call
local callable = setmetatable({prefix = ">>"}, {__call = function(self, a, b)
  return self.prefix .. tostring(a) .. "," .. tostring(b), "second"
end})
print(callable(1, 2))
print(callable("x"))
print(pcall(callable, "p", "q"))

-- __call used for class constructors
local Point = {}
Point.__index = Point
setmetatable(Point, {__call = function(cls, x, y) return setmetatable({x = x, y = y}, cls) end})
function Point:str() return "(" .. self.x .. "," .. self.y .. ")" end
local pt = Point(3, 4)
print(pt:str())

-- __call with varargs
local va = setmetatable({}, {__call = function(self, ...) return select('#', ...), ... end})
print(va(nil, nil, 3))

-- calling a table without __call errors
ok, e = pcall(function() local notcallable = {}; notcallable() end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))

-- __newindex chain: table whose metatable __newindex is another proxied table
local final = {}
local middle = setmetatable({}, {__newindex = final})
local top = setmetatable({}, {__newindex = middle})
top.z = 26
print(rawget(top, "z"), rawget(middle, "z"), final.z)
