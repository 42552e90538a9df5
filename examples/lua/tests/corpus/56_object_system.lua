-- a small object system with inheritance, super calls, mixins, properties
local Object = {}
Object.__index = Object
Object.__name_ = "Object"
function Object:extend(name)
  local cls = {}
  for k, v in pairs(self) do
    if type(k) == "string" and k:find("^__") then cls[k] = v end
  end
  cls.__index = cls
  cls.__name_ = name
  cls.super = self
  return setmetatable(cls, self)
end
function Object:new(...)
  local o = setmetatable({}, self)
  o:init(...)
  return o
end
function Object:init() end
function Object:is(cls)
  local m = getmetatable(self)
  while m do
    if rawequal(m, cls) then return true end -- rawequal: classes may define __eq
    m = getmetatable(m)
  end
  return false
end
function Object:__tostring() return self.__name_ .. "()" end
function Object:implement(mixin)
  for k, v in pairs(mixin) do if self[k] == nil then self[k] = v end end
end

local Point = Object:extend("Point")
function Point:init(x, y) self.x, self.y = x or 0, y or 0 end
function Point:__tostring() return string.format("Point(%g, %g)", self.x, self.y) end
function Point.__add(a, b) return Point:new(a.x + b.x, a.y + b.y) end
function Point.__eq(a, b) return a.x == b.x and a.y == b.y end
function Point:len() return math.sqrt(self.x ^ 2 + self.y ^ 2) end

local Point3 = Point:extend("Point3")
function Point3:init(x, y, z) Point3.super.init(self, x, y); self.z = z or 0 end
function Point3:__tostring() return string.format("Point3(%g, %g, %g)", self.x, self.y, self.z) end
function Point3:len() return math.sqrt(Point.len(self) ^ 2 + self.z ^ 2) end

local p1, p2 = Point:new(1, 2), Point:new(3, 4)
print(tostring(p1), tostring(p1 + p2), p2:len(), p1 == Point:new(1, 2))
local q = Point3:new(2, 3, 6)
print(tostring(q), q:len(), q:is(Point3), q:is(Point), q:is(Object), p1:is(Point3))
print(tostring(q + q)) -- __add inherited: produces a Point

-- mixins
local Comparable = {
  __lt = function(a, b) return a:key() < b:key() end,
  __le = function(a, b) return a:key() <= b:key() end,
  max = function(self, other) if self < other then return other end return self end,
}
local Money = Object:extend("Money")
function Money:init(cents) self.cents = cents end
function Money:key() return self.cents end
function Money:__tostring() return string.format("$%d.%02d", self.cents // 100, self.cents % 100) end
Money:implement(Comparable)
local a, b = Money:new(1999), Money:new(250)
print(tostring(a), tostring(b), b < a, a <= b, tostring(a:max(b)))
local wallet = {Money:new(500), Money:new(5), Money:new(12345), Money:new(99)}
table.sort(wallet)
local out = {}
for i, m in ipairs(wallet) do out[i] = tostring(m) end
print(table.concat(out, " "))

-- properties via __index/__newindex functions
local Temp = Object:extend("Temp")
function Temp:init(c) rawset(self, "_c", c) end
Temp.__index = function(t, k)
  if k == "f" then return t._c * 9 / 5 + 32 end
  if k == "c" then return t._c end
  return Temp[k]
end
Temp.__newindex = function(t, k, v)
  if k == "f" then rawset(t, "_c", (v - 32) * 5 / 9)
  elseif k == "c" then rawset(t, "_c", v)
  else error("unknown property " .. k, 2) end
end
local t = Temp:new(100)
print(t.c, t.f)
t.f = 32
print(t.c, t.f)
local ok, err = pcall(function() t.kelvin = 0 end)
print(ok, (err:gsub("^[^:]*:%d+: ", "")))
print(t:is(Temp), t:is(Point))

-- class counter via closure-based static field
local Counter = Object:extend("Counter")
local created = 0
function Counter:init() created = created + 1; self.id = created end
for _ = 1, 3 do Counter:new() end
print("created", created, Counter:new().id)
