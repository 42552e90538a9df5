-- string building in loops: concatenation, table.concat, rep, format
local s = ""
for i = 1, 10 do s = s .. i .. (i < 10 and "," or "") end
print(s, #s)

local parts = {}
for i = 1, 100 do parts[#parts + 1] = string.format("%03d", i) end
local joined = table.concat(parts, "")
print(#joined, joined:sub(1, 12), joined:sub(-6))

-- multiplication table as text
local lines = {}
for i = 1, 5 do
  local row = {}
  for j = 1, 5 do row[j] = string.format("%3d", i * j) end
  lines[i] = table.concat(row)
end
print(table.concat(lines, "\n"))

-- ascii art triangle and diamond
for i = 1, 4 do print(string.rep(" ", 4 - i) .. string.rep("*", 2 * i - 1)) end
for i = 3, 1, -1 do print(string.rep(" ", 4 - i) .. string.rep("*", 2 * i - 1)) end

-- building a large string and checking length and a hash
local buf = {}
for i = 1, 2000 do buf[i] = tostring(i * i) end
local big = table.concat(buf, ";")
local h = 0
for k = 1, #big do h = (h * 33 + big:byte(k)) % 4294967296 end
print(#big, h)

-- repeated concatenation in a loop (quadratic but small)
local acc = ""
for i = 1, 300 do acc = acc .. string.char(97 + i % 26) end
print(#acc, acc:sub(1, 30))

-- string.rep with separators to build CSV
print(string.rep("x", 5, ","), string.rep("ab", 2, "--"))

-- reverse words
local function reverseWords(str)
  local w = {}
  for word in str:gmatch("%S+") do table.insert(w, 1, word) end
  return table.concat(w, " ")
end
print(reverseWords("the quick brown fox"))

-- caesar cipher
local function caesar(str, k)
  return (str:gsub("%a", function(c)
    local base = c:match("%l") and 97 or 65
    return string.char((c:byte() - base + k) % 26 + base)
  end))
end
local enc = caesar("Hello, World!", 3)
print(enc, caesar(enc, -3))

-- run-length encoding
local function rle(str)
  local out = {}
  local i = 1
  while i <= #str do
    local c = str:sub(i, i)
    local j = i
    while str:sub(j + 1, j + 1) == c do j = j + 1 end
    out[#out + 1] = (j - i + 1) .. c
    i = j + 1
  end
  return table.concat(out)
end
print(rle("aaabccddddde"), rle(""), rle("x"))

-- wrap text at width 20
local function wrap(str, width)
  local out, line = {}, ""
  for word in str:gmatch("%S+") do
    if #line + #word + 1 > width and #line > 0 then out[#out + 1] = line; line = word
    else line = (#line > 0) and (line .. " " .. word) or word end
  end
  if #line > 0 then out[#out + 1] = line end
  return out
end
for _, l in ipairs(wrap("Lua is a powerful, efficient, lightweight, embeddable scripting language.", 20)) do
  print("|" .. l .. string.rep(" ", 20 - #l) .. "|")
end
