/* audit.c - the object audit: reads a kernel's .o with libelf, rejects what a kernel may not do. */
#include "config.h"
#include "audit.h"
#include "ccinfo.h"
#include "util.h"

#include <ctype.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AUDIT_FAIL -1 /* the object breaks a rule */
#define AUDIT_BAD -2  /* the file is not a readable object for this machine */

/* Names from the object are untrusted: quote at most this many characters of them. */
#define QUOTE_MAX 40

/* ---- the host, so that an object built for another machine is refused ------------ */

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#elif defined(__s390x__)
#define HOST_MACHINE EM_S390
#endif
#define HOST_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_DATA ELFDATA2LSB
#else
#define HOST_DATA ELFDATA2MSB
#endif

/* ---- the allowlist of undefined symbols ----------------------------------------------- */

/* Memory, allocation and integer helpers from <string.h> and <stdlib.h>; the hardening
 * helpers a distribution's default flags may add (stack protector, _FORTIFY_SOURCE, assert);
 * linker- and TLS-plumbing symbols that -fPIC code refers to. */
static const char *const allow_exact[] = {
	"memcpy", "memmove", "memset", "memcmp",
	"malloc", "calloc", "realloc", "free", "aligned_alloc", "posix_memalign",
	"abs", "labs", "llabs",
	"__stack_chk_fail", "__memcpy_chk", "__memset_chk", "__memmove_chk",
	"__assert_fail",
	"_GLOBAL_OFFSET_TABLE_", "__tls_get_addr",
	/* gcc turns sin(x) and cos(x) of one x into a single sincos call (a glibc
	 * extension) even under -std=c11, so a plain <math.h> kernel can need these. */
	"sincos", "sincosf", "sincosl",
	/* libgcc's pure arithmetic helpers (complex multiply/divide, 128-bit division,
	 * integer powers): linked statically from libgcc, they cannot escape the kernel. */
	"__muldc3", "__mulsc3", "__mulxc3", "__divdc3", "__divsc3", "__divxc3",
	"__divti3", "__udivti3", "__modti3", "__umodti3",
	"__powidf2", "__powisf2", "__powixf2",
	NULL,
};

/* The C99 <math.h> functions; each also comes with an f (float) and l (long double) variant. */
static const char *const allow_math[] = {
	"acos", "asin", "atan", "atan2", "cos", "sin", "tan",
	"acosh", "asinh", "atanh", "cosh", "sinh", "tanh",
	"exp", "exp2", "expm1", "frexp", "ilogb", "ldexp", "log", "log10", "log1p", "log2",
	"logb", "modf", "scalbn", "scalbln",
	"cbrt", "fabs", "hypot", "pow", "sqrt",
	"erf", "erfc", "lgamma", "tgamma",
	"ceil", "floor", "nearbyint", "rint", "lrint", "llrint", "round", "lround", "llround",
	"trunc", "fmod", "remainder", "remquo",
	"copysign", "nan", "nextafter", "nexttoward",
	"fdim", "fmax", "fmin", "fma",
	NULL,
};

/*
 * Whole families are checked against the libraries that export them, read from the shared
 * objects the link uses: a name that only looks like one (omp_anything, _ZGVbN2v_notreal)
 * would pass the link (-shared leaves it undefined) and fail in the loader, whose message
 * quotes it. libgomp is the OpenMP runtime (omp_get_wtime included, since the timer lives
 * in another process); libmvec holds the vector math variants that -lm brings in.
 */
static const struct family {
	const char *prefix, *lib;
} families[] = {
	{ "GOMP_", "libgomp.so" },
	{ "omp_", "libgomp.so" },
	{ "_ZGV", "libmvec.so" },
};

/* One library's exports, sorted for bsearch; read once per process. */
static struct exports {
	const char *lib;
	char **names;
	size_t n;
	int state; /* 0: not read yet, 1: read, -1: unreadable (why in err) */
	char err[160];
} export_cache[] = { { "libgomp.so", NULL, 0, 0, "" }, { "libmvec.so", NULL, 0, 0, "" } };

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names an unversioned reference can bind to: defined, global or weak, not hidden,
 * and unversioned or the default version (a versym without its hidden bit). */
static int read_exports(struct exports *e, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	Elf_Scn *scn = NULL, *dynsym = NULL, *versym = NULL;
	Elf_Data *data = NULL, *vdata = NULL;
	GElf_Shdr sh, dsh;
	size_t cap = 0, count;

	if (!elf) {
		snprintf(e->err, sizeof e->err, "cannot read %s", e->lib);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNSYM)
			dynsym = scn;
		else if (sh.sh_type == SHT_GNU_versym)
			versym = scn;
	}
	if (!dynsym || !gelf_getshdr(dynsym, &dsh) || !(data = elf_getdata(dynsym, NULL)) ||
	    dsh.sh_entsize == 0) {
		snprintf(e->err, sizeof e->err, "%s has no dynamic symbol table", e->lib);
		elf_end(elf);
		close(fd);
		return -1;
	}
	if (versym)
		vdata = elf_getdata(versym, NULL);
	count = dsh.sh_size / dsh.sh_entsize;
	for (size_t i = 1; i < count; i++) {
		GElf_Sym sym;
		GElf_Versym v = 1;
		const char *name;
		unsigned bind, vis;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		bind = GELF_ST_BIND(sym.st_info);
		vis = GELF_ST_VISIBILITY(sym.st_other);
		if ((bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE) ||
		    (vis != STV_DEFAULT && vis != STV_PROTECTED))
			continue;
		if (vdata && !gelf_getversym(vdata, (int)i, &v))
			continue;
		if (v == 0 || (v & 0x8000)) /* local, or a non-default version (name@VER) */
			continue;
		if (!(name = elf_strptr(elf, dsh.sh_link, sym.st_name)) || !*name)
			continue;
		if (e->n == cap) {
			cap = cap ? 2 * cap : 256;
			e->names = realloc(e->names, cap * sizeof *e->names);
			if (!e->names)
				abort();
		}
		e->names[e->n++] = util_xstrdup(name);
	}
	elf_end(elf);
	close(fd);
	if (e->n == 0) {
		snprintf(e->err, sizeof e->err, "%s exports nothing", e->lib);
		return -1;
	}
	qsort(e->names, e->n, sizeof *e->names, cmp_name);
	return 0;
}

/* 1: lib exports name, 0: it does not, -1: its exports cannot be read (reason in *err). */
static int exported(const char *lib, const char *name, const char **err)
{
	struct exports *e = NULL;

	for (size_t i = 0; i < sizeof export_cache / sizeof *export_cache; i++)
		if (!strcmp(export_cache[i].lib, lib))
			e = &export_cache[i];
	if (!e)
		return 0;
	if (e->state == 0) {
		char path[PATH_MAX];
		if (ccinfo_library(lib, path, sizeof path, e->err, sizeof e->err) != 0)
			e->state = -1;
		else
			e->state = read_exports(e, path) == 0 ? 1 : -1;
	}
	*err = e->err;
	if (e->state < 0)
		return -1;
	return bsearch(&name, e->names, e->n, sizeof *e->names, cmp_name) != NULL;
}

/* On aarch64, libgcc's out-of-line atomics that OpenMP reductions compile to, and no
 * other name: __aarch64_{cas,swp,ldadd,ldclr,ldeor,ldset}{1,2,4,8,16}_{relax,acq,rel,
 * acq_rel,sync}. */
static int aarch64_atomic(const char *name)
{
	static const char *const ops[] = { "cas", "swp", "ldadd", "ldclr", "ldeor", "ldset" };
	static const char *const sizes[] = { "1_", "2_", "4_", "8_", "16_" };
	static const char *const orders[] = { "relax", "acq", "rel", "acq_rel", "sync" };
	const char *p = name;
	size_t i;

	if (strncmp(p, "__aarch64_", 10) != 0)
		return 0;
	p += 10;
	for (i = 0; i < sizeof ops / sizeof *ops && strncmp(p, ops[i], strlen(ops[i])); i++)
		;
	if (i == sizeof ops / sizeof *ops)
		return 0;
	p += strlen(ops[i]);
	for (i = 0; i < sizeof sizes / sizeof *sizes && strncmp(p, sizes[i], strlen(sizes[i])); i++)
		;
	if (i == sizeof sizes / sizeof *sizes)
		return 0;
	p += strlen(sizes[i]);
	for (i = 0; i < sizeof orders / sizeof *orders; i++)
		if (!strcmp(p, orders[i]))
			return 1;
	return 0;
}

static int in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static int is_math(const char *name)
{
	char base[32];
	size_t n = strlen(name);

	if (in_list(allow_math, name))
		return 1;
	/* "sqrtf" and "sqrtl" are "sqrt" plus a precision suffix. */
	if (n < 2 || n >= sizeof base || (name[n - 1] != 'f' && name[n - 1] != 'l'))
		return 0;
	memcpy(base, name, n - 1);
	base[n - 1] = '\0';
	return in_list(allow_math, base);
}

/* 1: allowed; 0: not; -1: the library that would say cannot be read (reason in *err).
 * *lib names the library of a family the name claims to belong to, else NULL. */
static int allowed_undefined(const char *name, const char **lib, const char **err)
{
	*lib = NULL;
	if (in_list(allow_exact, name) || is_math(name) || aarch64_atomic(name))
		return 1;
	for (size_t i = 0; i < sizeof families / sizeof *families; i++) {
		size_t l = strlen(families[i].prefix);
		if (strncmp(name, families[i].prefix, l) == 0) {
			*lib = families[i].lib;
			return exported(families[i].lib, name, err);
		}
	}
	return 0;
}

/* ---- sections -------------------------------------------------------------------------- */

/* Sections whose contents the loader or exit path runs without a call of dgemm. */
static const char *const run_sections[] = {
	".init_array", ".fini_array", ".preinit_array", ".ctors", ".dtors", ".init", ".fini",
	NULL,
};

/* The section kinds a C compiler emits for a kernel; anything else is unexplained. */
static const char *const known_sections[] = {
	".text", ".data", ".bss", ".rodata", ".tdata", ".tbss", ".rela", ".rel", ".note",
	".comment", ".eh_frame", ".symtab", ".strtab", ".shstrtab", ".group", ".debug",
	".gcc_except_table", ".lbss", ".ldata", ".lrodata", ".sdata", ".sbss",
	NULL,
};

/* True when name is kind itself or kind followed by a '.'-separated suffix
 * (".text.startup", ".rela.text", ".init_array.00101"). */
static int has_kind(const char *name, const char *kind)
{
	size_t n = strlen(kind);
	return strncmp(name, kind, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

static int in_kinds(const char *const *kinds, const char *name)
{
	for (; *kinds; kinds++)
		if (has_kind(name, *kinds))
			return 1;
	return 0;
}

static int known_section(const char *name)
{
	/* DWARF sections are ".debug_info", ".debug_line", ...; the extended section index
	 * table that accompanies .symtab past 65280 sections is ".symtab_shndx". */
	return in_kinds(known_sections, name) || strncmp(name, ".debug_", 7) == 0 ||
	       strcmp(name, ".symtab_shndx") == 0;
}

/* ---- reasons ------------------------------------------------------------------------- */

/* Copy an untrusted name for a reason: at most QUOTE_MAX characters, printable ASCII only,
 * so that a crafted name cannot smuggle control characters or bulk into a Measurement. */
static const char *quote(char *buf, size_t size, const char *name)
{
	size_t i, n = 0;

	for (i = 0; name[i] && n + 4 < size; i++) {
		if (i == QUOTE_MAX) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		buf[n++] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
	}
	buf[n] = '\0';
	return buf;
}

static int fail(char *why, size_t whylen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t whylen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ---- the audit ----------------------------------------------------------------------- */

struct audit {
	Elf *elf;
	GElf_Ehdr eh;
	size_t size; /* of the file, to bound what the headers claim */
	char *why;
	size_t whylen;
	int saw_dgemm;
};

static int check_header(struct audit *a)
{
	GElf_Ehdr *eh = &a->eh;
	const char *ident;

	if (elf_kind(a->elf) != ELF_K_ELF)
		return fail(a->why, a->whylen, AUDIT_BAD, "not an ELF object file");
	ident = elf_getident(a->elf, NULL);
	if (!ident || !gelf_getehdr(a->elf, eh))
		return fail(a->why, a->whylen, AUDIT_BAD, "unreadable ELF header: %s",
			    elf_errmsg(-1));
	if (eh->e_type != ET_REL)
		return fail(a->why, a->whylen, AUDIT_BAD,
			    "not a relocatable object (ELF type %u)", (unsigned)eh->e_type);
	if (ident[EI_CLASS] != HOST_CLASS || ident[EI_DATA] != HOST_DATA)
		return fail(a->why, a->whylen, AUDIT_BAD,
			    "object is for another word size or byte order than this machine");
#ifdef HOST_MACHINE
	if (eh->e_machine != HOST_MACHINE)
		return fail(a->why, a->whylen, AUDIT_BAD,
			    "object is for another machine (e_machine %u)", (unsigned)eh->e_machine);
#endif
	return 0;
}

static int check_section(struct audit *a, const GElf_Shdr *sh, const char *name)
{
	char q[64];

	/* By type as well as by name: top-level asm can give any name the init_array type. */
	if (sh->sh_type == SHT_INIT_ARRAY || sh->sh_type == SHT_FINI_ARRAY ||
	    sh->sh_type == SHT_PREINIT_ARRAY || in_kinds(run_sections, name))
		return fail(a->why, a->whylen, AUDIT_FAIL,
			    "section '%s' runs code at load or exit; only calls of dgemm may run code",
			    quote(q, sizeof q, name));
	if (!known_section(name))
		return fail(a->why, a->whylen, AUDIT_FAIL, "unexpected section '%s'",
			    quote(q, sizeof q, name));
	/* An executable stack (GNU nested-function trampolines) would make the sandbox's
	 * loader remap the stack executable: not C11, and not worth the risk. */
	if (strcmp(name, ".note.GNU-stack") == 0 && (sh->sh_flags & SHF_EXECINSTR))
		return fail(a->why, a->whylen, AUDIT_FAIL,
			    "object requests an executable stack (nested-function trampolines?)");
	return 0;
}

/* Walk the section headers; returns the symbol table's section (and its extended-index
 * companion) through symtab/xndx, which stay NULL when there is none. */
static int check_sections(struct audit *a, Elf_Scn **symtab, Elf_Scn **xndx)
{
	size_t shstrndx, shnum, shentsize = gelf_fsize(a->elf, ELF_T_SHDR, 1, EV_CURRENT);
	Elf_Scn *scn = NULL;
	int rc;

	*symtab = *xndx = NULL;
	if (elf_getshdrnum(a->elf, &shnum) != 0 || elf_getshdrstrndx(a->elf, &shstrndx) != 0)
		return fail(a->why, a->whylen, AUDIT_BAD, "unreadable section headers: %s",
			    elf_errmsg(-1));
	/* libelf quietly drops a section header table that a truncated file cut off, which
	 * would read as an object without symbols; gcc always writes sections. */
	if (shnum == 0 || shentsize == 0 || a->eh.e_shoff > a->size ||
	    shnum > (a->size - a->eh.e_shoff) / shentsize)
		return fail(a->why, a->whylen, AUDIT_BAD,
			    "section headers missing or past the end of the file (truncated?)");
	while ((scn = elf_nextscn(a->elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			return fail(a->why, a->whylen, AUDIT_BAD, "unreadable section header: %s",
				    elf_errmsg(-1));
		name = elf_strptr(a->elf, shstrndx, sh.sh_name);
		if (!name)
			return fail(a->why, a->whylen, AUDIT_BAD, "unreadable section name: %s",
				    elf_errmsg(-1));
		if (sh.sh_type != SHT_NOBITS &&
		    (sh.sh_offset > a->size || sh.sh_size > a->size - sh.sh_offset))
			return fail(a->why, a->whylen, AUDIT_BAD,
				    "section %zu extends past the end of the file (truncated?)",
				    elf_ndxscn(scn));
		if ((rc = check_section(a, &sh, name)) != 0)
			return rc;
		if (sh.sh_type == SHT_SYMTAB) {
			/* A relocatable object has one symbol table; a second could hide names. */
			if (*symtab)
				return fail(a->why, a->whylen, AUDIT_BAD,
					    "more than one symbol table");
			*symtab = scn;
		} else if (sh.sh_type == SHT_SYMTAB_SHNDX) {
			*xndx = scn;
		}
	}
	return 0;
}

/* dgemm itself: a function, in code, that dlsym can find. */
static int check_dgemm(struct audit *a, const GElf_Sym *sym, Elf32_Word shndx)
{
	Elf_Scn *scn;
	GElf_Shdr sh;

	if (GELF_ST_TYPE(sym->st_info) != STT_FUNC)
		return fail(a->why, a->whylen, AUDIT_FAIL,
			    "dgemm is not a function (symbol type %u)",
			    (unsigned)GELF_ST_TYPE(sym->st_info));
	if (GELF_ST_VISIBILITY(sym->st_other) == STV_HIDDEN ||
	    GELF_ST_VISIBILITY(sym->st_other) == STV_INTERNAL)
		return fail(a->why, a->whylen, AUDIT_FAIL,
			    "dgemm has hidden visibility; the benchmark cannot find it");
	scn = elf_getscn(a->elf, shndx);
	if (!scn || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_EXECINSTR))
		return fail(a->why, a->whylen, AUDIT_FAIL,
			    "dgemm is not defined in an executable section");
	a->saw_dgemm = 1;
	return 0;
}

/* Short, and only characters of C identifiers: fit to quote whole in a reason. */
static int short_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > QUOTE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '.' && name[i] != '$')
			return 0;
	return 1;
}

/*
 * `#pragma omp critical(NAME)` makes gcc emit the lock word of that name as a common
 * symbol, .gomp_critical_user_NAME, one pointer wide and aligned, so that every object
 * using the name shares one lock. C cannot spell a name with a '.', so only the compiler
 * makes it; exactly that form is no external symbol of the kernel's.
 */
static int gomp_critical_lock(const GElf_Sym *sym, Elf32_Word shndx, const char *name)
{
	static const char prefix[] = ".gomp_critical_user_";
	const char *id = name + sizeof prefix - 1;

	if (strncmp(name, prefix, sizeof prefix - 1) != 0 || !(isalpha((unsigned char)*id) || *id == '_'))
		return 0;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	return shndx == SHN_COMMON && GELF_ST_TYPE(sym->st_info) == STT_OBJECT &&
	       GELF_ST_BIND(sym->st_info) == STB_GLOBAL &&
	       GELF_ST_VISIBILITY(sym->st_other) == STV_DEFAULT && sym->st_size == sizeof(void *) &&
	       sym->st_value == sizeof(void *); /* a common symbol's value is its alignment */
}

static int check_symbol(struct audit *a, const GElf_Sym *sym, Elf32_Word shndx,
			const char *name)
{
	unsigned bind = GELF_ST_BIND(sym->st_info);
	char q[64];

	/* An ifunc runs its resolver inside the dynamic loader, before any call of dgemm,
	 * whatever its linkage. */
	if (GELF_ST_TYPE(sym->st_info) == STT_GNU_IFUNC)
		return fail(a->why, a->whylen, AUDIT_FAIL,
			    "'%s' is a GNU ifunc, whose resolver runs at load time",
			    quote(q, sizeof q, name));
	if (sym->st_shndx == SHN_UNDEF) {
		if (strcmp(name, "dgemm") == 0)
			return fail(a->why, a->whylen, AUDIT_FAIL,
				    "dgemm is declared but not defined");
		const char *lib, *err = "";
		int ok = allowed_undefined(name, &lib, &err);
		if (ok < 0)
			return fail(a->why, a->whylen, AUDIT_BAD,
				    "cannot check the kernel's calls into %s: %s", lib, err);
		/* The name is the kernel's own text: shown only when it is a short identifier. */
		if (!ok && lib)
			return short_name(name) ? fail(a->why, a->whylen, AUDIT_FAIL,
						       "calls '%s', which %s does not export", name, lib)
						: fail(a->why, a->whylen, AUDIT_FAIL,
						       "calls a name over %d characters that %s does not export",
						       QUOTE_MAX, lib);
		if (!ok)
			return fail(a->why, a->whylen, AUDIT_FAIL,
				    "calls '%s', which is not on the allowlist",
				    quote(q, sizeof q, name));
		return 0;
	}
	/* Every binding but local (global, weak, GNU unique, and any OS- or processor-
	 * specific one) is visible to the linker, so all count as external linkage. */
	if (bind == STB_LOCAL || gomp_critical_lock(sym, shndx, name))
		return 0;
	if (strcmp(name, "dgemm") != 0)
		return fail(a->why, a->whylen, AUDIT_FAIL,
			    "defines external symbol '%s'; only dgemm may have external linkage",
			    quote(q, sizeof q, name));
	return check_dgemm(a, sym, shndx);
}

static int check_symbols(struct audit *a, Elf_Scn *symtab, Elf_Scn *xndx)
{
	GElf_Shdr sh;
	Elf_Data *data, *xdata = NULL;
	size_t i, count, entsize;
	int rc;

	if (!symtab)
		return 0; /* no symbols: the missing dgemm is reported by the caller */
	if (!gelf_getshdr(symtab, &sh) || !(data = elf_getdata(symtab, NULL)))
		return fail(a->why, a->whylen, AUDIT_BAD, "unreadable symbol table: %s",
			    elf_errmsg(-1));
	if (xndx && !(xdata = elf_getdata(xndx, NULL)))
		return fail(a->why, a->whylen, AUDIT_BAD, "unreadable extended section indices: %s",
			    elf_errmsg(-1));
	entsize = gelf_fsize(a->elf, ELF_T_SYM, 1, EV_CURRENT);
	if (entsize == 0)
		return fail(a->why, a->whylen, AUDIT_BAD, "unknown symbol size");
	count = data->d_size / entsize;
	/* Entry 0 is the reserved null symbol. */
	for (i = 1; i < count; i++) {
		GElf_Sym sym;
		Elf32_Word shndx = 0;
		const char *name;

		if (!gelf_getsymshndx(data, xdata, (int)i, &sym, &shndx))
			return fail(a->why, a->whylen, AUDIT_BAD, "unreadable symbol %zu: %s", i,
				    elf_errmsg(-1));
		if (sym.st_shndx != SHN_XINDEX)
			shndx = sym.st_shndx;
		name = elf_strptr(a->elf, sh.sh_link, sym.st_name);
		if (!name)
			return fail(a->why, a->whylen, AUDIT_BAD, "unreadable symbol name: %s",
				    elf_errmsg(-1));
		if ((rc = check_symbol(a, &sym, shndx, name)) != 0)
			return rc;
	}
	return 0;
}

static int audit_elf(struct audit *a)
{
	Elf_Scn *symtab, *xndx;
	int rc;

	if ((rc = check_header(a)) != 0 || (rc = check_sections(a, &symtab, &xndx)) != 0 ||
	    (rc = check_symbols(a, symtab, xndx)) != 0)
		return rc;
	if (!a->saw_dgemm)
		return fail(a->why, a->whylen, AUDIT_FAIL, "does not define dgemm");
	return 0;
}

int audit_object(const char *path, char *why, size_t whylen)
{
	struct audit a = {.why = why, .whylen = whylen};
	struct stat st;
	int fd, rc;

	if (why && whylen)
		why[0] = '\0';
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(why, whylen, AUDIT_BAD, "libelf is out of date: %s", elf_errmsg(-1));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(why, whylen, AUDIT_BAD, "cannot open object: %m");
	/* A FIFO or device would block or never end; only plain files are objects. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(why, whylen, AUDIT_BAD, "object is not a regular file");
	}
	a.size = (size_t)st.st_size;
	/* ELF_C_READ reads through the descriptor rather than mapping the file, so a file
	 * truncated under us gives an error, not a SIGBUS. */
	a.elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!a.elf) {
		rc = fail(why, whylen, AUDIT_BAD, "not an ELF file: %s", elf_errmsg(-1));
	} else {
		rc = audit_elf(&a);
		elf_end(a.elf);
	}
	close(fd);
	return rc;
}
