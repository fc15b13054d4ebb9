/* test_config.c - perfrl.conf: defaults, the shipped files, overrides, every error with its
 * file:line, and print-then-load round trips. */
#include "config.h"
#include "../lib/check.h"
#include "build.h"
#include "conf.h"
#include "reward.h"
#include "status.h"
#include "util.h"

#include <libconfig.h>
#include <stdlib.h>
#include <unistd.h>

static const char *top;
static char *temps[256];
static int ntemps;

/* A temporary file holding text (removed at the end). */
static char *write_conf(const char *text)
{
	const char *tmp = getenv("TMPDIR");
	char *path = util_xasprintf("%s/perfrl-conf-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd) != 0) {
		perror(path);
		exit(99);
	}
	if (ntemps < (int)(sizeof temps / sizeof temps[0]))
		temps[ntemps++] = path;
	return path;
}

static int load_text(const char *text, struct perfrl_config *c)
{
	char err[1024];
	int rc = config_load(write_conf(text), c, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "unexpected: %s\n", err);
	return rc;
}

/* Loading text fails, the message is "FILE:" + want, and nothing is left to free. */
#define ERR(text, want) check_error(__LINE__, text, want)
static void check_error(int line, const char *text, const char *want)
{
	struct perfrl_config c;
	char err[1024], *path = write_conf(text), *full = util_xasprintf("%s:%s", path, want);

	CHECK(config_load(path, &c, err, sizeof err) == -1);
	if (strcmp(err, full))
		fprintf(stderr, "line %d:\n  got  %s\n  want %s\n", line, err, full);
	CHECK_STR(err, full);
	CHECK(c.run_dir == NULL && c.bench.shapes.v == NULL && c.bench.shapes.n == 0);
	config_free(&c);
	free(full);
}

/* config_print's text. */
static char *printed(const struct perfrl_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	CHECK(m && config_print(m, c) == 0);
	fclose(m);
	return buf;
}

static int same_print(const struct perfrl_config *a, const struct perfrl_config *b)
{
	char *x = printed(a), *y = printed(b);
	int same = !strcmp(x, y);
	if (!same)
		fprintf(stderr, "--- printed differently:\n%s\n--- and:\n%s\n", x, y);
	free(x);
	free(y);
	return same;
}

/* The dotted names of the leaves of a libconfig tree. */
static void leaves(const config_setting_t *g, const char *prefix, char **out, int *n)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		char *path = util_xasprintf("%s%s%s", prefix, *prefix ? "." : "", config_setting_name(s));
		if (config_setting_is_group(s)) {
			leaves(s, path, out, n);
			free(path);
		} else if (*n < 100) {
			out[(*n)++] = path;
		} else {
			free(path);
		}
	}
}

static void test_defaults(void)
{
	struct perfrl_config c, d;
	char err[256] = "x";

	config_defaults(&c);
	CHECK_STR(c.run_dir, "run");
	CHECK(c.iterations == 100);
	CHECK(c.seed == 1);
	CHECK_STR(c.stages, "stages.lua");
	CHECK_STR(c.slurm.account, "");
	CHECK_STR(c.slurm.job_name_prefix, "perfrl");
	CHECK_STR(c.slurm.gpu.partition, "gpu");
	CHECK_STR(c.slurm.gpu.gres, "gpu:1");
	CHECK(c.slurm.gpu.nodes == 1);
	CHECK_STR(c.slurm.cpu.partition, "cpu");
	CHECK(c.slurm.cpu.exclusive == 1);
	CHECK(c.slurm.retry_max == 2);
	CHECK(c.gpu_step.command == CONFIG_GPU_BUILTIN);
	CHECK(c.gpu_step.group_size == 8);
	CHECK(c.gpu_step.clip == 0.2);
	CHECK_STR(c.gpu_step.python, "python3");
	CHECK(c.bench.shapes.n == 1);
	CHECK_STR(c.bench.shapes.v[0], "512x512x512");
	CHECK(c.bench.shapes.v[1] == NULL);
	CHECK(c.bench.budget_s == 2 && c.bench.timeout_s == 10 && c.bench.cv_percent == 1);
	CHECK_STR(reward_mode_name((enum reward_mode)c.bench.reward), "gflops");
	CHECK(c.bench.peak_gflops == 0);
	CHECK(c.bench.mem_limit_mb == 4096);
	CHECK_STR(c.bench.cc, "");
	CHECK_STR(c.bench.cflags, BUILD_DEFAULT_CFLAGS);
	/* the tiers are the paper's, as perfrl bench has them */
	CHECK(c.reward.rejected == status_penalty(STATUS_REJECTED));
	CHECK(c.reward.compile_error == status_penalty(STATUS_COMPILE_ERROR));
	CHECK(c.reward.timeout == status_penalty(STATUS_TIMEOUT));
	CHECK(c.reward.runtime_error == status_penalty(STATUS_RUNTIME_ERROR));
	CHECK(c.reward.wrong_answer == status_penalty(STATUS_WRONG_ANSWER));

	/* no file: the defaults, and an empty error */
	CHECK(config_load(NULL, &d, err, sizeof err) == 0);
	CHECK_STR(err, "");
	CHECK(same_print(&c, &d));
	config_free(&d);
	/* an empty file: the defaults */
	CHECK(load_text("", &d) == 0);
	CHECK(same_print(&c, &d));
	config_free(&d);
	/* comments only */
	CHECK(load_text("# nothing\n// here\n/* either */\n", &d) == 0);
	CHECK(same_print(&c, &d));
	config_free(&d);

	config_free(&c);
	CHECK(c.run_dir == NULL && c.bench.shapes.v == NULL);
	config_free(&c); /* harmless twice */
}

/* perfrl.conf shows every key at its default; the man page names every key. */
static void test_shipped(void)
{
	struct perfrl_config c, d;
	char err[1024], *path, *text, *man, *names[100];
	int n = 0;
	config_t cf, ex;

	config_defaults(&d);
	path = util_xasprintf("%s/perfrl.conf", top);
	if (config_load(path, &c, err, sizeof err) == 0) {
		CHECK(same_print(&c, &d));
		config_free(&c);
	} else {
		fprintf(stderr, "%s\n", err);
		CHECK(!"the shipped perfrl.conf loads"); /* and nothing below reads c */
	}

	text = printed(&d);
	config_init(&cf);
	config_init(&ex);
	CHECK(config_read_string(&cf, text) == CONFIG_TRUE);
	CHECK(config_read_file(&ex, path) == CONFIG_TRUE);
	leaves(config_root_setting(&cf), "", names, &n);
	CHECK(n == 54);
	free(path);
	path = util_xasprintf("%s/doc/perfrl.conf.5", top);
	man = util_read_file(path, 0, NULL);
	CHECK(man != NULL);
	for (int i = 0; i < n; i++) {
		if (!config_lookup(&ex, names[i])) {
			fprintf(stderr, "perfrl.conf lacks %s\n", names[i]);
			CHECK(!"every key in perfrl.conf");
		}
		if (man && !strstr(man, names[i])) {
			fprintf(stderr, "doc/perfrl.conf.5 lacks %s\n", names[i]);
			CHECK(!"every key in the man page");
		}
		free(names[i]);
	}
	config_destroy(&cf);
	config_destroy(&ex);
	free(man);
	free(path);
	free(text);

	path = util_xasprintf("%s/configs/demo.conf", top);
	if (config_load(path, &c, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		CHECK(!"configs/demo.conf loads");
		free(path);
		return;
	}
	CHECK(c.iterations == 20);
	CHECK(c.slurm.cpu.tasks == 1);
	CHECK(c.slurm.cpu.cpus_per_task == 2); /* OpenMP has cores to pay off on */
	CHECK(c.slurm.cpu.exclusive == 0);
	CHECK_STR(c.slurm.gpu.partition, "gpu");
	CHECK_STR(c.slurm.cpu.partition, "cpu");
	CHECK(c.gpu_step.command == CONFIG_GPU_BUILTIN);
	CHECK(c.bench.shapes.n == 2);
	CHECK(c.bench.budget_s < 1);
	/* what it does not set keeps the default */
	CHECK(c.slurm.gpu.nodes == 1);
	CHECK(c.reward.rejected == -100);
	text = printed(&c);
	CHECK(strstr(text, "iterations = 20;") != NULL);
	CHECK(strstr(text, "(default: 100)") != NULL);
	CHECK(strstr(text, "    tasks = 1;") != NULL);
	free(text);
	config_free(&c);
	free(path);
	config_free(&d);
}

static void test_overrides(void)
{
	struct perfrl_config c;

	CHECK(load_text("# one of each\n"
			"run_dir = \"/scratch/\" \"run-7\";   // joined\n"
			"iterations = 12;\n"
			"seed = 0x10;\n"
			"slurm = {\n"
			"  qos = \"high\";\n"
			"  gpu = { nodes = 2; mem_mb = 65536L; };\n"
			"  cpu = { exclusive = false; tasks = 64; };\n"
			"};\n"
			"gpu_step = { command = \"trl\"; model_path = \"models/\\x74iny\"; kl_beta = 0;\n"
			"  learning_rate = 1e-6; clip = 0.28; };\n"
			"bench = {\n"
			"  shapes = (\"1000x999x37\", \"64x64x64\", \"1x1x1\");\n"
			"  budget_s = 3;\n"
			"  reward = \"ratio\";\n"
			"  cflags = \"-O2 -DX=1\";\n"
			"};\n"
			"reward = { rejected = -1000.5; wrong_answer = 0; };\n",
			&c) == 0);
	CHECK_STR(c.run_dir, "/scratch/run-7");
	CHECK(c.iterations == 12);
	CHECK(c.seed == 16);
	CHECK_STR(c.slurm.qos, "high");
	CHECK(c.slurm.gpu.nodes == 2);
	CHECK(c.slurm.gpu.mem_mb == 65536);
	CHECK(c.slurm.cpu.exclusive == 0);
	CHECK(c.slurm.cpu.tasks == 64);
	CHECK(c.gpu_step.command == CONFIG_GPU_TRL);
	CHECK_STR(c.gpu_step.model_path, "models/tiny");
	CHECK(c.gpu_step.kl_beta == 0);
	CHECK(c.gpu_step.learning_rate == 1e-6);
	CHECK(c.gpu_step.clip == 0.28);
	CHECK(c.bench.shapes.n == 3);
	CHECK_STR(c.bench.shapes.v[0], "1000x999x37");
	CHECK_STR(c.bench.shapes.v[2], "1x1x1");
	CHECK(c.bench.shapes.v[3] == NULL);
	CHECK(c.bench.budget_s == 3.0);
	CHECK(c.bench.reward == REWARD_RATIO);
	CHECK_STR(c.bench.cflags, "-O2 -DX=1");
	CHECK(c.reward.rejected == -1000.5);
	CHECK(c.reward.wrong_answer == 0);
	/* untouched */
	CHECK_STR(c.slurm.gpu.partition, "gpu");
	CHECK(c.slurm.gpu.cpus_per_task == 8);
	CHECK(c.reward.timeout == -30);
	config_free(&c);

	/* reward names match reward.h's enum, and the bounds themselves are accepted */
	CHECK(load_text("bench = { reward = \"log\"; cv_percent = 0; peak_gflops = 1e9; };\n"
			"iterations = 100000; seed = 2147483647;\n", &c) == 0);
	CHECK(c.bench.reward == REWARD_LOG);
	CHECK(c.iterations == 100000 && c.seed == 2147483647);
	CHECK(c.bench.peak_gflops == 1e9);
	config_free(&c);
	/* the last element of a list of 8; a shape at the limits */
	CHECK(load_text("bench = { shapes = [\"1x1x1\", \"2x2x2\", \"3x3x3\", \"4x4x4\", \"5x5x5\", "
			"\"6x6x6\", \"7x7x7\", \"65536x2x3\"]; };\n", &c) == 0);
	CHECK(c.bench.shapes.n == 8);
	CHECK_STR(c.bench.shapes.v[7], "65536x2x3");
	config_free(&c);
}

static void test_errors(void)
{
	/* unknown keys, at every depth, with suggestions */
	ERR("iterations = 3;\n\niteration = 4;\n",
	    "3: unknown key 'iteration' (did you mean 'iterations'?)");
	ERR("slurm = {\n  gpu = {\n    nodes = 1;\n    partiton = \"a100\";\n  };\n};\n",
	    "4: unknown key 'slurm.gpu.partiton' (did you mean 'slurm.gpu.partition'?)");
	ERR("slurm = {\n  gpuu = { nodes = 1; };\n};\n",
	    "2: unknown key 'slurm.gpuu' (did you mean 'slurm.gpu'?)");
	ERR("partition = \"gpu\";\n",
	    "1: unknown key 'partition' (did you mean 'slurm.gpu.partition' or 'slurm.cpu.partition'?)");
	ERR("bench = { timeout = 3; };\n",
	    "1: unknown key 'bench.timeout' (did you mean 'bench.timeout_s'?)");
	ERR("gpu_step = { shapes = [\"1x1x1\"]; };\n",
	    "1: unknown key 'gpu_step.shapes' (did you mean 'bench.shapes'?)");
	ERR("\n\nwhatever = 1;\n", "3: unknown key 'whatever'");

	/* wrong types */
	ERR("run_dir = \"r\";\n\n\n\n\n\niterations = \"3\";\n",
	    "7: 'iterations' must be an integer, not a string");
	ERR("iterations = 3.0;\n", "1: 'iterations' must be an integer, not a float");
	ERR("iterations = true;\n", "1: 'iterations' must be an integer, not a boolean");
	ERR("iterations = { n = 3; };\n", "1: 'iterations' must be an integer, not a group");
	ERR("bench = { budget_s = \"2s\"; };\n", "1: 'bench.budget_s' must be a number, not a string");
	ERR("slurm = { cpu = {\n exclusive = 1; }; };\n",
	    "2: 'slurm.cpu.exclusive' must be a boolean (true or false), not an integer");
	ERR("stages = 5;\n", "1: 'stages' must be a string, not an integer");
	ERR("stages = [\"a.lua\"];\n", "1: 'stages' must be a string, not a list");
	ERR("gpu_step = { command = 1; };\n", "1: 'gpu_step.command' must be a string, not an integer");
	ERR("bench = { shapes = \"512x512x512\"; };\n",
	    "1: 'bench.shapes' must be a list of strings, not a string");
	ERR("bench = { shapes = (\n \"8x8x8\",\n 5 ); };\n",
	    "3: 'bench.shapes' element 2 must be a string, not an integer");
	ERR("bench = { shapes = (\"8x8x8\", [\"8x8x8\"]); };\n",
	    "1: 'bench.shapes' element 2 must be a string, not a list");
	ERR("slurm = 3;\n", "1: 'slurm' must be a group ({ ... }), not an integer");
	ERR("slurm = { gpu = \"a100\"; };\n", "1: 'slurm.gpu' must be a group ({ ... }), not a string");

	/* out of range */
	ERR("iterations = 0;\n", "1: 'iterations' = 0 is out of range 1..100000");
	ERR("iterations = 100001;\n", "1: 'iterations' = 100001 is out of range 1..100000");
	ERR("seed = -1;\n", "1: 'seed' = -1 is out of range 0..2147483647");
	ERR("gpu_step = { group_size = 1; };\n", "1: 'gpu_step.group_size' = 1 is out of range 2..1024");
	ERR("bench = { cv_percent = 100.5; };\n", "1: 'bench.cv_percent' = 100.5 is out of range 0..100");
	ERR("bench = { timeout_s = 0; };\n", "1: 'bench.timeout_s' = 0 is out of range 0.01..86400");
	ERR("reward = { timeout = 5; };\n", "1: 'reward.timeout' = 5 is out of range -1e+06..0");
	ERR("seed = 3000000000L;\n", "1: 'seed' = 3000000000 is out of range 0..2147483647");
	/* libconfig 1.5 keeps the low 32 bits of these: 4294967297 would read as 1 */
	ERR("seed = 5; iterations = 4294967297;\n",
	    "1: 'iterations' = 4294967297 is out of range 1..100000");
	ERR("slurm = { gpu = {\n  nodes = /* many */ 4294967297; }; };\n",
	    "2: 'slurm.gpu.nodes' = 4294967297 is out of range 1..1024");
	ERR("seed = 0x100000001;\n", "1: 'seed' = 0x100000001 is out of range 0..2147483647");
	ERR("reward = { rejected = -4294967396; };\n",
	    "1: 'reward.rejected' = -4294967396 is out of range -1e+06..0");
	ERR("bench = { peak_gflops = 5000000000; };\n",
	    "1: 'bench.peak_gflops' = 5000000000 is out of range 0..1e+09");

	/* lists and shapes */
	ERR("bench = { shapes = []; };\n", "1: 'bench.shapes' must have 1 to 8 elements, not 0");
	ERR("bench = { shapes = [\"1x1x1\", \"1x1x1\", \"1x1x1\", \"1x1x1\", \"1x1x1\", \"1x1x1\", "
	    "\"1x1x1\", \"1x1x1\", \"1x1x1\"]; };\n",
	    "1: 'bench.shapes' must have 1 to 8 elements, not 9");
	{
		static const char *const bad[] = {"0x5x5", "5x5", "5x5x5x", "5x5x5x5", "axbxc", " 5x5x5",
						  "+5x5x5", "5x-5x5", "65537x1x1", "65536x65536x65536",
						  ""};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			char *text = util_xasprintf("bench = {\n  shapes = [\"8x8x8\",\n\"%s\"];\n};\n", bad[i]);
			char *want = util_xasprintf("3: 'bench.shapes' element 2 (\"%s\") is not MxNxK "
						    "(positive integers up to 65536; A, B and C within 3 GiB)",
						    bad[i]);
			ERR(text, want);
			free(text);
			free(want);
		}
	}

	/* enums, empty strings, and what one key cannot say alone */
	ERR("bench = { reward = \"fast\"; };\n",
	    "1: 'bench.reward' must be \"gflops\", \"log\" or \"ratio\", not \"fast\"");
	ERR("gpu_step = { command = \"vllm\"; };\n",
	    "1: 'gpu_step.command' must be \"builtin\", \"trl\" or \"fixed\", not \"vllm\"");
	ERR("run_dir = \"\";\n", "1: 'run_dir' must not be empty");
	ERR("gpu_step = { args = \"--lora; rm -rf /\"; };\n",
	    "1: 'gpu_step.args' must be plain words: letters, digits, spaces and _=./,:+-@% (no quotes or shell syntax)");
	/* the job script quotes the flags: what a quote would change is refused, never altered */
	ERR("bench = { cflags = \"-O3 -DX='1'\"; };\n",
	    "1: 'bench.cflags' must be plain words: letters, digits, spaces and _=./,:+-@% (no quotes or shell syntax)");
	ERR("bench = { cc = \"gcc'x\"; };\n",
	    "1: 'bench.cc' must be plain words: letters, digits, spaces and _=./,:+-@% (no quotes or shell syntax)");
	ERR("slurm = { cpu = { partition = \"\"; }; };\n", "1: 'slurm.cpu.partition' must not be empty");
	ERR("\ngpu_step = {\n  command = \"trl\";\n};\n",
	    "3: gpu_step.command \"trl\" needs 'gpu_step.model_path'");

	/* libconfig's own messages, with its file:line */
	ERR("iterations = 3;\nslurm = {\n  qos = ;\n};\n", "3: syntax error");
	ERR("iterations = 3;\niterations = 4;\n", "2: duplicate setting name");
	ERR("slurm = {\n", "2: syntax error");
	ERR("bench = { shapes = [\n \"8x8x8\",\n 5 ]; };\n", "3: mismatched element type in array");
}

static void test_files(void)
{
	struct perfrl_config c;
	char err[1024], *want, *inc, *main_text, *name;

	/* a missing file, a directory */
	CHECK(config_load("/nonexistent/perfrl.conf", &c, err, sizeof err) == -1);
	CHECK_STR(err, "/nonexistent/perfrl.conf: No such file or directory");
	config_free(&c);
	CHECK(config_load("/", &c, err, sizeof err) == -1);
	CHECK_STR(err, "/: Is a directory");
	/* no room for a message is fine */
	CHECK(config_load("/nonexistent", &c, NULL, 0) == -1);
	CHECK(config_load(write_conf("iterations = 0;\n"), &c, err, 1) == -1);
	CHECK_STR(err, "");

	/* @include is relative to the including file; errors name the included file */
	inc = write_conf("# included\nqos = \"high\";\ncpu = { tasks = 3; };\n");
	name = strrchr(inc, '/') + 1;
	main_text = util_xasprintf("slurm = {\n  @include \"%s\"\n};\n", name);
	CHECK(load_text(main_text, &c) == 0);
	CHECK_STR(c.slurm.qos, "high");
	CHECK(c.slurm.cpu.tasks == 3);
	config_free(&c);
	free(main_text);
	inc = write_conf("# included\n\ncpu = { tasks = 0; };\n");
	main_text = util_xasprintf("slurm = {\n  @include \"%s\"\n};\n", strrchr(inc, '/') + 1);
	CHECK(config_load(write_conf(main_text), &c, err, sizeof err) == -1);
	want = util_xasprintf("%s:3: 'slurm.cpu.tasks' = 0 is out of range 1..100000", inc);
	CHECK_STR(err, want);
	free(want);
	free(main_text);
	/* a big literal in an included file */
	inc = write_conf("\nnodes = 4294967297;\n");
	main_text = util_xasprintf("slurm = { gpu = {\n  @include \"%s\"\n}; };\n", strrchr(inc, '/') + 1);
	CHECK(config_load(write_conf(main_text), &c, err, sizeof err) == -1);
	want = util_xasprintf("%s:2: 'slurm.gpu.nodes' = 4294967297 is out of range 1..1024", inc);
	CHECK_STR(err, want);
	free(want);
	free(main_text);
}

/* What config_print writes loads back into the same configuration. */
static void test_round_trip(void)
{
	struct perfrl_config a, b;
	char *text, err[1024];

	CHECK(load_text("run_dir = \"a \\\"quoted\\\" \\\\ dir\\n\\twith\\x01 ünïcode\";\n"
			"seed = 7;\n"
			"slurm = { account = \"proj-42\"; cpu = { exclusive = false; }; };\n"
			"gpu_step = { command = \"trl\"; model_path = \"m\"; learning_rate = 3.3333333333333335e-08;\n"
			"  clip = 0.30000000000000004; kl_beta = 1e-300; };\n"
			"bench = { shapes = [\"7x8x9\", \"1000x999x37\"]; budget_s = 1234.5678; "
			"peak_gflops = 123456789.125; reward = \"log\"; };\n"
			"reward = { rejected = -0.1; compile_error = -999999.99999999; };\n",
			&a) == 0);
	CHECK_STR(a.run_dir, "a \"quoted\" \\ dir\n\twith\x01 ünïcode");
	text = printed(&a);
	CHECK(config_load(write_conf(text), &b, err, sizeof err) == 0);
	if (*err)
		fprintf(stderr, "%s\n--- in:\n%s\n", err, text);
	CHECK_STR(b.run_dir, a.run_dir);
	CHECK(b.seed == 7);
	CHECK_STR(b.slurm.account, "proj-42");
	CHECK(b.slurm.cpu.exclusive == 0);
	CHECK(b.gpu_step.command == CONFIG_GPU_TRL);
	CHECK(b.gpu_step.learning_rate == a.gpu_step.learning_rate);
	CHECK(b.gpu_step.learning_rate == 1e-7 / 3);
	CHECK(b.gpu_step.clip == 0.1 + 0.2);
	CHECK(b.gpu_step.kl_beta == 1e-300);
	CHECK(b.bench.shapes.n == 2);
	CHECK_STR(b.bench.shapes.v[1], "1000x999x37");
	CHECK(b.bench.budget_s == 1234.5678);
	CHECK(b.bench.peak_gflops == 123456789.125);
	CHECK(b.bench.reward == REWARD_LOG);
	CHECK(b.reward.rejected == -0.1);
	CHECK(b.reward.compile_error == -999999.99999999);
	CHECK(same_print(&a, &b));
	/* floats stay floats ("10.0", not "10"), with no more digits than it takes */
	CHECK(strstr(text, "timeout_s = 10.0;") != NULL);
	CHECK(strstr(text, "clip = 0.30000000000000004;") != NULL);
	CHECK(strstr(text, "rejected = -0.1;") != NULL);
	free(text);
	config_free(&a);
	config_free(&b);

	/* the defaults, too */
	config_defaults(&a);
	text = printed(&a);
	CHECK(config_load(write_conf(text), &b, err, sizeof err) == 0);
	CHECK(same_print(&a, &b));
	CHECK(strstr(text, "(default:") == NULL);
	free(text);
	config_free(&a);
	config_free(&b);
}

int main(void)
{
	top = getenv("top_srcdir");
	if (!top || !*top)
		top = ".";
	test_defaults();
	test_shipped();
	test_overrides();
	test_errors();
	test_files();
	test_round_trip();
	for (int i = 0; i < ntemps; i++) {
		unlink(temps[i]);
		free(temps[i]);
	}
	return CHECK_DONE();
}
