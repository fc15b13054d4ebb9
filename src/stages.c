/* stages.c - the SQD curriculum: stages.lua in a sandboxed Lua 5.4 state, its plan() turned
 * into validated C structs. */
#include "config.h"
#include "stages.h"
#include "shape.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- limits ------------------------------------------------------------------------ */

#define STAGES_MEM_LIMIT ((size_t)64 << 20)  /* bytes of the whole Lua state */
#define STAGES_STEP_LIMIT 100000000LL        /* Lua instructions per call */
#define STAGES_HOOK_EVERY 1000               /* instructions between two hook calls */
#define STAGES_MAX_PROBLEMS 10000
#define STAGES_MAX_COMBINATIONS 100000       /* perfrl.combinations */

struct stages {
	lua_State *L;
	struct catalogue *cat;
	char *chunkname;          /* "@PATH": tells the script's frames from the others */
	char src[LUA_IDSIZE];     /* the script's name in messages, as Lua shortens it */
	size_t mem_used, mem_limit;
	long long steps;          /* instructions run by the current call */
	const char *phase;        /* "the script" (stages_open) or "plan()" */
	int line;                 /* the script's line last seen by the hook, 0 if none */
	int loading;              /* 1 while the chunk runs: perfrl.technique allowed */
	techset_t descriptor;
	char verr[512];           /* a bad plan or script, found by the C side */
};

/* The registry keys of what the sandbox keeps out of the script's reach. */
static const char KEY_PERFRL[] = "perfrl.table";
static const char KEY_RANDOMSEED[] = "perfrl.randomseed";

static struct stages *state_of(lua_State *L)
{
	void *ud;
	lua_getallocf(L, &ud);
	return ud;
}

/* Record a bad plan (or script) in s->verr, "SRC: WHAT: message" (what may be NULL). */
static int bad(struct stages *s, const char *what, const char *fmt, ...) UTIL_PRINTF(3, 4);
static int bad(struct stages *s, const char *what, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(s->verr, sizeof s->verr, "%s: %s%s", s->src, what ? what : "",
			 what ? ": " : "");
	if (n < 0 || (size_t)n >= sizeof s->verr)
		return -1;
	va_start(ap, fmt);
	vsnprintf(s->verr + n, sizeof s->verr - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Copy msg into err, one line. */
static void set_err(char *err, size_t errlen, const char *msg)
{
	size_t n = strcspn(msg, "\r\n");
	if (!errlen)
		return;
	if (n >= errlen)
		n = errlen - 1;
	memcpy(err, msg, n);
	err[n] = '\0';
}

/* ---- the sandbox: memory, instructions, error positions ----------------------------- */

/* Lua's allocator with a ceiling: a refusal becomes a memory error in the script. */
static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct stages *s = ud;
	size_t old = ptr ? osize : 0;  /* with ptr NULL, osize is a type tag */
	void *p;

	if (nsize == 0) {
		free(ptr);
		s->mem_used -= old;
		return NULL;
	}
	if (nsize > old && nsize - old > s->mem_limit - s->mem_used)
		return NULL;
	p = realloc(ptr, nsize);
	if (!p)
		return NULL;
	s->mem_used = s->mem_used - old + nsize;
	return p;
}

/* The current line of the innermost frame of the script at or above level (at level only
 * when walk is 0), so that errors are blamed on the user's line, not on a helper's; 0 when
 * no frame of the script is running. */
static int script_line(lua_State *L, struct stages *s, int level, int walk)
{
	lua_Debug ar;

	for (; lua_getstack(L, level, &ar); level++) {
		if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 &&
		    strcmp(ar.source, s->chunkname) == 0)
			return ar.currentline;
		if (!walk)
			break;
	}
	return 0;
}

/* Every STAGES_HOOK_EVERY instructions, stop a call that runs too long. There and at every
 * call the script makes, remember its line: a memory error carries no position (Lua raises
 * it without the message handler), and the allocation that fails is often string.rep's or
 * table.concat's, so the line of the last call is the one to blame. */
static void hook(lua_State *L, lua_Debug *ar)
{
	struct stages *s = state_of(L);
	int line;

	if (ar->event != LUA_HOOKCOUNT) {
		if ((line = script_line(L, s, 1, 0)))
			s->line = line;
		return;
	}
	s->steps += STAGES_HOOK_EVERY;
	if ((line = script_line(L, s, 0, 1)))
		s->line = line;
	if (s->steps > STAGES_STEP_LIMIT) {
		if (s->line)
			lua_pushfstring(L, "%s:%d: ", s->src, s->line);
		else
			lua_pushfstring(L, "%s: ", s->src);
		lua_pushfstring(L, "%s ran too long (more than %d million Lua instructions)",
				s->phase, (int)(STAGES_STEP_LIMIT / 1000000));
		lua_concat(L, 2);
		lua_error(L);
	}
}

/* The message handler of every call: the error as a string that starts with the script's
 * "SRC:LINE:" (errors raised without a position, or inside helpers, get the user's line). */
static int msgh(lua_State *L)
{
	struct stages *s = state_of(L);
	const char *msg = lua_tostring(L, 1);
	size_t n = strlen(s->src);
	int line;

	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			msg = lua_tostring(L, -1);
		else
			msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	if (n && strncmp(msg, s->src, n) == 0 && msg[n] == ':')
		return 1;
	if ((line = script_line(L, s, 1, 1)))
		lua_pushfstring(L, "%s:%d: %s", s->src, line, msg);
	else if (n)  /* raised below a tail call: the file at least */
		lua_pushfstring(L, "%s: %s", s->src, msg);
	return 1;
}

/* Start a call: a fresh instruction budget. */
static void begin_call(struct stages *s, const char *phase)
{
	s->steps = 0;
	s->line = 0;
	s->phase = phase;
	s->verr[0] = '\0';
}

/* The message of a failed lua_pcall (the error object is on top), into err. */
static void call_error(struct stages *s, int status, char *err, size_t errlen)
{
	lua_State *L = s->L;
	char buf[512], src[LUA_IDSIZE + 16];

	/* "SRC:LINE:" where known, else "SRC:" */
	if (s->line)
		snprintf(src, sizeof src, "%s:%d:", s->src, s->line);
	else
		snprintf(src, sizeof src, "%s:", s->src[0] ? s->src : "stages");
	if (status == LUA_ERRMEM)
		snprintf(buf, sizeof buf, "%s not enough memory: %s used more than %zu MiB", src,
			 s->phase, s->mem_limit >> 20);
	else if (status == LUA_ERRERR)
		snprintf(buf, sizeof buf, "%s error while reporting an error in %s", src, s->phase);
	else
		snprintf(buf, sizeof buf, "%s",
			 lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "unknown error");
	lua_pop(L, 1);
	set_err(err, errlen, buf);
}

/* ---- what the script may call -------------------------------------------------------- */

/* print: to stderr, prefixed with the script's name (stdout may be the command's output). */
static int l_print(lua_State *L)
{
	struct stages *s = state_of(L);
	int n = lua_gettop(L);

	fprintf(stderr, "%s:", s->src[0] ? s->src : "stages");
	for (int i = 1; i <= n; i++) {
		size_t len;
		const char *str = luaL_tolstring(L, i, &len);
		fputc(i == 1 ? ' ' : '\t', stderr);
		fwrite(str, 1, len, stderr);
		lua_pop(L, 1);
	}
	fputc('\n', stderr);
	return 0;
}

/* load(chunk [, chunkname [, mode [, env]]]): strings of source text only, never binary
 * chunks (string.dump's output could break the VM). */
static int l_load(lua_State *L)
{
	size_t len;
	const char *chunk, *name;
	int env = !lua_isnone(L, 4);

	if (lua_type(L, 1) != LUA_TSTRING)
		return luaL_argerror(L, 1, "only a string of Lua source can be loaded here");
	chunk = lua_tolstring(L, 1, &len);
	name = luaL_optstring(L, 2, chunk);
	if (luaL_loadbufferx(L, chunk, len, name, "t") != LUA_OK) {
		luaL_pushfail(L);
		lua_insert(L, -2);
		return 2;
	}
	if (env) {
		lua_pushvalue(L, 4);
		if (!lua_setupvalue(L, -2, 1))
			lua_pop(L, 1);
	}
	return 1;
}

/* A list of strings (the table at idx, or nil) as a NULL-terminated array kept in a userdata
 * on the stack, so that an error cannot leak it. */
static const char *const *string_list(lua_State *L, int idx, const char *field)
{
	const char **v;
	lua_Integer n;

	if (lua_isnoneornil(L, idx))
		return NULL;
	if (!lua_istable(L, idx))
		luaL_error(L, "perfrl.technique: %s must be a list of strings", field);
	n = (lua_Integer)lua_rawlen(L, idx);
	if (n > 1000)
		luaL_error(L, "perfrl.technique: too many %s", field);
	v = lua_newuserdatauv(L, ((size_t)n + 1) * sizeof *v, 0);
	for (lua_Integer i = 1; i <= n; i++) {
		if (lua_rawgeti(L, idx, i) != LUA_TSTRING)
			luaL_error(L, "perfrl.technique: %s[%d] is not a string", field, (int)i);
		v[i - 1] = lua_tostring(L, -1);  /* kept alive by the table at idx */
		lua_pop(L, 1);
	}
	v[n] = NULL;
	return v;
}

/* Set perfrl.techniques to the catalogue: {name=, description=, user=} in catalogue order. */
static void push_techniques(lua_State *L, struct stages *s)
{
	int n = catalogue_count(s->cat);

	lua_getfield(L, LUA_REGISTRYINDEX, KEY_PERFRL);
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		const char *d = catalogue_description(s->cat, i);
		lua_createtable(L, 0, 3);
		lua_pushstring(L, catalogue_name(s->cat, i));
		lua_setfield(L, -2, "name");
		lua_pushstring(L, d ? d : "");
		lua_setfield(L, -2, "description");
		lua_pushboolean(L, catalogue_is_user(s->cat, i));
		lua_setfield(L, -2, "user");
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "techniques");
	lua_pop(L, 1);
}

/* perfrl.technique{name=, description=, identifiers={...}, pragmas={...}} */
static int l_technique(lua_State *L)
{
	static const char *const fields[] = {"name", "description", "identifiers", "pragmas", NULL};
	struct stages *s = state_of(L);
	const char *name, *desc;
	const char *const *ids, *const *pragmas;
	char err[256];

	if (!s->loading)
		return luaL_error(L, "perfrl.technique: call it at the top level of the script, "
				     "not from plan()");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	for (lua_pushnil(L); lua_next(L, 1); lua_pop(L, 1)) {
		int known = 0;
		for (int i = 0; fields[i] && lua_type(L, -2) == LUA_TSTRING; i++)
			known |= strcmp(lua_tostring(L, -2), fields[i]) == 0;
		if (!known)
			return luaL_error(L, "perfrl.technique: unknown field %s (expected name, "
					     "description, identifiers, pragmas)",
					  lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "of a non-string key");
	}
	if (lua_getfield(L, 1, "name") != LUA_TSTRING)
		return luaL_error(L, "perfrl.technique: name must be a string");
	name = lua_tostring(L, 2);
	if (lua_getfield(L, 1, "description") != LUA_TSTRING)
		return luaL_error(L, "perfrl.technique: description must be a string");
	desc = lua_tostring(L, 3);
	lua_getfield(L, 1, "identifiers");
	ids = string_list(L, 4, "identifiers");   /* a userdata on top when not NULL */
	lua_getfield(L, 1, "pragmas");
	pragmas = string_list(L, lua_gettop(L), "pragmas");
	if (catalogue_add(s->cat, name, desc, ids, pragmas, err, sizeof err) != 0)
		return luaL_error(L, "perfrl.technique: %s", err);
	push_techniques(L, s);
	return 0;
}

/* The helpers written in Lua: they run under the instruction limit and blame the caller. */
static const char prelude[] =
	"local perfrl, random, type, error, tointeger, fmt = ...\n"
	"function perfrl.combinations(list, k)\n"
	"  if type(list) ~= 'table' then\n"
	"    error('perfrl.combinations: list must be a table', 2)\n"
	"  end\n"
	"  local n, kk = #list, tointeger(k)\n"
	"  if not kk or kk < 0 or kk > n then\n"
	"    error(fmt('perfrl.combinations: k must be an integer from 0 to %d', n), 2)\n"
	"  end\n"
	"  local count = 1\n"
	"  for i = 1, kk do\n"
	"    count = count * (n - kk + i) // i\n"
	"    if count > MAX then\n"
	"      error(fmt('perfrl.combinations: more than %d combinations', MAX), 2)\n"
	"    end\n"
	"  end\n"
	"  local out, pick = {}, {}\n"
	"  local function walk(first, depth)\n"
	"    if depth > kk then\n"
	"      local c = {}\n"
	"      for i = 1, kk do c[i] = list[pick[i]] end\n"
	"      out[#out + 1] = c\n"
	"      return\n"
	"    end\n"
	"    for i = first, n - kk + depth do\n"
	"      pick[depth] = i\n"
	"      walk(i + 1, depth + 1)\n"
	"    end\n"
	"  end\n"
	"  walk(1, 1)\n"
	"  return out\n"
	"end\n"
	"function perfrl.shuffle(list)\n"
	"  if type(list) ~= 'table' then\n"
	"    error('perfrl.shuffle: list must be a table', 2)\n"
	"  end\n"
	"  local t = {}\n"
	"  for i = 1, #list do t[i] = list[i] end\n"
	"  for i = #t, 2, -1 do\n"
	"    local j = random(i)\n"
	"    t[i], t[j] = t[j], t[i]\n"
	"  end\n"
	"  return t\n"
	"end\n";

/* Open one library into the globals. Lua 5.5 changes how libraries are opened: one place. */
static void open_lib(lua_State *L, const char *name, lua_CFunction f)
{
	luaL_requiref(L, name, f, 1);
	lua_pop(L, 1);
}

/* Build the sandbox, run the script, read DESCRIPTOR; protected (a lightuserdata arg). */
static int open_protected(lua_State *L)
{
	static const char *const removed[] = {"dofile", "loadfile", "require", NULL};
	struct stages *s = lua_touserdata(L, 1);
	const char *path = s->chunkname + 1;
	lua_Debug ar;

	open_lib(L, LUA_GNAME, luaopen_base);
	open_lib(L, LUA_TABLIBNAME, luaopen_table);
	open_lib(L, LUA_STRLIBNAME, luaopen_string);
	open_lib(L, LUA_MATHLIBNAME, luaopen_math);
	open_lib(L, LUA_UTF8LIBNAME, luaopen_utf8);
	for (int i = 0; removed[i]; i++) {
		lua_pushnil(L);
		lua_setglobal(L, removed[i]);
	}
	lua_pushcfunction(L, l_load);
	lua_setglobal(L, "load");
	lua_pushcfunction(L, l_print);
	lua_setglobal(L, "print");

	/* math.randomseed, kept where the script cannot replace it; a fixed seed for the top
	 * level too (Lua seeds from the clock). */
	lua_getglobal(L, LUA_MATHLIBNAME);
	lua_getfield(L, -1, "randomseed");
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, KEY_RANDOMSEED);
	lua_pushinteger(L, 0);
	lua_pushinteger(L, 0);
	lua_call(L, 2, 0);

	/* perfrl: the catalogue and the helpers. */
	lua_newtable(L);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, KEY_PERFRL);
	lua_pushcfunction(L, l_technique);
	lua_setfield(L, -2, "technique");
	lua_setglobal(L, "perfrl");
	push_techniques(L, s);
	if (luaL_loadbufferx(L, prelude, sizeof prelude - 1, "=perfrl", "t") != LUA_OK)
		return lua_error(L);
	lua_newtable(L);                       /* the prelude's own environment */
	lua_pushinteger(L, STAGES_MAX_COMBINATIONS);
	lua_setfield(L, -2, "MAX");
	lua_setupvalue(L, -2, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, KEY_PERFRL);
	lua_getfield(L, -3, "random");         /* math is below the prelude */
	lua_getglobal(L, "type");
	lua_getglobal(L, "error");
	lua_getfield(L, -6, "tointeger");
	lua_getglobal(L, LUA_STRLIBNAME);
	lua_getfield(L, -1, "format");
	lua_remove(L, -2);
	lua_call(L, 6, 0);
	lua_pop(L, 1);                         /* math */

	/* The script itself, text only. */
	if (luaL_loadfilex(L, path, "t") != LUA_OK)
		return lua_error(L);
	lua_pushvalue(L, -1);
	lua_getinfo(L, ">S", &ar);
	snprintf(s->src, sizeof s->src, "%s", ar.short_src);
	s->loading = 1;
	lua_call(L, 0, 0);
	s->loading = 0;

	if (lua_getglobal(L, "plan") != LUA_TFUNCTION)
		return bad(s, NULL, "the script defines no function plan(ctx)"), 0;
	lua_pop(L, 1);

	s->descriptor = 1u << TECH_OPENMP | 1u << TECH_SIMD | 1u << TECH_CACHE_BLOCKING |
			1u << TECH_REGISTER_BLOCKING;
	switch (lua_getglobal(L, "DESCRIPTOR")) {
	case LUA_TNIL:
		break;
	case LUA_TTABLE: {
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
		s->descriptor = 0;
		if (n == 0)
			return bad(s, "DESCRIPTOR", "must name at least one technique"), 0;
		for (lua_Integer i = 1; i <= n; i++) {
			int t;
			if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
				return bad(s, "DESCRIPTOR", "entry %d is a %s, not a technique name",
					   (int)i, luaL_typename(L, -1)), 0;
			t = catalogue_find(s->cat, lua_tostring(L, -1));
			if (t < 0)
				return bad(s, "DESCRIPTOR", "unknown technique '%s'",
					   lua_tostring(L, -1)), 0;
			s->descriptor |= (techset_t)1 << t;
			lua_pop(L, 1);
		}
		break;
	}
	default:
		return bad(s, "DESCRIPTOR", "must be a list of technique names, not a %s",
			   luaL_typename(L, -1)), 0;
	}
	lua_pop(L, 1);
	return 0;
}

int stages_open(const char *path, struct catalogue *c, struct stages **out, char *err,
		size_t errlen)
{
	struct stages *s = util_xcalloc(1, sizeof *s);
	int status;

	*out = NULL;
	s->cat = c;
	s->mem_limit = STAGES_MEM_LIMIT;
	s->chunkname = util_xasprintf("@%s", path);
	s->L = lua_newstate(sandbox_alloc, s);
	if (!s->L) {
		set_err(err, errlen, "cannot create a Lua state");
		free(s->chunkname);
		free(s);
		return -1;
	}
	lua_sethook(s->L, hook, LUA_MASKCOUNT | LUA_MASKCALL, STAGES_HOOK_EVERY);
	begin_call(s, "the script");
	lua_pushcfunction(s->L, msgh);
	lua_pushcfunction(s->L, open_protected);
	lua_pushlightuserdata(s->L, s);
	status = lua_pcall(s->L, 1, 0, 1);
	s->loading = 0;
	if (status != LUA_OK || s->verr[0]) {
		if (status != LUA_OK)
			call_error(s, status, err, errlen);
		else
			set_err(err, errlen, s->verr);
		stages_close(s);
		return -1;
	}
	lua_settop(s->L, 0);
	*out = s;
	return 0;
}

void stages_close(struct stages *s)
{
	if (!s)
		return;
	/* A finalizer that loops is stopped at once: the budget is spent. */
	s->steps = STAGES_STEP_LIMIT;
	s->phase = "a finalizer";
	lua_close(s->L);
	free(s->chunkname);
	free(s);
}

techset_t stages_descriptor(const struct stages *s)
{
	return s->descriptor;
}

/* ---- plan(ctx) ------------------------------------------------------------------------ */

struct plan_call {
	struct stages *s;
	const struct stage_input *in;
	struct stage_plan *out;
};

/* Push an array of the names in set. */
static void push_names(lua_State *L, const struct catalogue *c, techset_t set)
{
	int n = catalogue_count(c), k = 0;

	lua_newtable(L);
	for (int i = 0; i < n && i < TECH_MAX; i++)
		if (set & (techset_t)1 << i) {
			lua_pushstring(L, catalogue_name(c, i));
			lua_rawseti(L, -2, ++k);
		}
}

#define SET_INT(L, name, v) (lua_pushinteger(L, (lua_Integer)(v)), lua_setfield(L, -2, name))
#define SET_NUM(L, name, v) (lua_pushnumber(L, (lua_Number)(v)), lua_setfield(L, -2, name))

/* ctx: a fresh copy of the input each call. */
static void push_ctx(lua_State *L, struct stages *s, const struct stage_input *in)
{
	long stale = in->stage_iterations;

	lua_createtable(L, 0, 10);
	SET_INT(L, "iteration", in->iteration);
	SET_INT(L, "iterations", in->iterations);
	SET_INT(L, "stage", in->stage);
	SET_INT(L, "stage_iterations", in->stage_iterations);
	SET_INT(L, "seed", in->seed);
	SET_INT(L, "problems", in->problems);
	lua_pushboolean(L, in->elite_feedback);
	lua_setfield(L, -2, "elite_feedback");
	lua_newtable(L);
	for (int i = 0; in->shapes && in->shapes[i]; i++) {
		lua_pushstring(L, in->shapes[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "shapes");

	lua_createtable(L, 0, 4);
	SET_NUM(L, "coverage", in->coverage);
	SET_NUM(L, "qd_score", in->qd_score);
	lua_createtable(L, in->ncells > 100000 ? 100000 : (int)in->ncells, 0);
	for (size_t i = 0; i < in->ncells; i++) {
		const struct stage_cell *c = &in->cells[i];
		if (i == 0 || c->since_improved < stale)
			stale = c->since_improved;
		lua_createtable(L, 0, 4);
		lua_pushstring(L, c->shape ? c->shape : "");
		lua_setfield(L, -2, "shape");
		push_names(L, s->cat, c->techs);
		lua_setfield(L, -2, "techniques");
		SET_NUM(L, "gflops", c->gflops);
		SET_INT(L, "since_improved", c->since_improved);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "cells");
	SET_INT(L, "stale", stale);
	lua_setfield(L, -2, "archive");
}

/* Whether the table on top has only the keys 1..#t; for the others, name the first. */
static int is_list(lua_State *L, lua_Integer *len)
{
	lua_Integer n = (lua_Integer)lua_rawlen(L, -1), count = 0;

	for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
		if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1 || lua_tointeger(L, -2) > n) {
			lua_pop(L, 2);
			return 0;
		}
		count++;
	}
	*len = n;
	return count == n;
}

/* The table on top as a set of technique names; what = "permitted" or "required". */
static int read_set(struct stages *s, lua_Integer pi, const char *what, techset_t *out)
{
	lua_State *L = s->L;
	lua_Integer n;

	*out = 0;
	if (!lua_istable(L, -1))
		return bad(s, "plan()", "problem %lld: %s must be a list of technique names, not a %s",
			   (long long)pi, what, luaL_typename(L, -1));
	if (!is_list(L, &n))
		return bad(s, "plan()", "problem %lld: %s must be a list of technique names",
			   (long long)pi, what);
	for (lua_Integer i = 1; i <= n; i++) {
		int t;
		if (lua_rawgeti(L, -1, i) != LUA_TSTRING) {
			bad(s, "plan()", "problem %lld: %s[%lld] is a %s, not a technique name",
			    (long long)pi, what, (long long)i, luaL_typename(L, -1));
			lua_pop(L, 1);
			return -1;
		}
		t = catalogue_find(s->cat, lua_tostring(L, -1));
		if (t < 0) {
			bad(s, "plan()", "problem %lld: unknown technique '%s' in %s", (long long)pi,
			    lua_tostring(L, -1), what);
			lua_pop(L, 1);
			return -1;
		}
		*out |= (techset_t)1 << t;
		lua_pop(L, 1);
	}
	return 0;
}


static int valid_id(const char *id)
{
	if (!*id)
		return 0;
	for (; *id; id++)
		if (!isalnum((unsigned char)*id) && !strchr("_.-", *id))
			return 0;
	return 1;
}

/* One problem, the table on top (the seen-ids table at seen). */
static int read_problem(struct stages *s, const struct stage_input *in, lua_Integer pi, int seen,
			struct stage_problem *p)
{
	static const char *const fields[] = {"id", "shape", "permitted", "required", "elite", NULL};
	lua_State *L = s->L;
	int t = lua_gettop(L);
	const char *why;
	techset_t extra;

	if (!lua_istable(L, t))
		return bad(s, "plan()", "problem %lld is a %s, not a table", (long long)pi,
			   luaL_typename(L, t));
	for (lua_pushnil(L); lua_next(L, t); lua_pop(L, 1)) {
		int known = 0;
		for (int i = 0; fields[i] && lua_type(L, -2) == LUA_TSTRING; i++)
			known |= strcmp(lua_tostring(L, -2), fields[i]) == 0;
		if (!known) {
			bad(s, "plan()", "problem %lld: unknown field %s (expected id, shape, "
			    "permitted, required, elite)", (long long)pi,
			    lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "with a non-string key");
			lua_settop(L, t);
			return -1;
		}
	}

	if (lua_getfield(L, t, "shape") != LUA_TSTRING)
		return bad(s, "plan()", "problem %lld: shape must be a string \"MxNxK\", not a %s",
			   (long long)pi, luaL_typename(L, -1));
	if (lua_rawlen(L, -1) >= sizeof p->shape)
		return bad(s, "plan()", "problem %lld: shape is too long", (long long)pi);
	if ((why = shape_parse(lua_tostring(L, -1), NULL)))
		return bad(s, "plan()", "problem %lld: shape '%s' %s", (long long)pi,
			   lua_tostring(L, -1), why);
	snprintf(p->shape, sizeof p->shape, "%s", lua_tostring(L, -1));
	lua_settop(L, t);

	lua_getfield(L, t, "permitted");
	if (read_set(s, pi, "permitted", &p->permitted))
		return -1;
	lua_settop(L, t);
	if (lua_getfield(L, t, "required") != LUA_TNIL && read_set(s, pi, "required", &p->required))
		return -1;
	lua_settop(L, t);
	if ((extra = p->required & ~p->permitted)) {
		int i = 0;
		while (!(extra & (techset_t)1 << i))
			i++;
		return bad(s, "plan()", "problem %lld: required technique '%s' is not permitted",
			   (long long)pi, catalogue_name(s->cat, i));
	}

	switch (lua_getfield(L, t, "elite")) {
	case LUA_TNIL:
		p->elite = in->elite_feedback != 0;
		break;
	case LUA_TBOOLEAN:
		p->elite = lua_toboolean(L, -1);
		break;
	default:
		return bad(s, "plan()", "problem %lld: elite must be a boolean, not a %s",
			   (long long)pi, luaL_typename(L, -1));
	}
	lua_settop(L, t);

	switch (lua_getfield(L, t, "id")) {
	case LUA_TNIL: {
		/* p01-512x512x512-openmp+simd: unique by its index; cut to fit */
		char techs[256], id[sizeof techs + sizeof p->shape + 32];
		techset_format(s->cat, p->permitted & s->descriptor, techs, sizeof techs);
		snprintf(id, sizeof id, "p%02lld-%s-%s", (long long)pi, p->shape, techs);
		memcpy(p->id, id, sizeof p->id - 1);
		p->id[sizeof p->id - 1] = '\0';
		break;
	}
	case LUA_TSTRING:
		if (lua_rawlen(L, -1) >= sizeof p->id || !valid_id(lua_tostring(L, -1)))
			return bad(s, "plan()", "problem %lld: id '%.80s' is not 1 to %zu characters "
				   "of A-Z a-z 0-9 _ . -", (long long)pi, lua_tostring(L, -1),
				   sizeof p->id - 1);
		snprintf(p->id, sizeof p->id, "%s", lua_tostring(L, -1));
		break;
	default:
		return bad(s, "plan()", "problem %lld: id must be a string, not a %s",
			   (long long)pi, luaL_typename(L, -1));
	}
	lua_settop(L, t);
	if (lua_getfield(L, seen, p->id) != LUA_TNIL)
		return bad(s, "plan()", "problem %lld: id '%s' is already problem %lld's",
			   (long long)pi, p->id, (long long)lua_tointeger(L, -1));
	lua_pop(L, 1);
	lua_pushinteger(L, pi);
	lua_setfield(L, seen, p->id);
	return 0;
}

/* The plan (the table on top) into out. */
static int read_plan(struct stages *s, const struct stage_input *in, struct stage_plan *out)
{
	static const char *const fields[] = {"problems", "advance", "note", "stage", NULL};
	lua_State *L = s->L;
	int t = lua_gettop(L), seen;
	lua_Integer n;

	if (!lua_istable(L, t))
		return bad(s, "plan()", "returned a %s, not a table {problems = {...}}",
			   luaL_typename(L, t));
	for (lua_pushnil(L); lua_next(L, t); lua_pop(L, 1)) {
		int known = 0;
		for (int i = 0; fields[i] && lua_type(L, -2) == LUA_TSTRING; i++)
			known |= strcmp(lua_tostring(L, -2), fields[i]) == 0;
		if (!known)
			return bad(s, "plan()", "unknown field %s in the plan (expected problems, "
				   "advance, note, stage)",
				   lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "with a non-string key");
	}

	out->stage = in->stage;
	switch (lua_getfield(L, t, "stage")) {
	case LUA_TNIL:
		break;
	case LUA_TNUMBER:
		if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 && lua_tointeger(L, -1) <= 1000) {
			out->stage = (int)lua_tointeger(L, -1);
			break;
		}
		/* fall through */
	default:
		return bad(s, "plan()", "stage must be an integer from 1 to 1000");
	}
	lua_settop(L, t);
	switch (lua_getfield(L, t, "advance")) {
	case LUA_TNIL:
	case LUA_TBOOLEAN:
		out->advance = lua_toboolean(L, -1);
		break;
	default:
		return bad(s, "plan()", "advance must be a boolean, not a %s", luaL_typename(L, -1));
	}
	lua_settop(L, t);
	switch (lua_getfield(L, t, "note")) {
	case LUA_TNIL:
		break;
	case LUA_TSTRING: {
		size_t k;
		snprintf(out->note, sizeof out->note, "%s", lua_tostring(L, -1));
		k = strlen(out->note);
		/* cut on a character boundary; one line */
		if (k == sizeof out->note - 1)
			while (k > 0 && ((unsigned char)out->note[k] & 0xc0) == 0x80)
				out->note[--k] = '\0';
		for (char *c = out->note; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = ' ';
		break;
	}
	default:
		return bad(s, "plan()", "note must be a string, not a %s", luaL_typename(L, -1));
	}
	lua_settop(L, t);

	if (lua_getfield(L, t, "problems") != LUA_TTABLE)
		return bad(s, "plan()", "problems must be a list of problems, not a %s",
			   luaL_typename(L, -1));
	if (!is_list(L, &n))
		return bad(s, "plan()", "problems must be a list (keys 1..n)");
	if (n == 0)
		return bad(s, "plan()", "problems is empty: pose at least one problem");
	if (n > STAGES_MAX_PROBLEMS)
		return bad(s, "plan()", "%lld problems, more than %d", (long long)n,
			   STAGES_MAX_PROBLEMS);
	out->problems = calloc((size_t)n, sizeof *out->problems);
	if (!out->problems)
		return bad(s, "plan()", "out of memory");
	lua_newtable(L);
	seen = lua_gettop(L);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, t + 1, i);
		if (read_problem(s, in, i, seen, &out->problems[i - 1]))
			return -1;
		out->n = (size_t)i;
		lua_settop(L, seen);
	}
	return 0;
}

/* plan(ctx) and its reading; protected (a lightuserdata arg). */
static int plan_protected(lua_State *L)
{
	struct plan_call *pc = lua_touserdata(L, 1);
	struct stages *s = pc->s;

	lua_settop(L, 0);
	lua_getfield(L, LUA_REGISTRYINDEX, KEY_RANDOMSEED);
	lua_pushinteger(L, pc->in->seed);
	lua_pushinteger(L, pc->in->iteration);
	lua_call(L, 2, 0);
	if (lua_getglobal(L, "plan") != LUA_TFUNCTION)
		return bad(s, "plan()", "the global plan is a %s, not a function",
			   luaL_typename(L, -1)), 0;
	push_ctx(L, s, pc->in);
	lua_call(L, 1, 1);
	read_plan(s, pc->in, pc->out);
	lua_settop(L, 0);
	return 0;
}

int stages_plan(struct stages *s, const struct stage_input *in, struct stage_plan *out,
		char *err, size_t errlen)
{
	struct plan_call pc = {s, in, out};
	int status;

	memset(out, 0, sizeof *out);
	begin_call(s, "plan()");
	lua_settop(s->L, 0);
	lua_pushcfunction(s->L, msgh);
	lua_pushcfunction(s->L, plan_protected);
	lua_pushlightuserdata(s->L, &pc);
	status = lua_pcall(s->L, 1, 0, 1);
	if (status != LUA_OK)
		call_error(s, status, err, errlen);
	else if (s->verr[0])
		set_err(err, errlen, s->verr);
	lua_settop(s->L, 0);
	if (status != LUA_OK || s->verr[0]) {
		stage_plan_free(out);
		/* A failed call leaves garbage (an aborted plan's tables): collect it now, so that
		 * the next call starts with the memory the script keeps. */
		lua_gc(s->L, LUA_GCCOLLECT);
		return -1;
	}
	return 0;
}

void stage_plan_free(struct stage_plan *p)
{
	if (!p)
		return;
	free(p->problems);
	p->problems = NULL;
	p->n = 0;
}
