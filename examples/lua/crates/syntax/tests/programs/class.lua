-- A small class system with inheritance, mixins and properties.
local Object = {}
Object.__index = Object

function Object:extend(name)
  local cls = {}
  for k, v in pairs(self) do
    if k:find("__") == 1 then
      cls[k] = v
    end
  end
  cls.__index = cls
  cls.super = self
  cls.name = name or "anonymous"
  return setmetatable(cls, self)
end

function Object:new(...)
  local obj = setmetatable({}, self)
  obj:init(...)
  return obj
end

function Object:init() end

function Object:is(T)
  local mt = getmetatable(self)
  while mt do
    if rawequal(mt, T) then return true end
    mt = getmetatable(mt)
  end
  return false
end

function Object.__tostring(self)
  return ("<%s>"):format(getmetatable(self).name or "Object")
end

local function mixin(cls, ...)
  for i = 1, select("#", ...) do
    local m = select(i, ...)
    for k, v in pairs(m) do
      if cls[k] == nil then cls[k] = v end
    end
  end
  return cls
end

local Point = Object:extend("Point")

function Point:init(x, y)
  self.x, self.y = x or 0, y or 0
end

function Point.__add(a, b)
  return Point:new(a.x + b.x, a.y + b.y)
end

function Point.__eq(a, b)
  return a.x == b.x and a.y == b.y
end

function Point:length()
  return math.sqrt(self.x ^ 2 + self.y ^ 2)
end

local Point3 = Point:extend("Point3")

function Point3:init(x, y, z)
  Point3.super.init(self, x, y)
  self.z = z or 0
end

local Comparable = {
  less = function(a, b) return a:length() < b:length() end,
}
mixin(Point, Comparable)

local counter = 0
local function track(cls)
  local old = cls.init
  cls.init = function(self, ...)
    counter = counter + 1
    return old(self, ...)
  end
end
track(Point3)

local p = Point:new(3, 4)
local q = Point3:new(1, 2, 3)
assert(p:length() == 5)
assert(q:is(Point) and q:is(Object) and not p:is(Point3))
assert((p + p) == Point:new(6, 8))
assert(q:less(p))
print(tostring(p), counter, #{p, q}, -p.x // 2 | 0 ~ 1 << 2)
