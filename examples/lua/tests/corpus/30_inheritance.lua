-- class-like OOP with inheritance chains
local Animal = {}
Animal.__index = Animal
function Animal.new(name, sound)
  local self = setmetatable({}, Animal)
  self.name, self.sound = name, sound
  return self
end
function Animal:speak() return self.name .. " says " .. self.sound end
function Animal:kind() return "animal" end

local Dog = setmetatable({}, {__index = Animal})
Dog.__index = Dog
function Dog.new(name)
  local self = Animal.new(name, "woof")
  return setmetatable(self, Dog)
end
function Dog:kind() return "dog" end
function Dog:fetch() return self.name .. " fetches" end

local Puppy = setmetatable({}, {__index = Dog})
Puppy.__index = Puppy
function Puppy.new(name)
  local self = Dog.new(name)
  self.sound = "yip"
  return setmetatable(self, Puppy)
end
function Puppy:kind() return "puppy (" .. Dog.kind(self) .. ")" end

local a, d, p = Animal.new("cat", "meow"), Dog.new("rex"), Puppy.new("bit")
for _, o in ipairs({a, d, p}) do print(o:speak(), o:kind()) end
print(d:fetch(), p:fetch(), a.fetch)

-- isinstance by walking metatables
local function isa(obj, cls)
  local mt = getmetatable(obj)
  while mt do
    if mt == cls then return true end
    local parent = getmetatable(mt)
    mt = parent and parent.__index
  end
  return false
end
print(isa(p, Puppy), isa(p, Dog), isa(p, Animal), isa(d, Puppy), isa(a, Dog))

-- class helper with super and metamethod inheritance
local function class(parent)
  local c = {}
  c.__index = c
  if parent then
    setmetatable(c, {__index = parent})
    for k, v in pairs(parent) do
      if type(k) == "string" and k:sub(1, 2) == "__" and k ~= "__index" then c[k] = v end
    end
  end
  c.super = parent
  c.new = function(...)
    local o = setmetatable({}, c)
    if o.init then o:init(...) end
    return o
  end
  return c
end

local Shape = class()
function Shape:init(name) self.name = name end
function Shape:area() return 0 end
function Shape:describe() return string.format("%s area=%.2f", self.name, self:area()) end
Shape.__tostring = function(s) return "Shape<" .. s.name .. ">" end

local Rect = class(Shape)
function Rect:init(w, h) Rect.super.init(self, "rect"); self.w, self.h = w, h end
function Rect:area() return self.w * self.h end

local Square = class(Rect)
function Square:init(s) Square.super.init(self, s, s); self.name = "square" end

local Circle = class(Shape)
function Circle:init(r) Shape.init(self, "circle"); self.r = r end
function Circle:area() return math.pi * self.r ^ 2 end

local shapes = {Shape.new("blob"), Rect.new(2, 3), Square.new(4), Circle.new(1)}
for _, s in ipairs(shapes) do print(s:describe(), tostring(s)) end

-- overriding then calling parent method explicitly
function Square:describe() return "[" .. Rect.describe(self) .. "]" end
print(shapes[3]:describe())

-- method lookup cost: field on instance shadows class
local sq = Square.new(1)
sq.area = function() return -1 end
print(sq:describe())

-- instances share class table changes
function Shape:tag() return "tag:" .. self.name end
print(shapes[2]:tag(), shapes[4]:tag())
