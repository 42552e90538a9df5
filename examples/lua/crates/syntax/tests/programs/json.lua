-- A JSON serializer and parser.
local json = {}

local escapes = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}

local function escape_char(c)
  return escapes[c] or string.format("\\u%04x", c:byte())
end

local function is_array(t)
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k <= 0 then return false end
    n = math.max(n, k)
  end
  return n == #t
end

local encode

local function encode_table(t, stack, out)
  if stack[t] then error("circular reference") end
  stack[t] = true
  if is_array(t) then
    out[#out + 1] = "["
    for i, v in ipairs(t) do
      if i > 1 then out[#out + 1] = "," end
      encode(v, stack, out)
    end
    out[#out + 1] = "]"
  else
    local keys = {}
    for k in pairs(t) do
      if type(k) ~= "string" then error("invalid key type: " .. type(k)) end
      keys[#keys + 1] = k
    end
    table.sort(keys)
    out[#out + 1] = "{"
    for i, k in ipairs(keys) do
      if i > 1 then out[#out + 1] = "," end
      encode(k, stack, out)
      out[#out + 1] = ":"
      encode(t[k], stack, out)
    end
    out[#out + 1] = "}"
  end
  stack[t] = nil
end

encode = function(v, stack, out)
  local kind = type(v)
  if kind == "nil" then
    out[#out + 1] = "null"
  elseif kind == "boolean" then
    out[#out + 1] = tostring(v)
  elseif kind == "number" then
    if v ~= v or v == math.huge or v == -math.huge then
      error("unexpected number value '" .. tostring(v) .. "'")
    end
    out[#out + 1] = math.type(v) == "integer" and tostring(v) or string.format("%.14g", v)
  elseif kind == "string" then
    out[#out + 1] = '"' .. v:gsub('[%c"\\]', escape_char) .. '"'
  elseif kind == "table" then
    encode_table(v, stack, out)
  else
    error("unexpected type '" .. kind .. "'")
  end
end

function json.encode(v)
  local out = {}
  encode(v, {}, out)
  return table.concat(out)
end

local function decode_error(str, idx, msg)
  local line, col = 1, 1
  for i = 1, idx - 1 do
    col = col + 1
    if str:sub(i, i) == "\n" then line, col = line + 1, 1 end
  end
  error(string.format("%s at line %d col %d", msg, line, col))
end

local decode_value

local function skip(str, i)
  local _, e = str:find("^[ \n\r\t]*", i)
  return e + 1
end

local literals = { ["true"] = true, ["false"] = false, ["null"] = nil }

local function decode_string(str, i)
  local res, j = {}, i + 1
  while true do
    local c = str:sub(j, j)
    if c == "" then decode_error(str, j, "unterminated string")
    elseif c == '"' then break
    elseif c == "\\" then
      local n = str:sub(j + 1, j + 1)
      local map = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }
      if n == "u" then
        local hex = str:sub(j + 2, j + 5)
        res[#res + 1] = utf8.char(tonumber(hex, 16))
        j = j + 6
        goto continue
      end
      res[#res + 1] = map[n] or n
      j = j + 2
      goto continue
    end
    res[#res + 1] = c
    j = j + 1
    ::continue::
  end
  return table.concat(res), j + 1
end

function decode_value(str, i)
  i = skip(str, i)
  local c = str:sub(i, i)
  if c == "{" then
    local obj = {}
    i = skip(str, i + 1)
    if str:sub(i, i) == "}" then return obj, i + 1 end
    repeat
      local key
      key, i = decode_string(str, skip(str, i))
      i = skip(str, i)
      if str:sub(i, i) ~= ":" then decode_error(str, i, "expected ':'") end
      obj[key], i = decode_value(str, i + 1)
      i = skip(str, i)
      local sep = str:sub(i, i)
      i = i + 1
    until sep ~= ","
    return obj, i
  elseif c == "[" then
    local arr, n = {}, 0
    i = skip(str, i + 1)
    if str:sub(i, i) == "]" then return arr, i + 1 end
    while true do
      n = n + 1
      arr[n], i = decode_value(str, i)
      i = skip(str, i)
      local sep = str:sub(i, i)
      i = i + 1
      if sep == "]" then break end
      if sep ~= "," then decode_error(str, i, "expected ',' or ']'") end
    end
    return arr, i
  elseif c == '"' then
    return decode_string(str, i)
  else
    local num = str:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    if num then return tonumber(num), i + #num end
    for word, value in pairs(literals) do
      if str:sub(i, i + #word - 1) == word then return value, i + #word end
    end
    if str:sub(i, i + 3) == "null" then return nil, i + 4 end
    decode_error(str, i, "unexpected character '" .. c .. "'")
  end
end

function json.decode(str)
  local value, i = decode_value(str, 1)
  i = skip(str, i)
  if i <= #str then decode_error(str, i, "trailing garbage") end
  return value
end

local doc = { name = "lua", list = { 1, 2.5, "three", true }, nested = { a = { b = {} } } }
local text = json.encode(doc)
assert(json.decode(text).list[3] == "three")
print(text, json.encode("tab\tquote\"\0"))
return json
