-- table_churn.lua: hash-table churn with string and integer keys, written for this suite.
--
-- One table is used as a sliding-window map: each step inserts a fresh string key ("s" .. i,
-- a new string every time) and an integer key (a scattered one, i * 7919 % 2^20, holding a
-- small table), and deletes the two keys inserted `window` steps earlier, so the table's hash
-- part keeps filling, emptying and rehashing. Every step also looks up a pseudo-random
-- earlier key (some still present, some already deleted), and every `scan_every` steps the
-- live entries are summed with pairs(). It measures table insert/delete/lookup speed, string
-- creation and hashing, and the garbage of dead keys and value tables.
--
-- Usage: lua table_churn.lua [steps]   (default 1000000)
-- Output: counts and sums that do not depend on iteration order.

local steps = arg and arg[1] and math.floor(arg[1]) or 1000000
local window = 5000
local scan_every = 20000

local map = {}
local live = 0
local hits, misses = 0, 0
local lookup_sum = 0
local scan_sum = 0
local seed = 12345

local function int_key(i)
  return (i * 7919) % 1048576 + 1048576
end

for i = 1, steps do
  -- insert a string key and an integer key
  map["s" .. i] = i
  map[int_key(i)] = { i, i % 7 }
  live = live + 2

  -- delete what was inserted `window` steps ago
  local old = i - window
  if old >= 1 then
    map["s" .. old] = nil
    map[int_key(old)] = nil
    live = live - 2
  end

  -- look up a pseudo-random earlier key (present iff within the window)
  seed = (seed * 1103515245 + 12345) % 2147483648
  local j = i - seed % (2 * window)
  if j >= 1 then
    local v = map["s" .. j]
    local t = map[int_key(j)]
    if v then
      hits = hits + 1
      lookup_sum = lookup_sum + v + t[2]
    else
      misses = misses + 1
    end
  end

  -- now and then, walk the whole live table (order-independent sums)
  if i % scan_every == 0 then
    local n = 0
    for k, v in pairs(map) do
      n = n + 1
      if type(k) == "string" then
        scan_sum = scan_sum + v
      else
        scan_sum = scan_sum + v[1] % 1000
      end
    end
    assert(n == live, "live count")
  end
end

local remaining = 0
for _ in pairs(map) do remaining = remaining + 1 end

print("steps", steps, "live", live, "remaining", remaining)
print("hits", hits, "misses", misses, "lookup_sum", lookup_sum)
print("scan_sum", scan_sum)
