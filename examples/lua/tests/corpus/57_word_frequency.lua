-- word frequency count with sorted output
local text = [[
It was the best of times, it was the worst of times, it was the age of wisdom,
it was the age of foolishness, it was the epoch of belief, it was the epoch of
incredulity, it was the season of Light, it was the season of Darkness, it was
the spring of hope, it was the winter of despair, we had everything before us,
we had nothing before us, we were all going direct to Heaven, we were all going
direct the other way.
]]

local freq, total, order = {}, 0, {}
for word in text:lower():gmatch("%a+") do
  total = total + 1
  if not freq[word] then freq[word] = 0; order[#order + 1] = word end
  freq[word] = freq[word] + 1
end
print("total words", total, "distinct", #order)
print("first seen", table.concat(order, " ", 1, 8))

local list = {}
for w, c in pairs(freq) do list[#list + 1] = {word = w, count = c} end
table.sort(list, function(a, b)
  if a.count ~= b.count then return a.count > b.count end
  return a.word < b.word
end)
for i = 1, 10 do
  print(string.format("%2d. %-12s %3d %s", i, list[i].word, list[i].count, string.rep("*", list[i].count)))
end

-- words appearing exactly once, alphabetically
local once = {}
for _, e in ipairs(list) do if e.count == 1 then once[#once + 1] = e.word end end
table.sort(once)
print("hapax:", table.concat(once, ","))

-- letter frequency
local letters = {}
for c in text:lower():gmatch("%a") do letters[c] = (letters[c] or 0) + 1 end
local ls = {}
for c, n in pairs(letters) do ls[#ls + 1] = c end
table.sort(ls, function(a, b) if letters[a] ~= letters[b] then return letters[a] > letters[b] end return a < b end)
local top = {}
for i = 1, 5 do top[i] = ls[i] .. "=" .. letters[ls[i]] end
print("top letters", table.concat(top, " "))

-- word lengths histogram
local hist = {}
local maxlen = 0
for w in pairs(freq) do
  local l = #w
  hist[l] = (hist[l] or 0) + freq[w]
  if l > maxlen then maxlen = l end
end
for l = 1, maxlen do
  if hist[l] then print(string.format("len %2d: %d", l, hist[l])) end
end

-- bigrams
local prev
local bigrams = {}
for word in text:lower():gmatch("%a+") do
  if prev then
    local bg = prev .. " " .. word
    bigrams[bg] = (bigrams[bg] or 0) + 1
  end
  prev = word
end
local bl = {}
for bg, n in pairs(bigrams) do if n >= 3 then bl[#bl + 1] = bg .. ":" .. n end end
table.sort(bl)
print(table.concat(bl, ", "))
