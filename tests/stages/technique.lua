-- technique.lua - perfrl.technique refuses a bad name, on line 3.
perfrl.technique{name = "tasks", description = "OpenMP tasks", pragmas = {"omp task"}}
perfrl.technique{name = "Bad Name", description = "x", identifiers = {"foo"}}
function plan(ctx) return {problems = {{shape = "8x8x8", permitted = {}}}} end
