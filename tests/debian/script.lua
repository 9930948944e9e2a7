local t = {}
for i = 1, 1000 do t[#t+1] = (i * 7919) % 1009 end
table.sort(t)
local s = 0
for _, v in ipairs(t) do s = s + v end
print("sum", s, "min", t[1], "max", t[#t])
local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do words[#words+1] = w:upper() end
print(table.concat(words, ","))
print(string.format("%.6f %d %s", math.pi, math.maxinteger, tostring(1/0)))
local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * i) end end)
print(co(), co(), co())
local ok, err = pcall(error, {code = 42})
print(ok, err.code)
print(os.time{year=2000, month=1, day=1, hour=0})
print(#string.rep("ab", 1000), utf8.char(72, 228, 8364))
local f = io.open("/dev/null", "w"); print(f:write("x") == f); f:close()
print(os.getenv("HOME") ~= nil, select('#', 1, 2, 3))
