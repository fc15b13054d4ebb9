/* prompt.c - render one SQD problem's prompt from templates/. */
#include "config.h"
#include "prompt.h"
#include "template.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "- name: description" lines of the techniques in s, each ending in a newline. */
static char *bullets(const struct catalogue *c, techset_t s)
{
	char *out = util_xstrdup("");
	for (int i = 0; i < catalogue_count(c); i++)
		if (s & (1u << i)) {
			char *next = util_xasprintf("%s- %s: %s\n", out, catalogue_name(c, i),
						    catalogue_description(c, i));
			free(out);
			out = next;
		}
	if (!*out) {
		free(out);
		out = util_xstrdup("- none: plain C loops, no optimisation technique\n");
	}
	return out;
}

static char *comma_list(const struct catalogue *c, techset_t s)
{
	char *out = util_xstrdup("");
	for (int i = 0; i < catalogue_count(c); i++)
		if (s & (1u << i)) {
			char *next = util_xasprintf("%s%s%s", out, *out ? ", " : "", catalogue_name(c, i));
			free(out);
			out = next;
		}
	if (!*out) {
		free(out);
		out = util_xstrdup("none");
	}
	return out;
}

char *prompt_render(const struct catalogue *c, const struct stage_problem *p,
		    const struct prompt_elite *elite)
{
	techset_t all = catalogue_count(c) >= 32 ? ~0u : (1u << catalogue_count(c)) - 1;
	char *contract = template_render("templates/dgemm_contract.txt", (const char *const[]){NULL});
	char *permitted = bullets(c, p->permitted), *forbidden = comma_list(c, all & ~p->permitted);
	char *required = NULL, *elite_text = NULL, *out = NULL;

	if (!contract)
		goto out;
	/* The contract file ends with a newline; the template supplies its own spacing. */
	{
		size_t cl = strlen(contract);
		if (cl && contract[cl - 1] == '\n')
			contract[cl - 1] = '\0';
	}
	if (p->required) {
		char *r = bullets(c, p->required);
		required = util_xasprintf("and it requires:\n%s", r);
		free(r);
	} else {
		required = util_xstrdup("");
	}
	if (elite && elite->source) {
		size_t n = strlen(elite->source);
		elite_text = util_xasprintf(
			"\nThe fastest kernel found so far for this shape within these techniques (%.2f "
			"GFLOPS, using: %s) is below. Improve on it, using only the permitted "
			"techniques:\n```c\n%s%s```\n",
			elite->gflops, elite->techs && *elite->techs ? elite->techs : "none",
			elite->source, n && elite->source[n - 1] == '\n' ? "" : "\n");
	} else {
		elite_text = util_xstrdup("");
	}
	{
		const char *kv[] = {"CONTRACT", contract, "SHAPE", p->shape, "PERMITTED", permitted,
				    "REQUIRED", required, "FORBIDDEN", forbidden, "ELITE", elite_text,
				    NULL};
		out = template_render("templates/prompt.txt", kv);
	}
out:
	free(contract);
	free(permitted);
	free(forbidden);
	free(required);
	free(elite_text);
	return out;
}
