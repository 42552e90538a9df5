-- long_loop.lua: an allocating loop of N iterations (default 100,000,000), for the heap's
-- flatness: peak RSS must not grow with N. Each iteration makes a table and a string;
-- every millionth one is kept (100 objects at the default size).
--
-- Usage: lua long_loop.lua [iterations]
local n = arg and arg[1] and math.floor(arg[1]) or 100000000
local kept, sum = {}, 0
for i = 1, n do
  local t = {i, i + 1}
  sum = sum + t[2] - t[1]
  if i % 1000000 == 0 then kept[#kept + 1] = tostring(i) end
end
print(sum, #kept, kept[#kept])
