-- weak_cache.lua: weak tables under churn, written for this suite.
--
-- A memoizing cache whose values are weak (setmetatable({}, {__mode = "v"})) maps string keys
-- from a fixed key space to freshly built record tables. Lookups follow a pseudo-random key
-- sequence; on a miss (never cached, or the collector cleared the entry because nothing else
-- held the record) the record is rebuilt and re-inserted. A fixed set of "pinned" records is
-- also held strongly, so those entries must survive every collection. Alongside, a weak-keyed
-- side table (__mode = "k") attaches metadata to fresh objects that die young, so the
-- collector keeps clearing entries from both tables, and filler garbage keeps it running.
--
-- Everything printed is independent of when collections happen: a lookup yields the same
-- record contents whether it hit or missed, pinned lookups must always find the pinned record,
-- and metadata is read back while its key is still strongly held.
--
-- Usage: lua weak_cache.lua [lookups]   (default 600000)

local lookups = arg and arg[1] and math.floor(arg[1]) or 600000
local key_space = 4096
local pin_every = 16          -- keys 1, 17, 33, ... are pinned

local cache = setmetatable({}, { __mode = "v" })
local meta = setmetatable({}, { __mode = "k" })

local keys = {}
for k = 1, key_space do keys[k] = "rec" .. k end

local built = 0
local function build(k)
  built = built + 1
  local payload = {}
  for j = 1, 8 do payload[j] = k * j end
  return { id = k, name = keys[k], payload = payload }
end

local function get(k)
  local name = keys[k]
  local rec = cache[name]
  if rec == nil then
    rec = build(k)
    cache[name] = rec
  end
  return rec
end

-- pinned records: cached and strongly held for the whole run
local pinned = {}
for k = 1, key_space, pin_every do
  local rec = build(k)
  cache[keys[k]] = rec
  pinned[k] = rec
end

local seed = 2463534242
local checksum = 0
local pinned_lookups, pinned_hits = 0, 0
local meta_sum = 0
local young = {}

for i = 1, lookups do
  seed = (seed * 1103515245 + 12345) % 2147483648
  local k = seed % key_space + 1
  local rec = get(k)
  checksum = (checksum + rec.id + rec.payload[(i % 8) + 1]) % 1000000007

  if pinned[k] then
    pinned_lookups = pinned_lookups + 1
    if rec == pinned[k] then pinned_hits = pinned_hits + 1 end
  end

  -- a fresh object with weak-keyed metadata; the metadata refers back to its key (an
  -- ephemeron: it must not keep the key alive); it is read back while the key is still held
  local obj = { i }
  meta[obj] = { owner = obj, tag = i % 97 }
  young[i % 32 + 1] = obj
  local back = young[(i + 16) % 32 + 1]
  if back then meta_sum = meta_sum + meta[back].tag end

  -- filler garbage
  local filler = { i, i + 1, { i } }
  if filler[3][1] ~= i then error("filler") end
end

print("lookups", lookups, "pinned_lookups", pinned_lookups, "pinned_hits", pinned_hits)
print("checksum", checksum, "meta_sum", meta_sum)
print("pinned entries still cached", (function()
  local n = 0
  for k, rec in pairs(pinned) do
    if cache[keys[k]] == rec then n = n + 1 end
  end
  return n
end)())
