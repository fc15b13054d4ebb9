-- sandbox.lua - each probe tries to leave the sandbox; ctx.seed picks one (lines are checked).
local probes = {
  function() return os.execute("touch /tmp/perfrl-sandbox-escaped") end,   -- line 3
  function() return io.open("/etc/passwd") end,                            -- line 4
  function() return require("os") end,                                     -- line 5
  function() return dofile("/etc/passwd") end,                             -- line 6
  function() return loadfile("/etc/passwd") end,                           -- line 7
  function() return assert(load(string.dump(function() return 1 end))) end, -- line 8
  function() return package.loadlib("libc.so.6", "system") end,            -- line 9
  function() return debug.getregistry() end,                               -- line 10
  function() return load(function() return nil end) end,                   -- line 11
  function() return assert(load("return 6 * 7"))() end,                    -- line 12: allowed
  function() return assert(load("return x", "c", "t", {x = "env"}))() end, -- line 13: allowed
  function() return collectgarbage("count") > 0 end,                       -- line 14: allowed
  function() return coroutine.create(print) end,                           -- line 15
}
function plan(ctx)
  local r = probes[ctx.seed]()
  return {problems = {{shape = "8x8x8", permitted = {}}}, note = tostring(r)}
end
