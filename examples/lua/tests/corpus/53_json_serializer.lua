-- a JSON-like serializer with sorted keys, and a tiny parser for round-trip
local function isarray(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do if t[i] == nil then return false end end
  return true, n
end

local escapes = {['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r"}
local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function serialize(v, indent, depth)
  depth = depth or 0
  local ty = type(v)
  if ty == "nil" then return "null"
  elseif ty == "boolean" then return tostring(v)
  elseif ty == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    return string.format("%.14g", v)
  elseif ty == "string" then return quote(v)
  elseif ty == "table" then
    local arr, n = isarray(v)
    local pad = indent and ("\n" .. string.rep(indent, depth + 1)) or ""
    local close = indent and ("\n" .. string.rep(indent, depth)) or ""
    local parts = {}
    if arr then
      if n == 0 then return "[]" end
      for i = 1, n do parts[i] = pad .. serialize(v[i], indent, depth + 1) end
      return "[" .. table.concat(parts, ",") .. close .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    for i, k in ipairs(keys) do
      local val = v[k]
      if val == nil then val = v[tonumber(k)] end
      parts[i] = pad .. quote(k) .. (indent and ": " or ":") .. serialize(val, indent, depth + 1)
    end
    return "{" .. table.concat(parts, ",") .. close .. "}"
  end
  error("cannot serialize " .. ty, 0)
end

local data = {
  name = "corpus", version = 5.4, count = 3, active = true,
  tags = {"lua", "test", "json"},
  nested = {z = 1, a = {deep = {1, 2, {x = "y"}}}, m = {}},
  text = 'quote " backslash \\ newline \n tab \t bell \7',
  mixed = {[1] = "one", [3] = "three"},
  float = 0.1, big = 1e20, neg = -17,
}
print(serialize(data))
print(serialize(data, "  "))
print(serialize({}), serialize({{}}), serialize("x"), serialize(nil), serialize(-0.0))
print(pcall(serialize, {f = print}))

-- a tiny parser for the compact form, used to check round trip
local function parse(s)
  local pos = 1
  local function ws() pos = s:find("[^ \n\t]", pos) or #s + 1 end
  local value
  local function str()
    local out = {}
    pos = pos + 1
    while true do
      local c = s:sub(pos, pos)
      if c == '"' then pos = pos + 1 break end
      if c == "\\" then
        local e = s:sub(pos + 1, pos + 1)
        local map = {n = "\n", t = "\t", r = "\r", ['"'] = '"', ["\\"] = "\\"}
        if e == "u" then out[#out + 1] = string.char(tonumber(s:sub(pos + 2, pos + 5), 16)); pos = pos + 6
        else out[#out + 1] = map[e]; pos = pos + 2 end
      else out[#out + 1] = c; pos = pos + 1 end
    end
    return table.concat(out)
  end
  function value()
    ws()
    local c = s:sub(pos, pos)
    if c == "{" then
      local t = {}
      pos = pos + 1; ws()
      if s:sub(pos, pos) == "}" then pos = pos + 1 return t end
      repeat
        ws(); local k = str(); ws(); pos = pos + 1
        t[k] = value(); ws()
        local sep = s:sub(pos, pos); pos = pos + 1
      until sep == "}"
      return t
    elseif c == "[" then
      local t = {}
      pos = pos + 1; ws()
      if s:sub(pos, pos) == "]" then pos = pos + 1 return t end
      repeat
        t[#t + 1] = value(); ws()
        local sep = s:sub(pos, pos); pos = pos + 1
      until sep == "]"
      return t
    elseif c == '"' then return str()
    elseif s:find("^true", pos) then pos = pos + 4 return true
    elseif s:find("^false", pos) then pos = pos + 5 return false
    elseif s:find("^null", pos) then pos = pos + 4 return nil
    else
      local num = s:match("^-?[%d%.eE+]+", pos)
      pos = pos + #num
      return math.tointeger(tonumber(num)) or tonumber(num)
    end
  end
  return value()
end
local compact = serialize(data)
local back = parse(compact)
print("round trip equal", serialize(back) == compact)
print(back.nested.a.deep[3].x, back.tags[2], back.text == data.text, back.count, back.version)
