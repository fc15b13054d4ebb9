/* commands.h - the subcommands main.c dispatches to. */
#ifndef PERFRL_COMMANDS_H
#define PERFRL_COMMANDS_H

int cmd_bench(int argc, char **argv);
int cmd_acct(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_cancel(int argc, char **argv);
int cmd_gpu_step(int argc, char **argv);
int cmd_stages(int argc, char **argv);
int cmd_techniques(int argc, char **argv);
int cmd_archive(int argc, char **argv);
int cmd_corpus(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* gpu-step --builtin and --sample (gpu_builtin.c); cmd_gpu_step hands them over. */
int gpu_builtin_main(int argc, char **argv);
/* gpu-step --trl (gpu_trl.c): exec the Python driver; returns only on failure. */
int gpu_trl_exec(int argc, char **argv);
/* gpu-step --fixed (gpu_fixed.c), and the usage of every form. */
int gpu_fixed_main(int argc, char **argv);

#endif
