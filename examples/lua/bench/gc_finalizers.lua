-- gc_finalizers.lua: objects with __gc finalizers, written for this suite.
--
-- Creates many small objects whose metatable has a __gc metamethod (set before the metatable
-- is attached, as Lua requires), most dying at once, some kept in a ring buffer so they die
-- at varied ages, and a few resurrected by their finalizer into a global list (which is then
-- dropped). The finalizers increment a counter. Ordinary garbage is mixed in so collections
-- happen throughout. It measures finalizer registration, the collector's handling of
-- finalizable objects (separate queue, resurrection, later sweep) and running finalizers.
--
-- At the end the ring is dropped and collectgarbage() is called twice. Only deterministic
-- facts are printed: how many objects were created and whether any finalizer ran; how many
-- ran, and when, depends on the collector.
--
-- Usage: lua gc_finalizers.lua [objects]   (default 1000000)

local objects = arg and arg[1] and math.floor(arg[1]) or 1000000
local ring_size = 256

local finalized = 0
local resurrected = {}

local mt = {
  __gc = function(o)
    finalized = finalized + 1
    -- resurrect one in a thousand, briefly
    if o.id % 1000 == 0 then resurrected[#resurrected + 1] = o end
  end,
}

local created = 0
local ring = {}
local sum = 0
for i = 1, objects do
  local o = setmetatable({ id = i, data = { i, i * 2 } }, mt)
  created = created + 1
  sum = sum + o.data[2]
  if i % 8 == 0 then ring[i % ring_size + 1] = o end
  -- ordinary garbage in between
  local g = { i, { i } }
  sum = sum - g[2][1]
  if #resurrected > 64 then resurrected = {} end
end

ring = nil
resurrected = {}
collectgarbage()
collectgarbage()

print("created", created, "sum", sum)
print("some finalizers ran", finalized > 0)
