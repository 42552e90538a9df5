-- Helpers shared by the generators: turn Lua values into Rust source.
local M = {}

-- A Lua byte string as a Rust byte-string literal.
function M.bytes(s)
  local out = {}
  for i = 1, #s do
    local c = s:byte(i)
    if c == 34 then out[#out+1] = '\\"'
    elseif c == 92 then out[#out+1] = '\\\\'
    elseif c >= 32 and c < 127 then out[#out+1] = string.char(c)
    else out[#out+1] = string.format("\\x%02x", c) end
  end
  return 'b"' .. table.concat(out) .. '"'
end

function M.floatbits(x)
  return string.format("0x%016x", string.unpack("<i8", string.pack("<d", x)))
end

-- A Lua value as a crate `Arg`.
function M.value(v)
  local t = type(v)
  if t == "nil" then return "Arg::Nil"
  elseif t == "boolean" then return "Arg::Bool(" .. tostring(v) .. ")"
  elseif math.type(v) == "integer" then
    if v == math.mininteger then return "Arg::Int(i64::MIN)" end
    return "Arg::Int(" .. string.format("%d", v) .. ")"
  elseif math.type(v) == "float" then
    return "Arg::Float(f64::from_bits(" .. M.floatbits(v) .. "))"
  elseif t == "string" then return "Arg::Str(" .. M.bytes(v) .. ".to_vec())"
  else return 'Arg::Other("' .. t .. '")' end
end

-- Render a list of results the way the Rust tests render theirs.
function M.render(t, first, last)
  local out = {}
  for i = first, last do
    local v = t[i]
    if type(v) == "string" then out[#out+1] = string.format("%q", v)
    else out[#out+1] = tostring(v) end
  end
  return table.concat(out, " ")
end

return M
