-- Generates tests/format_cases.rs from the reference interpreter:
--   lua5.4 tests/gen/format.lua > tests/cases/format_cases.rs
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local C = require("common")
local tbl = {}

local cases = {
  -- integers
  {"%d", 42}, {"%i", -7}, {"%5d|%-5d|%05d", 42, 42, 42}, {"%+d % d %+d", 5, 5, -5},
  {"%.3d|%5.3d|%-5.3d|%05.3d", 5, 5, 5, 5}, {"%.0d|%.0d|%+.0d", 0, 1, 0},
  {"%d", math.mininteger}, {"%d", math.maxinteger}, {"%u", -1}, {"%-5u|%05u", 3, 3},
  {"%x %X %o", 255, 255, 8}, {"%#x %#X %#o %#o %#x %#.0o", 255, 255, 8, 0, 0, 0},
  {"%x", -1}, {"%#10x|%-#10x|%#010x", 255, 255, 255}, {"%.5x|%8.5o", 255, 8},
  {"%d", 3.0}, {"%d", -0.0}, {"%d", 2^53}, {"%d", 3.5}, {"%d", 2^63}, {"%d", "10"},
  {"%d", "3.0"}, {"%d", "0x10"}, {"%d", " 7 "}, {"%d", "x"}, {"%d", {}}, {"%d", nil},
  {"%d", true}, {"%x", 1/0}, {"%d", 0/0}, {"%5.2d", "3.5"},
  {"%99d", 1}, {"%-99d|", 1}, {"%.99d", 1},
  -- chars
  {"%c%c%c", 76, 117, 97}, {"%5c|%-5c|", 65, 65}, {"%c", 256 + 66}, {"%c", 0}, {"%c", -1},
  {"%c", 65.0}, {"%c", 65.5}, {"%c", "x"},
  -- floats
  {"%f", 3.14159}, {"%.2f", 3.14159}, {"%10.3f|%-10.3f|%010.3f", -3.14159, -3.14159, -3.14159},
  {"%+f % f %+.1f", 1.5, 1.5, -1.5}, {"%.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, 3.5},
  {"%.2f %.2f %.1f %.1f", 0.125, 0.375, 0.25, 0.35}, {"%#.0f %#.0e %#g %#.3g", 3.0, 3.0, 1.0, 100.0},
  {"%f", 1e21}, {"%.3f", 5e-324}, {"%f", 1.7976931348623157e308}, {"%.99f", 0.1},
  {"%99.99f", -1e308}, {"%.10f", 1/3}, {"%f", -0.0}, {"%f", 2^63}, {"%f", 7},
  {"%e", 0}, {"%e", 12345.6789}, {"%.3E", 0.000123456}, {"%.0e %.0e %.0e", 0.5, 1.5, 2.5},
  {"%e", 5e-324}, {"%e", 1.7976931348623157e308}, {"%.20e", 0.1}, {"%12.4e|%-12.4e|%012.4e", 1e100, 1e100, -1e-100},
  {"%g", 0}, {"%g %g %g %g", 1e-4, 1e-5, 123456, 1234567}, {"%g", 0.0001234567},
  {"%g %g", 999999.5, 9999995}, {"%.3g %.3g %.3g", 1234, 0.00012345, 99.95},
  {"%.0g %.1g %.0g", 123, 123, 0.5}, {"%G %G", 1e-20, 1e20}, {"%.20g", 0.1}, {"%.17g", 1/3},
  {"%g", 5e-324}, {"%g", 2^63}, {"%#g %#G", 1e-20, 123456789}, {"%+g % g", 1, 1},
  {"%.14g", 2^53}, {"%.14g", 123456789012345}, {"%10g|%-10g|%010g", 1.5, 1.5, -1.5},
  {"%f %e %g", 1/0, -1/0, 0/0}, {"%E %G", 0/0, -(0/0)}, {"%05f|%-6f|%+f|% f", 1/0, 1/0, 1/0, 1/0},
  {"%f", "1e2"}, {"%f", "x"}, {"%f", 10}, {"%.3f", math.mininteger},
  {"%5.1f|%-8.3e|%+g|% g|%#g|%08.2f|%-08.2f|%+08.2f", 3.14159, 3.14159, 1.0, 1.0, 1.0, -3.14159, -3.14159, 3.14159},
  -- hex floats
  {"%a %a %a %a", 1, 0.1, -0.0, 1e308}, {"%A", -2.5}, {"%a", 5e-324}, {"%a", 2.2250738585072014e-308},
  {"%.0a %.0a %.1a %.1a %.1a %.0a", 1.9, 1.5, 1.15625, 1.09375, 1.03125, 0.5},
  {"%.2a %.13a %.14a", 1.0, 0.1, 0.1}, {"%.1a %.0a %.3a", 5e-324, 5e-324, 2.225073858507201e-308},
  {"%+a|% a|%#a|%010a|%-10a|%10a|%#.0a", 1, 1, 1, 1, 1, 1, 1}, {"%a %A %010a", 1/0, 0/0, -1/0},
  {"%.3a", 0}, {"%a", 1/3}, {"%a", 2^63}, {"%a", "0x10"}, {"%.0a", 0x1.fffffffffffffp1023},
  -- strings
  {"%s", "hello"}, {"%s %s %s", 1, 1.5, 2^63}, {"%s %s", nil, false}, {"%5s|%-5s|%.1s|%.0s|", "ab", "ab", "ab", "ab"},
  {"%5.2s|", "abc"}, {"%.s|%5.s|", "abc", "abc"}, {"%s", "a\0b"}, {"%10s", "a\0b"}, {"%.1s", "a\0b"},
  {"%s", string.rep("x", 150)}, {"%5s", string.rep("y", 120)}, {"%.3s", string.rep("z", 120)},
  {"%-99s|", "w"}, {"%s", -0.0}, {"%s", 1e15}, {"%s", math.mininteger},
  -- %q
  {"%q", "a\rb\0c\0001\n\"\\\1272\200"}, {"%q", "tab\there\127x\0279"}, {"%q", ""},
  {"%q", "\0\1\0012\255"}, {"%q", "\r\n\t\v\f\a\b"},
  {"%q %q %q %q %q", 1/0, -1/0, 0/0, math.mininteger, 2^63}, {"%q %q %q", 1.0, 0.1, -0.0},
  {"%q %q %q", 42, -42, math.maxinteger}, {"%q %q %q", nil, true, false}, {"%q", {}},
  {"%q", 5e-324}, {"%q", 1e100}, {"%10q", 1}, {"%-q", "x"}, {"%#q", "y"},
  -- misc and errors
  {"%%"}, {"100%% sure %s", "!"}, {"no items"}, {""}, {"%"}, {"%", 1}, {"%5", 1}, {"abc%"},
  {"%y"}, {"%y", 1}, {"%-y", 1}, {"%#y", 1}, {"%F", 1}, {"%n", 1}, {"%ld", 1}, {"%hd", 1},
  {"%5.2%", 1}, {"%5.2%"}, {"%s %s", 1}, {"%d %d", 1},
  {"%" .. ("1"):rep(25) .. "d", 1}, {"%" .. ("-"):rep(20) .. "d", 1}, {"%" .. ("-"):rep(19) .. "d", 1},
  {"%123d", 1}, {"%.123f", 1}, {"%100f", 1}, {"%.100f", 1}, {"%1.2.3f", 1},
  {"%#d", 1}, {"%#d", "x"}, {"%+x", 1}, {"% u", 1}, {"%+c", 65}, {"%05c", 65}, {"%#c", 65},
  {"%#c", "x"}, {"%.3c", 65}, {"%#a", "x"}, {"%#5.3.2a", "x"}, {"%#5.3.2e", "x"}, {"%#5.3.2x", "x"},
  {"%#s", {}}, {"%#s", "a\0"}, {"%.3q", "x"}, {"%+s", "x"}, {"%05s", "x"},
  {"%p", 1}, {"%10p|%-10p|", nil, true}, {"%.3p", 1}, {"%#p", 1},
  {"a\0b%dc\0", 5}, {"%\0d", 1}, {"%5\0d", 1},
}

-- Random specifications: flags, width, precision, conversion, argument.
math.randomseed(777)
local flagset, convs = {"-", "+", " ", "#", "0"}, "dixXoucaAeEfgGsq"
local argpool = {0, 1, -1, 42, -12345, math.maxinteger, math.mininteger, 0.0, -0.0, 0.5, 1.5,
  -2.5, 3.14159, 1e-7, 123456.789, 1e300, 1/0, -1/0, 0/0, "str", "", "a longer string here", 255, 65}
for _ = 1, 400 do
  local f = {"%"}
  for _ = 1, math.random(0, 3) do f[#f+1] = flagset[math.random(#flagset)] end
  if math.random() < 0.6 then f[#f+1] = tostring(math.random(1, 30)) end
  if math.random() < 0.5 then f[#f+1] = "." .. (math.random() < 0.8 and tostring(math.random(0, 20)) or "") end
  local k = math.random(#convs)
  f[#f+1] = convs:sub(k, k)
  cases[#cases+1] = {"[" .. table.concat(f) .. "]", argpool[math.random(#argpool)]}
end

print("// Generated by `lua5.4 tests/gen/format.lua` from Lua 5.4.4 on Linux/glibc; do not edit.")
print("#![allow(clippy::type_complexity)]")
print("// Each case: format string, arguments, and what lua5.4 returned (Ok) or raised (Err).")
print("use gcheap_lua_strlib::Arg;\n")
print("pub const CASES: &[(&[u8], fn() -> Vec<Arg>, Result<&[u8], &[u8]>)] = &[")
local function F(...) local r = string.format(...) return r end
for _, c in ipairs(cases) do
  local n = 0
  for k in pairs(c) do if k > n then n = k end end
  local args = {}
  for i = 2, n do args[#args+1] = C.value(c[i]) end
  local ok, r = pcall(F, table.unpack(c, 1, n))
  if not ok then r = r:gsub("^[^:]*:%d+: ", "") end
  local expect = ok and ("Ok(" .. C.bytes(r) .. ")") or ("Err(" .. C.bytes(r) .. ")")
  print(string.format("    (%s, || vec![%s], %s),", C.bytes(c[1]), table.concat(args, ", "), expect))
end
print("];")
