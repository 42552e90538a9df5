-- string_building.lua: building strings, written for this suite.
--
-- Four kinds of string work, each producing fresh strings the collector has to reclaim:
--   1. formatted report lines with string.format (%d, %s, %x, %f, %g, widths and flags),
--      collected into a buffer table and joined with table.concat every `block` lines;
--   2. naive `s = s .. piece` accumulation up to a length limit (quadratic copying);
--   3. slicing the joined blocks back apart with string.sub at fixed offsets;
--   4. padding and separators with string.rep, plus tostring/number concatenation.
-- A rolling hash over sampled bytes (string.byte) and the total lengths are the checksum.
--
-- Usage: lua string_building.lua [lines]   (default 400000)

local lines = arg and arg[1] and math.floor(arg[1]) or 400000
local block = 500

local format, rep, sub, byte, concat = string.format, string.rep, string.sub, string.byte, table.concat

local words = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta" }

local hash = 0
local function mix(s)
  -- hash a few sampled bytes of s, and its length
  local n = #s
  local h = hash
  for i = 1, n, 97 do
    h = (h * 31 + byte(s, i)) % 2147483647
  end
  hash = (h * 31 + n) % 2147483647
end

local total_len = 0
local parts = {}
local naive = ""
local naive_total = 0

for i = 1, lines do
  local w = words[i % #words + 1]
  -- 1. a formatted line
  local line = format("%6d|%-8s|%08x|%7.2f|%g|%s", i, w, (i * 2654435761) % 4294967296,
    (i % 1000) / 8, i / 4, rep("ab", i % 5))
  parts[#parts + 1] = line

  -- 2. naive concatenation, restarted when it gets long
  naive = naive .. w .. i .. ";"
  if #naive > 4000 then
    naive_total = naive_total + #naive
    mix(naive)
    naive = ""
  end

  if i % block == 0 then
    local text = concat(parts, "\n")
    total_len = total_len + #text
    mix(text)
    -- 3. slice the fields back out of each line: every line starts with the same layout
    local fields = {}
    local pos = 1
    for j = 1, #parts do
      local l = parts[j]
      local num = sub(text, pos, pos + 5)
      local word = sub(l, 8, 15)
      local hex = sub(l, 17, 24)
      fields[#fields + 1] = num .. ":" .. word .. ":" .. hex
      pos = pos + #l + 1
    end
    mix(concat(fields, ","))
    -- 4. padding and separators
    local header = rep("=", i % 60 + 10) .. " block " .. (i // block) .. " " .. rep("-+", 20, "|")
    mix(header)
    parts = {}
  end
end

mix(naive)
print("lines", lines, "total_len", total_len, "naive_total", naive_total)
print("hash", hash)
print(format("last line: %s", format("%6d|%-8s|%08x|%7.2f|%g", lines, "end", 255, 1.5, 0.1)))
