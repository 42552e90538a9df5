-- method_dispatch.lua: object-oriented Lua through metatables, written for this suite.
--
-- A small class library (class(parent) builds a class table whose metatable's __index is the
-- parent, so method lookups walk a chain; __call on the class constructs instances), a
-- hierarchy Shape -> Rect -> Square and Shape -> Circle -> Ring, and a Point class with __eq.
-- The main loop creates objects and calls methods through `obj:m()`, most of them found one to
-- three __index links up the chain, some overridden, some calling the parent's version
-- explicitly; an object with an __index *function* supplies computed defaults; and Point values
-- are compared with == (__eq) and used with __len and __tostring-free accessors.
-- It measures method lookup through __index chains, self calls, metamethod dispatch and the
-- garbage of short-lived objects.
--
-- Only __index, __call, __eq and __len are used as metamethods so that piccolo 0.3.3 (which
-- has no arithmetic or ordering metamethods) can run it too.
--
-- Usage: lua method_dispatch.lua [iterations]   (default 300000)
-- Output: integer checksums.

local iterations = arg and arg[1] and math.floor(arg[1]) or 300000

local function class(parent)
  local c = {}
  c.__index = c
  local mt = {
    __call = function(cls, ...)
      local obj = setmetatable({}, cls)
      obj:init(...)
      return obj
    end,
  }
  if parent then mt.__index = parent end
  c.super = parent
  return setmetatable(c, mt)
end

local Shape = class()
function Shape:init(name) self.name = name; self.moves = 0 end
function Shape:move(dx, dy) self.x = (self.x or 0) + dx; self.y = (self.y or 0) + dy; self.moves = self.moves + 1 end
function Shape:area() return 0 end
function Shape:perimeter() return 0 end
function Shape:weight() return self:area() + self:perimeter() + self.moves end
function Shape:kind() return 1 end

local Rect = class(Shape)
function Rect:init(w, h) Shape.init(self, "rect"); self.w = w; self.h = h end
function Rect:area() return self.w * self.h end
function Rect:perimeter() return 2 * (self.w + self.h) end
function Rect:kind() return 2 end

local Square = class(Rect)
function Square:init(s) Rect.init(self, s, s) end
function Square:kind() return 3 + Rect.kind(self) end

local Circle = class(Shape)
function Circle:init(r) Shape.init(self, "circle"); self.r = r end
-- integer "areas" (3r^2, 6r) so the checksum stays exact everywhere
function Circle:area() return 3 * self.r * self.r end
function Circle:perimeter() return 6 * self.r end
function Circle:kind() return 4 end

local Ring = class(Circle)
function Ring:init(r, inner) Circle.init(self, r); self.inner = inner end
function Ring:area() return Circle.area(self) - 3 * self.inner * self.inner end
function Ring:kind() return 5 end

-- Points: value objects compared with __eq; #p is its Manhattan length.
local Point = class()
Point.__eq = function(a, b) return a.x == b.x and a.y == b.y end
Point.__len = function(p) return (p.x < 0 and -p.x or p.x) + (p.y < 0 and -p.y or p.y) end
function Point:init(x, y) self.x = x; self.y = y end
function Point:plus(o) return Point(self.x + o.x, self.y + o.y) end
function Point:scaled(k) return Point(self.x * k, self.y * k) end

-- Defaults computed by an __index function (a config object with fallback values).
local defaults = setmetatable({ scale = 2 }, {
  __index = function(t, k)
    if k == "bias" then return 7 end
    if k == "limit" then return 1000 end
    return 0
  end,
})

local classes = { Rect, Square, Circle, Ring }
local weight_sum, kind_sum, eq_hits, len_sum = 0, 0, 0, 0
local origin = Point(0, 0)
local pool = {}

for i = 1, iterations do
  local c = i % 4 + 1
  local obj
  if c == 1 then obj = Rect(i % 13 + 1, i % 7 + 1)
  elseif c == 2 then obj = Square(i % 11 + 1)
  elseif c == 3 then obj = Circle(i % 9 + 1)
  else obj = Ring(i % 9 + 3, i % 3 + 1) end

  obj:move(1, -1)
  obj:move(i % 5, 2)
  weight_sum = weight_sum + obj:weight() * defaults.scale + defaults.bias
  kind_sum = kind_sum + obj:kind() + defaults.missing

  -- keep a few objects around so some survive for a while
  pool[i % 64 + 1] = obj

  local p = Point(obj.x, obj.y):plus(Point(-1, 1)):scaled(i % 3)
  if p == origin then eq_hits = eq_hits + 1 end
  if p == Point(p.x, p.y) then eq_hits = eq_hits + 1 end
  len_sum = len_sum + #p
  if len_sum > defaults.limit * 1000000 then len_sum = len_sum - defaults.limit * 1000000 end
end

local pool_weight = 0
for i = 1, #pool do pool_weight = pool_weight + pool[i]:weight() end
assert(classes[1] == Rect and Square.super == Rect and Ring.super.super == Shape)

print("iterations", iterations)
print("weight_sum", weight_sum, "kind_sum", kind_sum)
print("eq_hits", eq_hits, "len_sum", len_sum, "pool_weight", pool_weight)
