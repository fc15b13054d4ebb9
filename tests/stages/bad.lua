-- bad.lua - plan() returns a bad plan; ctx.seed picks which (see tests/test_stages.c).
local function p(shape, permitted, extra)
  local t = {shape = shape, permitted = permitted}
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end
local ok = p("8x8x8", {"openmp"})
local cases = {
  {problems = {}},                                                           -- 1
  {problems = {ok, p("8x8x8", {"warp_shuffle"})}},                           -- 2
  {problems = {p("8x8x8", {"openmp"}, {required = {"simd"}})}},              -- 3
  {problems = {ok, p("8x8", {})}},                                           -- 4
  {problems = {p("8x8x8", {}, {id = "a"}), p("9x9x9", {}, {id = "a"})}},     -- 5
  {problems = {p("8x8x8", {}), p("9x9x9", {}, {id = "p01-8x8x8-none"})}},    -- 6
  false,                                                                     -- 7
  {problems = {ok, ok, {shape = "8x8x8", permited = {"simd"}}}},             -- 8
  {problems = {[1] = ok, [3] = ok}},                                         -- 9
  {problems = {p("8x8x8", {}, {id = "a b"})}},                               -- 10
  {problems = {p("8x8x8", {}, {elite = "yes"})}},                            -- 11
  "many",                                                                    -- 12
  {problems = {ok, p("0x8x8", {})}},                                         -- 13
  {problems = {ok}, advance = 1},                                            -- 14
  {problems = {ok}, note = {}},                                              -- 15
  {problems = {ok}, stages = 2},                                             -- 16
  {problems = {p("8x8x8", "openmp")}},                                       -- 17
  {problems = {p("65536x65536x65536", {})}},                                 -- 18
  {problems = {ok}, stage = 0},                                              -- 19
  {problems = {ok, p("8x8x8", {"openmp", 7})}},                              -- 20
  {problems = {p("8x8x8x", {})}},                                            -- 21
  {problems = {p("70000x8x8", {})}},                                         -- 22
  {problems = {p("8x8x8", {}, {id = ("x"):rep(64)})}},                       -- 23
  {},                                                                        -- 24
  {problems = {ok, 5}},                                                      -- 25
  {problems = {p("8x8x8", {"openmp"}, {required = {"openmp"}})}},            -- 26: fine
}
function plan(ctx)
  local c = cases[ctx.seed]
  if c == "many" then
    c = {problems = {}}
    for i = 1, 10001 do c.problems[i] = ok end
  elseif c == false then
    return nil
  end
  return c
end
