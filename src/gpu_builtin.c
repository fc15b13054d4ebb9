/* gpu_builtin.c - `perfrl gpu-step --builtin`: the embedded GPU step. A categorical policy over
 * the kernel design space (grpo.h) writes G kernels per prompt, waits for the CPU step's
 * rewards through the iteration's files, applies one GRPO update and writes the checkpoint.
 * It needs no GPU, no Python and no weights. */
#include "config.h"
#include "catalogue.h"
#include "checkpoints.h"
#include "commands.h"
#include "grpo.h"
#include "iterlog.h"
#include "jsonl.h"
#include "kernel_space.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char builtin_usage[] =
	"usage: perfrl gpu-step --builtin --iter-dir DIR [OPTIONS]\n"
	"       perfrl gpu-step --sample --prompts FILE --out FILE [--checkpoint FILE] [OPTIONS]\n"
	"\n"
	"--builtin: the GPU step of one iteration. Answers each prompt of DIR/prompts.jsonl with G\n"
	"kernels drawn from the policy (the latest earlier checkpoint of the run, else the initial\n"
	"policy of --prior-bias),\n"
	"masked by the problem's permitted and required techniques; writes DIR/completions.jsonl,\n"
	"waits for the CPU step's results, applies one GRPO update and writes\n"
	"DIR/checkpoint/policy.json. Every stage is idempotent: a rerun keeps what exists.\n"
	"--sample: only draw kernels (an evaluation), from --checkpoint or the initial policy.\n"
	"\n"
	"  -g, --group-size G   kernels per prompt (default 8)\n"
	"      --rounds R       GRPO steps in this job (default 1): round r in DIR/round-RR\n"
	"                       when R > 1, each with its own completions, results and\n"
	"                       checkpoint; the policy stays in memory between rounds\n"
	"      --overlap        draw round r+1 before round r's update, so that the CPU step\n"
	"                       measures it meanwhile (one step off-policy, corrected by the\n"
	"                       clipped ratio to the policy that drew it)\n"
	"      --samples K      with --sample: kernels per prompt (default: G)\n"
	"      --lr X           step size on the logits (default 1)\n"
	"      --clip X         clip range of the ratio (default 0.2)\n"
	"      --kl-beta X      weight of KL to the reference, the initial policy (default 0.04)\n"
	"      --prior-bias X   the initial policy: logit X on each factor's technique-free\n"
	"                       choice, 0 = uniform (default 1)\n"
	"      --epochs N       passes over the samples (default 4)\n"
	"      --seed N         sampling seed (default 1; mixed with the iteration)\n"
	"      --wait SECONDS   longest wait for the rewards (default 86400)\n";

/* ---- files ------------------------------------------------------------------------------ */


static long iter_of(const char *dir)
{
	const char *b = strrchr(dir, '/');
	b = b ? b + 1 : dir;
	return strncmp(b, "iter-", 5) ? 0 : strtol(b + 5, NULL, 10);
}

/* (iteration, round) of a checkpoint's policy.json: RUN/iter-N/checkpoint (round 0, an
 * iteration of one round) or RUN/iter-N/round-R/checkpoint; 0, or -1 when it is neither. */
static int position_of(const char *path, long *iter, int *round)
{
	const char *b = strstr(path, "/iter-");
	int used = 0;
	for (const char *q; b && (q = strstr(b + 1, "/iter-"));)
		b = q; /* the last one: the run directory's own name may hold "/iter-" */
	if (!b)
		return -1;
	*round = 0;
	if (sscanf(b, "/iter-%ld/checkpoint/policy.json%n", iter, &used) == 1 && !b[used])
		return 0;
	used = 0;
	if (sscanf(b, "/iter-%ld/round-%d/checkpoint/policy.json%n", iter, round, &used) == 2 &&
	    !b[used] && *round >= 1)
		return 0;
	return -1;
}

/* The policy to start round `round` of iteration dir from: the latest readable checkpoint
 * before it, by (iteration, round), this iteration's earlier rounds included (a failed
 * iteration leaves none); else init, the initial policy. */
static void load_previous(const char *dir, int round, const struct grpo_policy *init,
			  struct grpo_policy *p, char *from, size_t fromlen)
{
	char pattern[PATH_MAX + 64], err[200];
	const char *slash = strrchr(dir, '/');
	long me = iter_of(dir);
	glob_t g;
	*p = *init;
	snprintf(from, fromlen, "the initial policy");
	if (!slash)
		return;
	snprintf(pattern, sizeof pattern, "%.*s/iter-*/checkpoint/policy.json", (int)(slash - dir), dir);
	if (glob(pattern, 0, NULL, &g) == GLOB_ABORTED)
		return;
	snprintf(pattern, sizeof pattern, "%.*s/iter-*/round-*/checkpoint/policy.json",
		 (int)(slash - dir), dir);
	if (glob(pattern, GLOB_APPEND, NULL, &g) == GLOB_ABORTED || g.gl_pathc == 0) {
		globfree(&g);
		return;
	}
	/* Latest first, by number (iter-10000 sorts before iter-9999 as text). */
	for (;;) {
		long best = -1, best_round = -1;
		size_t bi = 0;
		json_t *j;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			long it;
			int r;
			if (!g.gl_pathv[i][0] || position_of(g.gl_pathv[i], &it, &r) != 0)
				continue; /* tried, or not a checkpoint's place */
			if ((it < me || (it == me && r >= 1 && r < round)) &&
			    (it > best || (it == best && r > best_round))) {
				best = it;
				best_round = r;
				bi = i;
			}
		}
		if (best < 0)
			break;
		j = json_load_file(g.gl_pathv[bi], 0, NULL);
		if (j && grpo_policy_from_json(j, p, err, sizeof err) == 0) {
			snprintf(from, fromlen, "%s", g.gl_pathv[bi]);
			json_decref(j);
			break;
		}
		util_info("gpu-step: %s: %s; trying an earlier one", g.gl_pathv[bi], j ? err : "unreadable");
		json_decref(j);
		*p = *init;
		g.gl_pathv[bi][0] = '\0';
	}
	globfree(&g);
}

/* The iteration's technique catalogue: the built-ins and what stages.lua added, as the
 * orchestrator wrote it to DIR/techniques.json (dir NULL or no file: the built-ins). */
static struct catalogue *iter_catalogue(const char *dir)
{
	struct catalogue *cat = catalogue_new();
	char path[PATH_MAX + 32], err[200];
	json_t *arr;
	if (!dir)
		return cat;
	snprintf(path, sizeof path, "%s/techniques.json", dir);
	if ((arr = json_load_file(path, 0, NULL)) && catalogue_load_json(cat, arr, err, sizeof err) != 0)
		util_info("gpu-step: %s: %s (built-in techniques only)", path, err);
	json_decref(arr);
	return cat;
}

/* A prompt's permitted and required techniques (everything, nothing when absent), as far as
 * the design space can write them: it has only the built-ins. */
static int prompt_rule(const struct catalogue *cat, json_t *prompt, techset_t *perm, techset_t *req)
{
	char err[200];
	const techset_t builtin = (1u << TECH__BUILTIN) - 1;
	*perm = ~0u;
	*req = 0;
	if (json_object_get(prompt, "permitted") &&
	    techset_from_json(cat, json_object_get(prompt, "permitted"), perm, err, sizeof err) != 0)
		return util_error("%s", err);
	if (techset_from_json(cat, json_object_get(prompt, "required"), req, err, sizeof err) != 0)
		return util_error("%s", err);
	if (*req & ~builtin) {
		char names[512];
		techset_format(cat, *req & ~builtin, names, sizeof names);
		util_info("gpu-step: %s requires %s, which the builtin design space cannot write: "
			  "its kernels will be rejected",
			  json_string_value(json_object_get(prompt, "problem_id")) ?
				  json_string_value(json_object_get(prompt, "problem_id")) : "a problem",
			  names);
	}
	*perm &= builtin;
	*req &= builtin;
	return 0;
}

/* G designs per prompt, rendered, as completion records. */
static json_t *generate(const struct grpo_policy *p, const struct catalogue *cat, json_t *prompts,
			int group, uint64_t seed)
{
	json_t *out = json_array(), *pr;
	uint64_t rng = seed;
	size_t i;
	json_array_foreach(prompts, i, pr) {
		json_t *pid = json_object_get(pr, "problem_id");
		techset_t perm, req;
		if (!pid || prompt_rule(cat, pr, &perm, &req) != 0) {
			json_decref(out);
			out = NULL;
			break;
		}
		for (int g = 0; g < group; g++) {
			struct ks_design d;
			double logp[KS__COUNT];
			char sid[128], design[512], *src, *text;
			json_t *lp = json_array();
			grpo_policy_sample(p, perm, req, &rng, &d, logp);
			for (int f = 0; f < KS__COUNT; f++)
				json_array_append_new(lp, json_real(logp[f]));
			if (!(src = ks_render(&d))) {
				json_decref(out);
				out = NULL;
				goto done;
			}
			ks_format(&d, design, sizeof design);
			text = util_xasprintf("```c\n%s```\n", src);
			snprintf(sid, sizeof sid, "%s/%d", json_string_value(pid) ? json_string_value(pid) : "p", g);
			json_array_append_new(out, json_pack("{s:s, s:O, s:s, s:i, s:s, s:o}", "sample_id", sid,
							     "problem_id", pid, "completion", text,
							     "group_index", g, "design", design, "logp", lp));
			free(text);
			free(src);
		}
	}
done:
	return out;
}

/* The CPU step of this job has ended: the iteration's timeline (dir's) has a cpu_step_end after
 * its latest job_start (a follow-up job of rounds runs in the same directory as the job that
 * stamped the first cpu_step_end). */
static int cpu_step_over(const char *dir)
{
	return iterlog_stamp_time(dir, "cpu_step_end") > iterlog_stamp_time(dir, "job_start");
}

/* ---- the step ------------------------------------------------------------------------------- */

struct opts {
	const char *dir, *prompts, *out, *checkpoint;
	int group, samples, sample_only, rounds, overlap;
	struct grpo_opts g;
	long seed;
	double wait_s, prior_bias;
};

static int sample_only(const struct opts *o)
{
	struct grpo_policy p;
	json_t *prompts, *out;
	char err[200];
	int rc = 1;
	grpo_policy_init_prior(&p, o->prior_bias);
	if (o->checkpoint && strcmp(o->checkpoint, "none")) {
		json_t *j = json_load_file(o->checkpoint, 0, NULL);
		if (!j || grpo_policy_from_json(j, &p, err, sizeof err) != 0) {
			json_decref(j);
			return util_error("%s: %s", o->checkpoint, j ? err : "cannot read it"), 1;
		}
		json_decref(j);
	}
	if (!(prompts = jsonl_read(o->prompts)))
		return util_error("cannot read %s: %s", o->prompts, strerror(errno)), 1;
	{
		struct catalogue *cat = iter_catalogue(NULL);
		out = generate(&p, cat, prompts, o->samples > 0 ? o->samples : o->group,
			       (uint64_t)o->seed * 0x9e3779b97f4a7c15ull + 77);
		catalogue_free(cat);
	}
	if (out && jsonl_write(o->out, out) == 0)
		rc = 0;
	else if (out)
		util_error("cannot write %s: %s", o->out, strerror(errno));
	json_decref(out);
	json_decref(prompts);
	return rc;
}

/* Round `round`'s completions in rd: the ones on disk (a requeued job, or drawn ahead with
 * overlap), else G per prompt drawn from p and written atomically. NULL: reported. */
static json_t *draw_round(const struct opts *o, const char *rd, int round,
			  const struct grpo_policy *p, const char *from)
{
	char path[PATH_MAX + 64];
	json_t *compl, *prompts;
	/* One round: the iteration's seed as before rounds existed; several: one per round. */
	uint64_t mix = o->rounds > 1 ? (uint64_t)iter_of(o->dir) * ITERLOG_ROUNDS_MAX + (uint64_t)round
				     : (uint64_t)iter_of(o->dir);
	snprintf(path, sizeof path, "%s/completions.jsonl", rd);
	if ((compl = jsonl_read(path)))
		return compl;
	snprintf(path, sizeof path, "%s/prompts.jsonl", rd);
	if (!(prompts = jsonl_read(path)))
		return util_error("cannot read %s: %s", path, strerror(errno)), NULL;
	{
		struct catalogue *cat = iter_catalogue(rd);
		compl = generate(p, cat, prompts, o->group,
				 (uint64_t)o->seed * 0x9e3779b97f4a7c15ull + mix);
		catalogue_free(cat);
	}
	json_decref(prompts);
	snprintf(path, sizeof path, "%s/completions.jsonl", rd);
	if (!compl || jsonl_write(path, compl) != 0) {
		util_error("cannot write %s: %s", path, strerror(errno));
		json_decref(compl);
		return NULL;
	}
	util_info("gpu-step: %s%d: %zu kernels from %s (step %ld)", o->rounds > 1 ? "round " : "iteration ",
		  o->rounds > 1 ? round : (int)iter_of(o->dir), json_array_size(compl), from, p->step);
	return compl;
}

/* One round (one GRPO step) in rd, round k of the iteration o->dir: p (from `from`) is
 * updated in place and written to rd/checkpoint/policy.json. */
static int builtin_round(const struct opts *o, const char *rd, int round, struct grpo_policy *p,
			 const struct grpo_policy *ref, const char *from)
{
	char path[PATH_MAX + 64];
	json_t *compl = NULL, *by = NULL, *rec;
	struct grpo_sample *s = NULL;
	struct grpo_stats st;
	size_t i, n = 0, got = 0;
	double t0 = util_now(), t_gen, t_wait, until;
	int rc = 1, over = 0;

	if (!(compl = draw_round(o, rd, round, p, from)))
		return 1;
	iterlog_stamp(rd, "generated");
	t_gen = util_now() - t0;
	/* Overlap: the next round is drawn now, from this policy, and measured while this one
	 * waits and updates; its update is then one step off-policy, which the ratio to the
	 * policy that drew it (logp, clipped as GRPO clips) corrects. */
	if (o->overlap && round < o->rounds) {
		char next[PATH_MAX];
		json_t *n2;
		if (iterlog_round_dir(next, sizeof next, o->dir, round + 1, o->rounds) != 0 ||
		    !(n2 = draw_round(o, next, round + 1, p, from)))
			goto out;
		json_decref(n2);
	}

	/* The rewards: every sample's record, or whatever there is once the CPU step (the
	 * iteration's, o->dir's timeline) is over. */
	until = util_now() + o->wait_s;
	for (;;) {
		over = cpu_step_over(o->dir);
		json_decref(by);
		by = jsonl_results(rd);
		got = 0;
		json_array_foreach(compl, i, rec) {
			char *k = jsonl_id_key(json_object_get(rec, "sample_id"));
			got += json_object_get(by, k) != NULL;
			free(k);
		}
		if (got == json_array_size(compl) || over || util_now() >= until)
			break;
		usleep(200 * 1000);
	}
	iterlog_stamp(rd, "rewarded");
	t_wait = util_now() - t0 - t_gen;
	if (got == 0) {
		/* No update from no reward: the next step starts from the last checkpoint. */
		util_error("gpu-step: round %d: no reward arrived (%s); no update, no checkpoint", round,
			   over ? "the CPU step ended" : "the wait is over");
		goto out;
	}
	if (got < json_array_size(compl))
		util_info("gpu-step: %zu of %zu rewards arrived; updating with those", got,
			  json_array_size(compl));

	s = util_xcalloc(json_array_size(compl) + 1, sizeof *s);
	{
		struct catalogue *cat = iter_catalogue(rd);
		json_t *prompts;
		snprintf(path, sizeof path, "%s/prompts.jsonl", rd);
		prompts = jsonl_read(path);
		json_array_foreach(compl, i, rec) {
			char *k = jsonl_id_key(json_object_get(rec, "sample_id")), err[200];
			json_t *r = json_object_get(by, k), *pr = NULL, *v;
			const char *pid = json_string_value(json_object_get(rec, "problem_id"));
			size_t j, group = 0;
			free(k);
			if (!r || !json_is_number(json_object_get(r, "reward")) ||
			    ks_parse(json_string_value(json_object_get(rec, "design")) ?
					     json_string_value(json_object_get(rec, "design")) : "",
				     &s[n].d, err, sizeof err) != 0)
				continue;
			/* A sample's group is its prompt (by index in prompts.jsonl). */
			json_array_foreach(prompts, j, v) {
				const char *vid = json_string_value(json_object_get(v, "problem_id"));
				if (pid && vid && !strcmp(pid, vid)) {
					pr = v;
					group = j;
				}
			}
			if (!pr || prompt_rule(cat, pr, &s[n].permitted, &s[n].required) != 0)
				continue;
			{
				json_t *lp = json_object_get(rec, "logp");
				if (json_array_size(lp) != KS__COUNT)
					continue;
				for (int f = 0; f < KS__COUNT; f++)
					s[n].logp_old[f] = json_number_value(json_array_get(lp, (size_t)f));
			}
			s[n].reward = json_number_value(json_object_get(r, "reward"));
			s[n].group = (int)group;
			n++;
		}
		json_decref(prompts);
		catalogue_free(cat);
	}
	grpo_update(p, ref, s, n, &o->g, &st);
	{
		json_t *ck = grpo_policy_json(p);
		char *text;
		json_object_set_new(ck, "stats",
				    json_pack("{s:f, s:f, s:f, s:f, s:i, s:i, s:s, s:f, s:f, s:f}",
					      "mean_reward", st.mean_reward, "kl", st.kl, "entropy",
					      st.entropy, "clip_fraction", st.clip_fraction, "samples",
					      st.samples, "groups_with_signal", st.groups_with_signal,
					      "from", from, "generate_s", t_gen, "wait_s", t_wait,
					      "update_s", util_now() - t0 - t_gen - t_wait));
		text = json_dumps(ck, JSON_INDENT(1));
		json_decref(ck);
		if (o->rounds > 1)
			json_object_set_new(json_object_get(ck, "stats"), "round", json_integer(round));
		snprintf(path, sizeof path, "%s/checkpoint", rd);
		if (util_mkdirs(path, 0755) != 0) {
			free(text);
			util_error("cannot create %s: %s", path, strerror(errno));
			goto out;
		}
		snprintf(path, sizeof path, "%s/checkpoint/policy.json", rd);
		if (util_write_atomic(path, text, strlen(text)) != 0) {
			free(text);
			util_error("cannot write %s: %s", path, strerror(errno));
			goto out;
		}
		free(text);
	}
	iterlog_stamp(rd, "updated");
	util_info("gpu-step: GRPO step %ld on %zu samples: mean reward %.2f, KL %.4f, entropy %.2f, "
		  "%d groups with signal, clipped %.0f%%",
		  p->step, n, st.mean_reward, st.kl, st.entropy, st.groups_with_signal,
		  100 * st.clip_fraction);
	rc = 0;
out:
	free(s);
	json_decref(by);
	json_decref(compl);
	return rc;
}

/* The iteration's rounds, one GRPO step each, the policy kept in memory from one to the next.
 * The rounds up to the last one with a checkpoint (a requeued job) are not redone, whether or
 * not keep_checkpoints has since deleted the earlier ones' checkpoints: the next round starts
 * from the latest checkpoint before it. */
static int builtin_step(const struct opts *o)
{
	char rd[PATH_MAX], from[PATH_MAX + 64];
	struct grpo_policy p, ref;
	int k0 = checkpoints_last_round(o->dir, o->rounds) + 1;
	if (k0 > o->rounds) {
		util_info("gpu-step: every round of %s has its checkpoint (a requeued job): nothing to do",
			  o->dir);
		return 0;
	}
	if (k0 > 1)
		util_info("gpu-step: rounds 1..%d have their checkpoints (a requeued job): from round %d",
			  k0 - 1, k0);
	grpo_policy_init_prior(&ref, o->prior_bias);
	load_previous(o->dir, k0, &ref, &p, from, sizeof from);
	for (int k = k0; k <= o->rounds; k++) {
		if (iterlog_round_dir(rd, sizeof rd, o->dir, k, o->rounds) != 0)
			return util_error("--iter-dir too long"), 1;
		if (builtin_round(o, rd, k, &p, &ref, from) != 0)
			return 1;
		snprintf(from, sizeof from, "%s/checkpoint/policy.json", rd);
	}
	return 0;
}

int gpu_builtin_main(int argc, char **argv)
{
	enum { O_BUILTIN = 256, O_SAMPLE, O_DIR, O_LR, O_CLIP, O_KL, O_EPOCHS, O_SEED, O_WAIT,
	       O_PROMPTS, O_OUT, O_CKPT, O_SAMPLES, O_PRIOR, O_ROUNDS, O_OVERLAP };
	static const struct option opts[] = {
		{"builtin", no_argument, NULL, O_BUILTIN},
		{"sample", no_argument, NULL, O_SAMPLE},
		{"iter-dir", required_argument, NULL, O_DIR},
		{"group-size", required_argument, NULL, 'g'},
		{"rounds", required_argument, NULL, O_ROUNDS},
		{"overlap", no_argument, NULL, O_OVERLAP},
		{"samples", required_argument, NULL, O_SAMPLES},
		{"lr", required_argument, NULL, O_LR},
		{"clip", required_argument, NULL, O_CLIP},
		{"kl-beta", required_argument, NULL, O_KL},
		{"prior-bias", required_argument, NULL, O_PRIOR},
		{"epochs", required_argument, NULL, O_EPOCHS},
		{"seed", required_argument, NULL, O_SEED},
		{"wait", required_argument, NULL, O_WAIT},
		{"prompts", required_argument, NULL, O_PROMPTS},
		{"out", required_argument, NULL, O_OUT},
		{"checkpoint", required_argument, NULL, O_CKPT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.group = 8,
			 .rounds = 1,
			 .prior_bias = 1,
			 .g = {.lr = 1.0, .clip = 0.2, .kl_beta = 0.04, .epochs = 4},
			 .seed = 1, .wait_s = 86400};
	int c, mode = 0;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "g:h", opts, NULL)) != -1) {
		int numeric = c == 'g' || c == O_ROUNDS || c == O_SAMPLES || c == O_LR || c == O_CLIP || c == O_KL ||
			      c == O_EPOCHS || c == O_SEED || c == O_WAIT || c == O_PRIOR;
		double v = numeric ? strtod(optarg, &end) : 0;
		int bad = numeric && (end == optarg || *end || !isfinite(v));
		switch (c) {
		case O_BUILTIN:
			mode |= 1;
			break;
		case O_SAMPLE:
			mode |= 2;
			break;
		case O_DIR:
			o.dir = optarg;
			break;
		case 'g':
			o.group = (int)v;
			bad |= v < 1 || v > 1024;
			break;
		case O_ROUNDS:
			o.rounds = (int)v;
			bad |= v < 1 || v > ITERLOG_ROUNDS_MAX;
			break;
		case O_OVERLAP:
			o.overlap = 1;
			break;
		case O_SAMPLES:
			o.samples = (int)v;
			bad |= v < 1 || v > 100000;
			break;
		case O_LR:
			o.g.lr = v;
			bad |= v < 0 || v > 100;
			break;
		case O_CLIP:
			o.g.clip = v;
			bad |= v <= 0 || v > 10;
			break;
		case O_KL:
			o.g.kl_beta = v;
			bad |= v < 0 || v > 100;
			break;
		case O_PRIOR:
			o.prior_bias = v;
			bad |= v < 0 || v > 20;
			break;
		case O_EPOCHS:
			o.g.epochs = (int)v;
			bad |= v < 1 || v > 1000;
			break;
		case O_SEED:
			o.seed = (long)v;
			break;
		case O_WAIT:
			o.wait_s = v;
			bad |= v < 0;
			break;
		case O_PROMPTS:
			o.prompts = optarg;
			break;
		case O_OUT:
			o.out = optarg;
			break;
		case O_CKPT:
			o.checkpoint = optarg;
			break;
		case 'h':
			fputs(builtin_usage, stdout);
			return 0;
		default:
			fputs(builtin_usage, stderr);
			return 2;
		}
		if (bad) {
			fprintf(stderr, "perfrl gpu-step: bad value '%s'\n%s", optarg, builtin_usage);
			return 2;
		}
	}
	if (mode == 1 && o.dir && optind == argc)
		return builtin_step(&o);
	if (mode == 2 && o.prompts && o.out && optind == argc)
		return sample_only(&o);
	fputs(builtin_usage, stderr);
	return 2;
}
