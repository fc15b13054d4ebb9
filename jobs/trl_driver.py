#!/usr/bin/env python3
"""jobs/trl_driver.py - the "trl" GPU step of one perfrl iteration: TRL's GRPOTrainer, R optimizer steps.

  python jobs/trl_driver.py --iter-dir DIR --model PATH --group-size G [--rounds R] [--lr X] [--clip X]
      [--kl-beta X] [--seed N] [--max-completion-length N] [--temperature T] [--wait S] [--lora] [--bf16]
      [--vllm {off,server,colocate}] [--micro-batch N] [--few-shot FILE] [--threads N] [--fenced]
  python jobs/trl_driver.py --sample-only --iter-dir DIR --model PATH [--adapter CKPT] -g K ...

Rounds: one job runs R GRPO steps (--rounds, gpu_step.rounds) in one process that keeps the model, the
optimizer, the KL reference and the generation engine loaded: one GRPOTrainer, one train() of R steps.
Round r's directory ROUND is DIR itself when R == 1, else DIR/round-RR (round-01, ...). The orchestrator
writes ROUND/prompts.jsonl before the job; step r poses them G times each, and its reward function hands
the completions to the CPU step (ROUND/completions.jsonl, atomically, sample ids PROBLEM/g), waits for
their records in ROUND/results/*.jsonl* and returns the rewards. After the update the Trainer's own
checkpoint of the step (weights or LoRA adapter, optimizer.pt with AdamW's moments, scheduler.pt,
rng_state.pth, trainer_state.json) becomes ROUND/checkpoint/ with the tokenizer and stats.json (step:
the run's GRPO step count; round; reward_mean; update: applied or skipped; load_s, generate_s, wait_s,
update_s, save_s; a copy in ROUND/stats.json outlives the pruned checkpoint); COMPLETE is written last.
ROUND/timeline.tsv gets generated, rewarded, updated.

State carries over between jobs. A job starts from the latest complete checkpoint of the run, ordered by
(iteration, round), before its first round to do: DIR's last complete round (a requeued job redoes only
the rounds after it), else an earlier iteration's last, else --model (a local directory:
HF_HUB_OFFLINE=1 unless set). The weights come through from_pretrained; the optimizer, scheduler and
gradient scaler states are loaded into the new trainer once it has built its optimizer, the RNG states
just before the first generation: 2 jobs x 2 rounds compute what 1 job x 4 rounds computes. The
previous design ran one step per job and saved only the weights: every iteration restarted AdamW from
zero moments, so each update was Adam's bias-corrected first step, about lr * sign(gradient) per weight
(sign-SGD, not GRPO with Adam). A checkpoint without optimizer state (of that older driver) still
loads: the weights only, and the log says so.

Idempotent: a round with a complete checkpoint is not redone; a round whose completions.jsonl holds its
P x G samples reuses them instead of generating anew, with the token ids that were sampled
(ROUND/completion_ids.jsonl, written just before completions.jsonl; tokenizing the text again need not
give them back), so that a requeued round makes the very update its first try would have. If the CPU
step ends (cpu_step_end in DIR/timeline.tsv: the iteration's) or --wait runs out before any reward of a
round arrived, the driver exits 3 without that round's checkpoint: no update from no rewards (with
Adam's momentum even a zero gradient moves the weights). Missing rewards among arrived ones get their
group's mean. Checkpoints of other rounds and iterations are never deleted here
(gpu_step.keep_checkpoints is the orchestrator's).
Extra flags may come from $PERFRL_TRL_ARGS (before argv, so argv wins): perfrl passes PERFRL_* to the
job. Multi-GPU: launch it with `accelerate launch [--config_file ds.yaml] jobs/trl_driver.py ...`.
--few-shot FILE puts a JSON list of chat messages (example user and assistant turns) before each
prompt. --fenced makes the answer one C block: the prompt ends with its opening fence (```c), the
generation stops at the closing one, and the CPU step gets both fences around the code; a small model
then writes no prose and stops when the code ends. --sample-only draws K completions per prompt of
DIR/prompts.jsonl from --model (with the LoRA adapter or the full checkpoint --adapter, a round's
checkpoint included) as the GRPO step would, writes DIR/completions.jsonl and trains nothing: the
held-out evaluation of an LLM (perfrl bench --completions --prompts scores it).
"""
import argparse, asyncio, glob, hashlib, inspect, json, os, re, shlex, shutil, sys, time
from collections import Counter, defaultdict

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")  # rollout_func (a requeued job's completions)
MARKER = "COMPLETE"
TOKENS = "completion_ids.jsonl"  # beside completions.jsonl: the generated token ids, for a requeued round
FENCE_OPEN, FENCE = "```c\n", "```"  # --fenced: the answer is one C block


def log(msg):
    print(f"trl-driver: {msg}", file=sys.stderr, flush=True)


def read_jsonl(path):  # a torn journal line is skipped, as the orchestrator does
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    except FileNotFoundError:
        return None
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return [r for r in out if isinstance(r, dict)]


def write_atomic(path, text):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def iter_of(path):
    m = re.fullmatch(r"iter-(\d+)", os.path.basename(os.path.normpath(path)))
    return int(m.group(1)) if m else 0


def round_dir(d, rounds, r):
    """Round r's directory (1-based): the iteration's own when it has one round."""
    return d if rounds == 1 else os.path.join(d, f"round-{r:02d}")


def complete(rd):
    return os.path.exists(os.path.join(rd, "checkpoint", MARKER))


def start_checkpoint(d, first):
    """The latest complete checkpoint of the run before round `first` of iteration d, by (iteration,
    round): d's round first-1, else an earlier iteration's ITER/checkpoint or ITER/round-RR/checkpoint."""
    found, run = [], os.path.dirname(d)
    for ck in glob.glob(os.path.join(run, "iter-*", "checkpoint", MARKER)) + \
            glob.glob(os.path.join(run, "iter-*", "round-*", "checkpoint", MARKER)):
        ck = os.path.dirname(ck)
        m = re.fullmatch(r"round-(\d+)", os.path.basename(os.path.dirname(ck)))
        it = iter_of(os.path.dirname(os.path.dirname(ck)) if m else os.path.dirname(ck))
        key = (it, int(m.group(1)) if m else 0)
        if it and (it < iter_of(d) or (it == iter_of(d) and m and key[1] < first)):
            found.append((key, ck))
    return max(found)[1] if found else None


def step_of(ck):
    """The run's GRPO step count at checkpoint ck (stats.json's step; 0 when it has none)."""
    try:
        with open(os.path.join(ck, "stats.json")) as f:
            return int(json.load(f).get("step", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


def results(d):
    """Records by sample_id from the shards and their journals (*.tmp.* skipped); the first one wins."""
    by = {}
    for p in sorted(glob.glob(os.path.join(d, "results", "*.jsonl*"))):
        if ".tmp." not in p:
            for r in read_jsonl(p) or []:
                if "sample_id" in r:
                    by.setdefault(json.dumps(r["sample_id"]), r)
    return by


def sha(text):
    return hashlib.sha256(str(text).encode()).hexdigest()[:16]


def saved_tokens(rd, saved):
    """The generated token ids of the saved completions, by sample id, where ROUND/completion_ids.jsonl
    has them for the very text in completions.jsonl (else the text is tokenized again: BPE need not
    give back the ids that were sampled, and the update would differ)."""
    return {t["sample_id"]: t["ids"] for t in read_jsonl(os.path.join(rd, TOKENS)) or []
            if t.get("sample_id") in saved and isinstance(t.get("ids"), list)
            and t.get("sha") == sha(saved[t["sample_id"]].get("completion", ""))}


def cpu_step_over(d):
    """This job's CPU step has ended: a cpu_step_end after the latest job_start in D/timeline.tsv (a
    follow-up job of the unfinished rounds runs in the directory of the job that stamped the first)."""
    last = {}
    try:
        with open(os.path.join(d, "timeline.tsv")) as f:
            for line in f:
                ev, _, t = line.rstrip("\n").partition("\t")
                try:
                    last[ev] = max(last.get(ev, 0.0), float(t))
                except ValueError:
                    pass
    except OSError:
        return False
    return last.get("cpu_step_end", 0.0) > last.get("job_start", 0.0)


def text_of(tok, few_shot, prompt, fenced=False):
    """Chat-formatted, after the few-shot turns, when the tokenizer has a template; else raw. With
    fenced, the answer's opening fence follows: the completion is the code."""
    if tok.chat_template:
        text = tok.apply_chat_template(few_shot + [{"role": "user", "content": prompt}], tokenize=False,
                                       add_generation_prompt=True)
    else:
        text = "".join(m["content"] + "\n\n" for m in few_shot) + prompt + "\n"
    return text + (FENCE_OPEN if fenced else "")


def stop_ids(tok, fenced):
    """The ids that end a completion: EOS, and with fenced the closing fence (one token, or None)."""
    if not fenced:
        return [tok.eos_token_id]
    ids = tok(FENCE, add_special_tokens=False)["input_ids"]
    return [tok.eos_token_id, ids[0]] if len(ids) == 1 else None


def set_threads(torch, a, cpu):
    n = a.threads or (int(os.environ.get("SLURM_CPUS_PER_TASK", "0") or 0) if cpu else 0)
    if n > 0:
        torch.set_num_threads(n)


def sample_only(a, d, prompts, few_shot):
    """The held-out evaluation's samples: K per prompt, drawn as the GRPO step draws them."""
    if not os.path.isfile(os.path.join(a.model, "config.json")):
        log(f"--model {a.model}: not a local model directory (no config.json); nothing is downloaded")
        return 1
    if a.adapter and not os.path.exists(os.path.join(a.adapter, MARKER)):
        log(f"--adapter {a.adapter}: not a complete checkpoint of this driver (no {MARKER})")
        return 1
    t0 = time.time()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    set_threads(torch, a, not torch.cuda.is_available())
    torch.manual_seed(a.seed)
    dtype = torch.bfloat16 if a.bf16 else torch.float32
    lora = a.adapter and os.path.isfile(os.path.join(a.adapter, "adapter_config.json"))
    model = AutoModelForCausalLM.from_pretrained(a.adapter if a.adapter and not lora else a.model, dtype=dtype)
    if lora:
        from peft import PeftModel
        model = PeftModel.from_pretrained(model, a.adapter).merge_and_unload()
    model.eval()
    tok = AutoTokenizer.from_pretrained(a.adapter or a.model, padding_side="left")
    tok.pad_token = tok.eos_token if a.fenced else (tok.pad_token or tok.eos_token)
    stops = stop_ids(tok, a.fenced)
    if stops is None:
        log(f"--fenced: the tokenizer has no single token for {FENCE}")
        return 2
    G, lines, n_tokens = a.group_size, [], 0
    for p in prompts:
        enc = tok([text_of(tok, few_shot, p["prompt"], a.fenced)] * G, return_tensors="pt", add_special_tokens=False)
        with torch.no_grad():  # TRL's sampling: temperature, top_p 1, top_k 0
            out = model.generate(**enc, do_sample=True, temperature=a.temperature, top_p=1.0, top_k=0,
                                 max_new_tokens=a.max_completion_length, pad_token_id=tok.pad_token_id,
                                 eos_token_id=stops)
        for g in range(G):
            ids = out[g][enc["input_ids"].shape[1]:]
            n_tokens += int((ids != tok.pad_token_id).sum())
            text = tok.decode(ids, skip_special_tokens=True).replace("\0", "")
            lines.append(json.dumps({"sample_id": f"{p['problem_id']}/{g}", "problem_id": p["problem_id"],
                                     "completion": (FENCE_OPEN if a.fenced else "") + text,
                                     "group_index": g}) + "\n")
    write_atomic(os.path.join(d, "completions.jsonl"), "".join(lines))
    log(f"sampled {len(prompts)} prompts x {G} from {a.adapter or a.model} in {time.time() - t0:.1f} s "
        f"({n_tokens} tokens) -> {d}/completions.jsonl")
    return 0


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--iter-dir", required=True)
    p.add_argument("--model", required=True, help="the initial model: a local directory")
    p.add_argument("-g", "--group-size", type=int, default=8)
    p.add_argument("--rounds", type=int, default=1, help="GRPO steps of this job (gpu_step.rounds)")
    p.add_argument("--lr", type=float, default=1e-6)
    p.add_argument("--clip", type=float, default=0.2, help="epsilon of the clipped ratio")
    p.add_argument("--kl-beta", type=float, default=0.04)
    p.add_argument("--seed", type=int, default=1, help="mixed with the iteration number")
    p.add_argument("--max-completion-length", type=int, default=2048)
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--wait", type=float, default=86400, help="longest wait for the rewards, seconds")
    p.add_argument("--lora", action="store_true", help="train a LoRA adapter (peft) instead of all weights")
    p.add_argument("--lora-r", type=int, default=16)
    p.add_argument("--bf16", action="store_true")
    p.add_argument("--vllm", choices=["off", "server", "colocate"], default="off")
    p.add_argument("--micro-batch", type=int, default=0, help="sequences per device and pass (0: all)")
    p.add_argument("--few-shot", help="a JSON list of chat messages put before each prompt")
    p.add_argument("--fenced", action="store_true",
                   help="start the answer with ```c and stop generating at the closing ```")
    p.add_argument("--threads", type=int, default=0,
                   help="torch's CPU threads (0: $SLURM_CPUS_PER_TASK, else torch's default)")
    p.add_argument("--sample-only", action="store_true",
                   help="write DIR/completions.jsonl (G per prompt) from --model/--adapter; no training")
    p.add_argument("--adapter", help="--sample-only: a checkpoint of this driver (LoRA adapter or weights)")
    return p.parse_args(shlex.split(os.environ.get("PERFRL_TRL_ARGS", "")) + sys.argv[1:])


class NoRewards(Exception):
    """A round whose CPU step ended, or whose wait ran out, before any of its rewards arrived."""


def load_prompts(rd):
    prompts = read_jsonl(os.path.join(rd, "prompts.jsonl"))
    if not prompts or any("problem_id" not in p or "prompt" not in p for p in prompts):
        log(f"{rd}/prompts.jsonl: missing, empty, or a line without problem_id and prompt")
        return None
    return prompts


def main():
    a = parse_args()
    d = os.path.abspath(a.iter_dir)
    few_shot = []
    if a.few_shot and not os.path.isabs(a.few_shot) and not os.path.exists(a.few_shot):
        # A shipped file (templates/few-shot-compact.json): beside jobs/, as installed or in the tree.
        a.few_shot = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), a.few_shot)
    if a.few_shot:
        try:
            with open(a.few_shot, encoding="utf-8") as f:
                few_shot = json.load(f)
        except (OSError, ValueError) as e:
            log(f"--few-shot {a.few_shot}: {e}")
            return 2
        if not isinstance(few_shot, list) or not all(
                isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
                and isinstance(m.get("content"), str) for m in few_shot):
            log(f"--few-shot {a.few_shot}: not a JSON list of {{\"role\": system|user|assistant, \"content\": text}}")
            return 2
    if not 1 <= a.rounds <= 1000:  # gpu_step.rounds' range
        log(f"--rounds {a.rounds}: not in 1..1000")
        return 2
    R = 1 if a.sample_only else a.rounds
    done = [r for r in range(1, R + 1) if complete(round_dir(d, R, r))]
    first = max(done, default=0) + 1  # an earlier round's checkpoint may be pruned already: not redone
    if first > R:
        log(f"{round_dir(d, R, R)}/checkpoint is complete (a requeued job): nothing to do")
        return 0
    if a.sample_only:
        prompts = load_prompts(d)
        return sample_only(a, d, prompts, few_shot) if prompts else 1
    G, todo, rounds = a.group_size, list(range(first, R + 1)), {}
    for r in todo:
        rd = round_dir(d, R, r)
        prompts = load_prompts(rd)
        if not prompts:
            return 1
        pids = [p["problem_id"] for p in prompts]
        saved = {s["sample_id"]: s for s in read_jsonl(os.path.join(rd, "completions.jsonl")) or [] if "sample_id" in s}
        reuse = all(f"{q}/{g}" in saved for q in pids for g in range(G))
        if saved and not reuse:
            log(f"{rd}/completions.jsonl does not hold {len(pids)} x {G} samples of these prompts: generating anew")
        rounds[r] = {"dir": rd, "prompts": prompts, "pids": pids, "saved": saved, "reuse": reuse,
                     "tokens": saved_tokens(rd, saved) if reuse else {}}
    P = len(rounds[first]["prompts"])
    for r in todo:
        if len(rounds[r]["prompts"]) != P:  # one trainer, one batch shape
            log(f"{rounds[r]['dir']}/prompts.jsonl has {len(rounds[r]['prompts'])} prompts, "
                f"{rounds[first]['dir']}/prompts.jsonl {P}: the rounds of one job must pose as many")
            return 1
    prev = start_checkpoint(d, first)
    if not os.path.isfile(os.path.join(a.model, "config.json")):  # the start, the KL reference, LoRA's base
        log(f"--model {a.model}: not a local model directory (no config.json); nothing is downloaded")
        return 1
    t_start = time.time()

    import torch
    from accelerate import PartialState
    from accelerate.utils import broadcast_object_list, gather_object
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback, set_seed
    from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR
    from transformers.utils import logging as hf_logging
    from trl import GRPOConfig, GRPOTrainer

    hf_logging.disable_progress_bar()

    cpu = not torch.cuda.is_available()
    set_threads(torch, a, cpu)  # several processes on CPUs (torchrun) use gloo: the tests
    state = PartialState(cpu=cpu)
    main_proc, nproc = state.is_main_process, state.num_processes
    dtype = torch.bfloat16 if a.bf16 else torch.float32
    total, iteration = P * G, iter_of(d)
    mb = a.micro_batch or total // nproc
    if total % (mb * nproc):
        log(f"prompts x G = {total} is not a multiple of micro-batch {mb} x {nproc} processes")
        return 2
    out_dir = os.path.join(d, "trl")  # the Trainer's checkpoint-N, each moved into its ROUND/checkpoint
    if main_proc:
        shutil.rmtree(out_dir, ignore_errors=True)  # a killed job's
    state.wait_for_everyone()
    # One step per round: the generation batch is the round's P x G (steps_per_generation defaults to
    # gradient_accumulation_steps) and the sampler keeps the dataset's order, round after round.
    args = GRPOConfig(  # before the model: a DeepSpeed ZeRO-3 config must be live when it loads
        output_dir=out_dir, num_generations=G, per_device_train_batch_size=mb,
        gradient_accumulation_steps=total // (mb * nproc), max_steps=len(todo), learning_rate=a.lr,
        lr_scheduler_type="constant", beta=a.kl_beta, epsilon=a.clip, seed=a.seed * 100003 + iteration,
        temperature=a.temperature, max_completion_length=a.max_completion_length, shuffle_dataset=False,
        use_vllm=a.vllm != "off", vllm_mode=a.vllm if a.vllm != "off" else "colocate", bf16=a.bf16,
        report_to="none", save_strategy="steps", save_steps=1, save_only_model=False, logging_steps=1,
        disable_tqdm=True, use_cpu=cpu, dataloader_pin_memory=not cpu,
        model_init_kwargs={"dtype": dtype} if a.bf16 and not a.lora else None)  # for the KL reference
    set_seed(args.seed)  # LoRA's initial matrices: the same in every run of this iteration
    peft_config = None
    if a.lora:
        from peft import LoraConfig, PeftModel
        model = AutoModelForCausalLM.from_pretrained(a.model, dtype=dtype)
        if prev:  # the adapter of the start checkpoint, on the initial weights
            model = PeftModel.from_pretrained(model, prev, is_trainable=True)
        else:
            peft_config = LoraConfig(r=a.lora_r, lora_alpha=2 * a.lora_r, target_modules="all-linear",
                                     task_type="CAUSAL_LM")
    else:
        model = AutoModelForCausalLM.from_pretrained(prev or a.model, dtype=dtype)
        model.config._name_or_path = a.model  # TRL builds the KL reference from it: the initial model
    tok = AutoTokenizer.from_pretrained(prev or a.model, padding_side="left")
    # fenced: generation pads a sequence that stopped at the fence with EOS, where TRL ends its mask
    tok.pad_token = tok.eos_token if a.fenced else (tok.pad_token or tok.eos_token)
    stops = stop_ids(tok, a.fenced)
    if stops is None:
        log(f"--fenced: the tokenizer has no single token for {FENCE}")
        return 2
    if a.fenced:
        args.generation_kwargs = {"eos_token_id": stops}

    base_step = step_of(prev) if prev else 0
    for k, r in enumerate(todo):
        rounds[r]["texts"] = [text_of(tok, few_shot, p["prompt"], a.fenced) for p in rounds[r]["prompts"]]
        rounds[r]["stats"] = {"from": (prev or a.model) if k == 0 else os.path.join(rounds[todo[k - 1]]["dir"], "checkpoint"),
                              "iteration": iteration, "round": r, "rounds": R, "step": base_step + k + 1,
                              "reused_completions": rounds[r]["reuse"], "reused_token_ids": len(rounds[r]["tokens"]),
                              "samples": total, "load_s": 0.0}
    dataset = Dataset.from_dict({"prompt": [t for r in todo for t in rounds[r]["texts"]],
                                 "problem_id": [q for r in todo for q in rounds[r]["pids"]],
                                 "perfrl_round": [r for r in todo for _ in rounds[r]["pids"]]})

    def stamp(rd, event):
        if main_proc:
            with open(os.path.join(rd, "timeline.tsv"), "a") as f:
                f.write(f"{event}\t{time.time():.6f}\n")

    def exchange(completions, problem_id, perfrl_round, completion_ids=None, log_metric=None, **_):
        """Writes the round's completions, waits for the CPU step, returns this process's rewards."""
        t_gen, r = time.time(), perfrl_round[0]
        rd, stats = rounds[r]["dir"], rounds[r]["stats"]
        stats["generate_s"] = t_gen - rounds[r]["t0"]
        lens = gather_object([len(completions)])
        off = sum(lens[:state.process_index])
        prefix = FENCE_OPEN if a.fenced else ""  # the CPU step gets the whole block
        everything = gather_object([[q, prefix + (c if isinstance(c, str) else c[-1]["content"]).replace("\0", "")]
                                    for q, c in zip(problem_id, completions)])  # perfrl bench refuses NUL
        tokens = gather_object([[int(t) for t in x] for x in completion_ids or [[]] * len(completions)])
        seen, ids = Counter(), []
        for q, c in everything:
            ids.append(f"{q}/{seen[q]}")
            seen[q] += 1
        if not rounds[r]["reuse"] and main_proc:  # the ids first: completions.jsonl means both are there
            write_atomic(os.path.join(rd, TOKENS), "".join(json.dumps({"sample_id": s, "sha": sha(c), "ids": t}) + "\n"
                                                         for s, (_, c), t in zip(ids, everything, tokens)))
            write_atomic(os.path.join(rd, "completions.jsonl"), "".join(
                json.dumps({"sample_id": s, "problem_id": q, "completion": c, "group_index": int(s.rsplit("/", 1)[1])}) + "\n"
                for s, (q, c) in zip(ids, everything)))
        stamp(rd, "generated")
        until = t_gen + a.wait
        while True:  # no collective while waiting: a long wait must not trip the NCCL timeout
            over, by = cpu_step_over(d), results(rd)  # the CPU step's end is the iteration's
            got = {s: by[json.dumps(s)] for s in ids if json.dumps(s) in by}
            if len(got) == len(ids) or over or time.time() >= until:
                break
            time.sleep(0.2)
        if nproc > 1:  # the main process's view for all: the same rewards, the same decision
            got, over = broadcast_object_list([got, over])
        stats["wait_s"] = time.time() - t_gen
        if not got:
            raise NoRewards(f"round {r} ({rd}): {'the CPU step ended' if over else f'--wait {a.wait:g} s ran out'} "
                            f"before any of its {len(ids)} rewards arrived: no update, no checkpoint")
        stamp(rd, "rewarded")
        rounds[r]["t_rewarded"] = time.time()
        groups = defaultdict(list)
        for s, (q, _) in zip(ids, everything):
            if isinstance((got.get(s) or {}).get("reward"), (int, float)):
                groups[q].append(float(got[s]["reward"]))
        missing = [s for s in ids if s not in got or not isinstance(got[s].get("reward"), (int, float))]
        if missing:  # the group's mean: a zero advantage, no push either way
            log(f"round {r}: {len(missing)} of {len(ids)} rewards missing ({'CPU step over' if over else 'wait over'}): "
                f"they get their group's mean, e.g. {missing[:3]}")
        rewards = [float(got[s]["reward"]) if s not in missing else
                   (sum(groups[q]) / len(groups[q]) if groups[q] else 0.0) for s, (q, _) in zip(ids, everything)]
        recs = list(got.values())
        ok = [x["gflops"] for x in recs if x.get("status") == "ok" and isinstance(x.get("gflops"), (int, float))]
        share = Counter(x.get("status", "?") for x in recs)
        m = {"gflops_mean": sum(ok) / len(ok) if ok else 0.0, "gflops_max": max(ok, default=0.0),
             "rewards_arrived": len(got), "rewards_missing": len(missing),
             **{f"share_{k}": v / len(ids) for k, v in share.items()}}
        stats.update(m, reward_mean=sum(rewards) / len(rewards))
        # No group whose rewards differ: every advantage is 0, and without a KL term so is the gradient.
        # AdamW would still move every weight by its momentum (bias-corrected, about 0.7, 0.5, 0.4 ... of
        # the last real step's size): a run whose groups all fail the same way drifts without a signal
        # (a 20-step Qwen run went from 53% ok to 0% so, issue 16). Such a step is skipped, as DAPO drops
        # groups without variance; the moments stay as they were. With a KL term the step pulls toward
        # the reference and is kept.
        rounds[r]["skip_update"] = a.kl_beta == 0 and not any(len(set(v)) > 1 for v in groups.values())
        stats["update"] = "skipped: no group's rewards differ (no advantage), no KL term" if rounds[r]["skip_update"] else "applied"
        for k, v in m.items() if log_metric else ():
            log_metric(f"perfrl/{k}", float(v))
        log(f"round {r}: {len(got)}/{len(ids)} rewards in {stats['wait_s']:.1f} s; GFLOPS mean {m['gflops_mean']:.2f} "
            f"max {m['gflops_max']:.2f}; statuses {dict(share)}; update {stats['update']}")
        return rewards[off:off + len(completions)]

    if "iscoroutinefunction" in inspect.getsource(GRPOTrainer._calculate_rewards) and nproc == 1:
        async def perfrl_reward(**kw):  # TRL runs it on its event loop thread
            return await asyncio.to_thread(exchange, **kw)
    else:  # several processes: a collective must run on the main thread
        def perfrl_reward(**kw):
            return exchange(**kw)

    def reuse_rollout(local, trainer):
        """A requeued round: the completions the CPU step is measuring, not new ones."""
        rd = rounds[todo[trainer.state.global_step]]
        lens = gather_object([len(local)])
        off, allp = sum(lens[:state.process_index]), gather_object(list(local))
        owners, seen, picked = defaultdict(list), Counter(), []
        for t, q in zip(rd["texts"], rd["pids"]):
            owners[t].append(q)
        for t in allp:  # the sampler keeps dataset order (shuffle_dataset=False), G in a row
            k = seen[t]
            seen[t] += 1
            sid = f"{owners[t][k // G]}/{k % G}"
            c = rd["saved"][sid]["completion"]
            text = c[len(FENCE_OPEN):] if a.fenced and c.startswith(FENCE_OPEN) else c
            picked.append(rd["tokens"].get(sid) or text)  # the ids as sampled, else the text again
        ids = [c if isinstance(c, list) else
               tok(c, add_special_tokens=False)["input_ids"][:a.max_completion_length - 1] + [tok.eos_token_id]
               for c in picked[off:off + len(local)]]
        return {"prompt_ids": trainer._tokenize_prompts(list(local))[0], "completion_ids": ids, "logprobs": None}

    def restore(trainer):
        """The start checkpoint's optimizer, scheduler and scaler states into the new trainer (its optimizer
        exists now). Not resume_from_checkpoint: that would also skip the data the checkpoint had seen."""
        def has(*names):
            return any(glob.glob(os.path.join(prev, n)) for n in names)

        if trainer.is_deepspeed_enabled:
            ok = has("global_step*")
        else:  # optimizer.pt, or FSDP's optimizer_0/ or optimizer.bin
            ok = has("optimizer_*", "optimizer.bin") if trainer.is_fsdp_enabled else has("optimizer.pt")
            ok = ok and has("scheduler.pt")
        if not ok:
            log(f"{prev} holds no optimizer state (a checkpoint of an older driver): the weights only, "
                f"AdamW starts from zero moments")
            return "none"
        if trainer.is_deepspeed_enabled or trainer.is_fsdp_enabled:  # sharded: the Trainer's own loaders
            if trainer.is_deepspeed_enabled:
                from transformers.integrations.deepspeed import deepspeed_load_checkpoint
                deepspeed_load_checkpoint(trainer.model_wrapped, prev, load_module_strict=not a.lora)
            trainer._load_optimizer_and_scheduler(prev)
        else:  # as the Trainer loads them, but through the CPU always (its map_location "cpu:0" fails on CPUs)
            trainer.optimizer.load_state_dict(torch.load(os.path.join(prev, "optimizer.pt"), map_location="cpu",
                                                         weights_only=True))
            trainer.lr_scheduler.load_state_dict(torch.load(os.path.join(prev, "scheduler.pt"), weights_only=True))
        trainer._load_scaler(prev)
        moments = [s for s in trainer.optimizer.state.values() if "exp_avg" in s]
        log(f"optimizer state from {prev}: AdamW moments of {len(moments)} tensors at their step "
            f"{int(moments[0]['step']) if moments else '?'}, scheduler, RNG")
        return "restored"

    # What this leans on in transformers 5.17 and TRL 1.13 (pinned in jobs/requirements-trl.txt):
    # on_train_begin comes after the optimizer and scheduler exist (and accelerate has prepared them);
    # on_step_begin once per optimizer step, before that step's generation (the first micro-batch);
    # on_save right after Trainer._save_checkpoint wrote OUTPUT/checkpoint-N (save_strategy "steps",
    # save_steps 1); Trainer._load_rng_state, _load_scaler and, sharded, _load_optimizer_and_scheduler
    # read the files _save_checkpoint writes; GRPOTrainer reads self.rollout_func at each generation.
    class Rounds(TrainerCallback):
        """Each GRPO step of the job is a round: the start checkpoint's state goes in before the first,
        the round's rollout is picked before its generation, and the Trainer's checkpoint of the step
        becomes the round's."""

        def on_train_begin(self, args, st, control, **kw):
            opt = restore(trainer) if prev else "fresh"
            for r in todo:
                rounds[r]["stats"]["optimizer_state"] = opt if r == first else "carried"
            # A round without a signal (skip_update, set by exchange) has no optimizer step, nor the forward
            # and backward passes (half an iteration on CPUs); global_step is still the round's meanwhile.
            real_step, real_loss = trainer.optimizer.step, trainer.compute_loss

            def skip():
                return rounds[todo[trainer.state.global_step]].get("skip_update")

            def step(*args, **kw):
                return None if skip() else real_step(*args, **kw)

            def compute_loss(model, inputs, *args, **kw):  # a zero that backward() accepts
                return sum(p.sum() for p in model.parameters() if p.requires_grad) * 0.0 if skip() else \
                    real_loss(model, inputs, *args, **kw)
            trainer.optimizer.step = step
            trainer.compute_loss = compute_loss

        def on_step_begin(self, args, st, control, **kw):
            k = st.global_step
            r = todo[k]
            if k == 0 and prev:  # here, not earlier: as if the job before had gone on to this step
                trainer._load_rng_state(prev)
            trainer.rollout_func = reuse_rollout if rounds[r]["reuse"] else None  # read at each generation
            rounds[r]["t0"] = time.time()
            if k == 0:
                rounds[r]["stats"]["load_s"] = rounds[r]["t0"] - t_start

        def on_step_end(self, args, st, control, **kw):
            rounds[todo[st.global_step - 1]]["t_step"] = time.time()

        def on_save(self, args, st, control, **kw):
            k = st.global_step - 1
            r = todo[k]
            rd, stats = rounds[r]["dir"], rounds[r]["stats"]
            ckpt, src = os.path.join(rd, "checkpoint"), os.path.join(out_dir, f"{PREFIX_CHECKPOINT_DIR}-{st.global_step}")
            tmp = f"{ckpt}.tmp"
            state.wait_for_everyone()  # every process has written its part (RNG states, DeepSpeed shards)
            if main_proc:
                shutil.rmtree(tmp, ignore_errors=True)
                os.rename(src, tmp)
                tok.save_pretrained(tmp)
                logs = {}
                for entry in st.log_history:
                    if entry.get("step") == st.global_step:
                        logs.update(entry)
                stats.update({x: logs[x] for x in ("loss", "kl", "entropy", "reward", "reward_std", "clip_ratio/region_mean",
                                                   "completions/mean_length", "grad_norm", "learning_rate") if x in logs})
                stats["update_s"] = rounds[r]["t_step"] - rounds[r]["t_rewarded"]
                stats["save_s"] = time.time() - rounds[r]["t_step"]
                text = json.dumps(stats, indent=1) + "\n"
                write_atomic(os.path.join(tmp, "stats.json"), text)
                # and beside it: gpu_step.keep_checkpoints prunes the checkpoint, not the round's figures
                write_atomic(os.path.join(rd, "stats.json"), text)
                write_atomic(os.path.join(tmp, MARKER), "")
                shutil.rmtree(ckpt, ignore_errors=True)  # an incomplete one, without the marker
                os.rename(tmp, ckpt)
                stamp(rd, "updated")
                log(f"step {stats['step']} (round {r} of {R}): loss {stats.get('loss')}, reward mean "
                    f"{stats.get('reward_mean'):.2f}, KL {stats.get('kl')}; load {stats['load_s']:.1f} s, "
                    f"generate {stats.get('generate_s', 0):.1f} s, wait {stats.get('wait_s', 0):.1f} s, "
                    f"update {stats['update_s']:.1f} s, save {stats['save_s']:.1f} s -> {ckpt}")
            state.wait_for_everyone()

    log(f"iteration {iteration}: {f'round {R}' if first == R else f'rounds {first}..{R}'} of {R}, {P} prompts x {G} each, "
        f"from {prev or a.model} (step {base_step})"
        f"{'; reusing the completions of round(s) ' + ','.join(str(r) for r in todo if rounds[r]['reuse']) if any(rounds[r]['reuse'] for r in todo) else ''}; "
        f"{nproc} process(es), micro-batch {mb}")
    trainer = GRPOTrainer(model=model, reward_funcs=perfrl_reward, args=args, train_dataset=dataset,
                          processing_class=tok, peft_config=peft_config, callbacks=[Rounds()])
    if a.lora and "ref" in getattr(trainer.model, "peft_config", {}):
        trainer.model.delete_adapter("ref")  # TRL's copy of the loaded adapter: the reference is the base model
    try:
        trainer.train()
    except NoRewards as e:
        log(str(e))
        return 3
    finally:
        if main_proc:
            shutil.rmtree(out_dir, ignore_errors=True)
    state.wait_for_everyone()
    return 0


if __name__ == "__main__":
    sys.exit(main())
