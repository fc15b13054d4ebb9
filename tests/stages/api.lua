-- api.lua - every hook of the API; ctx.seed picks what plan() reports in its note.
perfrl.technique{name = "tasks", description = "OpenMP tasks over blocks of C",
                 pragmas = {"omp task", "omp taskloop"}}
perfrl.technique{name = "simd", description = "vectorise the inner loop"}
DESCRIPTOR = {"openmp", "tasks"}

-- What perfrl.technique refuses, caught here (it is callable at the top level only).
local refused = {}
local function try(t)
  local ok, why = pcall(function() perfrl.technique(t) end)
  refused[#refused + 1] = ok and "accepted" or why
end
try({name = "tasks", description = "again", pragmas = {"omp task"}})   -- duplicate
try({name = "nothing", description = "no rule"})                        -- no rule
try({name = "x", description = "d", identifiers = {1}})                 -- not a string
try({name = "x", description = "d", identifiers = {"x"}, colour = 1})   -- unknown field
try({description = "no name", identifiers = {"y"}})                     -- no name

TOP_RANDOM = math.random(1 << 30)   -- the top level is seeded too: the same every time

local function names(list) return table.concat(list, "+") end

function plan(ctx)
  local one = {{shape = ctx.shapes[1], permitted = {}}}
  local mode = ctx.seed
  if mode == 0 then
    local cells = {}
    for _, c in ipairs(ctx.archive.cells) do
      cells[#cells + 1] = ("%s/%s/%.1f/%d"):format(c.shape, names(c.techniques), c.gflops,
                                                   c.since_improved)
    end
    local note = ("%d %d %d %d %d %d %s %s %.2f %.1f %d %s"):format(ctx.iteration,
        ctx.iterations, ctx.stage, ctx.stage_iterations, ctx.seed, ctx.problems,
        names(ctx.shapes), tostring(ctx.elite_feedback), ctx.archive.coverage,
        ctx.archive.qd_score, ctx.archive.stale, table.concat(cells, ","))
    ctx.shapes[1] = "1x1x1"  -- a copy: changes nothing on the C side, nor the next ctx
    return {
      problems = {
        {shape = "64x64x64", permitted = {"openmp", "tasks", "simd"}, required = {"tasks"},
         elite = false},
        {shape = "96x80x72", permitted = {}, id = "custom.id-1"},
        {shape = ctx.shapes[2], permitted = {"loop_reorder"}, elite = true},
      },
      advance = true,
      stage = ctx.stage + 1,
      note = note,
    }
  elseif mode == 1 then
    local out = {}
    for _, k in ipairs({2, 0, 4}) do
      local c = {}
      for _, s in ipairs(perfrl.combinations({"a", "b", "c", "d"}, k)) do c[#c + 1] = names(s) end
      out[#out + 1] = table.concat(c, " ")
    end
    local big = {}
    for i = 1, 32 do big[i] = i end
    local _, why2 = pcall(function() local r = perfrl.combinations({"a"}, 2); return r end)
    local _, why3 = pcall(function() local r = perfrl.combinations(big, 16); return r end)
    local notes = {table.concat(out, "|"), why2, why3}
    return {problems = one, note = notes[ctx.iteration]}
  elseif mode == 2 then
    local list = {}
    for i = 1, 10 do list[i] = i end
    local s = perfrl.shuffle(list)
    return {problems = one, note = table.concat(s, ",") .. ";" .. table.concat(list, ",") ..
            ";" .. math.random(1000000) .. ";" .. TOP_RANDOM}
  elseif mode == 3 then
    local ok, why = pcall(function()
      perfrl.technique{name = "late", description = "d", identifiers = {"late"}}
    end)
    return {problems = one, note = why}
  elseif mode == 4 then
    local t = {}
    for _, tech in ipairs(perfrl.techniques) do
      t[#t + 1] = tech.name .. (tech.user and "*" or "") .. "=" .. #tech.description
    end
    return {problems = one, note = table.concat(t, ",")}
  elseif mode == 5 then
    return {problems = one, note = refused[ctx.iteration] or tostring(#refused)}
  elseif mode == 6 then
    return {problems = one, note = "a\nb\tc" .. ("é"):rep(100)}
  end
end
