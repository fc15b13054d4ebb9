-- loop.lua - plan() never ends when ctx.seed is 1 (line 4), or loops in a helper (seed 2).
function plan(ctx)
  local n = 0
  while ctx.seed == 1 do n = n + 1 end
  if ctx.seed == 2 then
    local list = {}
    for i = 1, 20 do list[i] = i end
    for i = 1, 1e9 do perfrl.shuffle(list) end       -- line 8
  end
  return {problems = {{shape = "8x8x8", permitted = {}}}, note = "survived"}
end
