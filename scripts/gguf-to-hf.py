#!/usr/bin/env python3
"""scripts/gguf-to-hf.py GGUF OUT_DIR - a GGUF file of a Llama- or Qwen2-architecture model as a
local Hugging Face model directory (model.safetensors, config.json, generation_config.json, the
tokenizer with its chat template), for jobs/trl_driver.py. Called by scripts/setup-model, in the trl
venv.

transformers reads the GGUF file (with the `gguf` package) and dequantises its tensors into float32
torch weights; the tokenizer and the chat template come from the same file. Two things its GGUF
tokenizer conversion gets wrong (transformers 5.17) are set from the file's own metadata:
- the special tokens: it makes the BOS token the EOS too (SmolLM2), or <|endoftext|> the EOS where
  the file says <|im_end|> (Qwen2.5), so generation would never stop at the end of a chat turn;
  tokenizer.ggml.{bos,eos,padding,unknown}_token_id say which they are;
- the pre-tokenizer: SmolLM's ("tokenizer.ggml.pre" = "smollm", as StarCoder's) splits digits one by
  one before the byte-level split, which the conversion leaves out.
Then the tokenizer is checked against the metadata: every id's token, the merges, the special
tokens, whether a BOS is prepended (tokenizer.ggml.add_bos_token), digits split one by one where
the pre-tokenizer says so (smollm, starcoder, qwen2). A mismatch is an error, never a warning.
Writes into OUT_DIR.tmp.PID and renames it into place; prints a one-line summary to stderr.
"""
import os
import shutil
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TQDM_DISABLE", "1")  # the GGUF tensors' progress bar


# The architectures whose GGUF transformers dequantises and whose conversion has been checked here.
ARCHITECTURES = ("llama", "qwen2")
# Pre-tokenizers that put every digit in a token of its own.
DIGITS_ONE_BY_ONE = ("smollm", "starcoder", "qwen2")


def check_tokenizer(gguf_path, tok, field):
    """Exit with the first way tok disagrees with the GGUF's tokenizer metadata."""
    import json

    def fail(what):
        sys.exit(f"gguf-to-hf: {gguf_path}: the converted tokenizer {what}")

    vocab = list(field("tokenizer.ggml.tokens"))
    if len(tok) != len(vocab):
        fail(f"has {len(tok)} tokens, the file {len(vocab)}")
    ids = tok.convert_ids_to_tokens(list(range(len(vocab))))
    bad = next((i for i, (a, b) in enumerate(zip(ids, vocab)) if a != b), None)
    if bad is not None:
        fail(f"maps id {bad} to {ids[bad]!r}, the file to {vocab[bad]!r}")
    merges = field("tokenizer.ggml.merges")
    if merges is not None:
        model = json.loads(tok.backend_tokenizer.to_str())["model"]
        got = [m if isinstance(m, str) else " ".join(m) for m in model.get("merges", [])]
        if got != list(merges):
            fail(f"has {len(got)} merges, the file {len(merges)} (or in another order)")
    for name, key in (("bos", "bos_token_id"), ("eos", "eos_token_id"), ("pad", "padding_token_id")):
        want = field(f"tokenizer.ggml.{key}")
        if want is not None and getattr(tok, f"{name}_token_id") != want:
            fail(f"has {name} id {getattr(tok, f'{name}_token_id')}, the file {want}")
    text = "x = 128;"
    got = tok(text).input_ids
    bare = tok(text, add_special_tokens=False).input_ids
    add_bos = field("tokenizer.ggml.add_bos_token", False)
    if add_bos and got != [tok.bos_token_id] + bare or not add_bos and got != bare:
        fail(f"encodes {text!r} as {got}: tokenizer.ggml.add_bos_token is {add_bos}")
    if field("tokenizer.ggml.pre") in DIGITS_ONE_BY_ONE and tok.tokenize("128")[-3:] != ["1", "2", "8"]:
        fail(f"does not split digits one by one ({tok.tokenize('128')}), as pre-tokenizer "
             f"{field('tokenizer.ggml.pre')!r} does")
    if tok.decode(tok(SAMPLE, add_special_tokens=False).input_ids) != SAMPLE:
        fail("does not decode what it encodes")


SAMPLE = "void dgemm(int m)\n{\n\tfor (int i = 0; i < m; i++)  /* 2.5e-3 */\n}\n"


def main():
    if len(sys.argv) != 3 or sys.argv[1].startswith("-"):
        sys.exit("usage: scripts/gguf-to-hf.py GGUF OUT_DIR")
    gguf_path, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if not os.path.isfile(gguf_path):
        sys.exit(f"gguf-to-hf: {gguf_path}: no such file")
    t0 = time.time()
    import torch
    import transformers
    from gguf import GGUFReader
    from tokenizers import pre_tokenizers
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "0")) or torch.get_num_threads())

    meta = GGUFReader(gguf_path).fields

    def field(key, default=None):
        return meta[key].contents() if key in meta else default

    arch = field("general.architecture")
    if arch not in ARCHITECTURES:
        sys.exit(f"gguf-to-hf: {gguf_path}: architecture {arch!r}; supported here: {', '.join(ARCHITECTURES)}")
    d, f = os.path.dirname(gguf_path), os.path.basename(gguf_path)

    tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
    vocab = field("tokenizer.ggml.tokens")
    special = {}
    for name, key in (("bos_token", "bos_token_id"), ("eos_token", "eos_token_id"),
                      ("pad_token", "padding_token_id"), ("unk_token", "unknown_token_id")):
        i = field(f"tokenizer.ggml.{key}")
        if i is not None:
            special[name] = vocab[i]
    tok.add_special_tokens(special)
    tok.clean_up_tokenization_spaces = False  # as SmolLM2's own tokenizer: the clean-up is for WordPiece
    if field("tokenizer.ggml.pre") in ("smollm", "starcoder"):
        backend = tok.backend_tokenizer
        backend.pre_tokenizer = pre_tokenizers.Sequence(
            [pre_tokenizers.Digits(individual_digits=True),
             pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)])
    if not tok.chat_template:
        sys.exit(f"gguf-to-hf: {gguf_path}: no chat template (tokenizer.chat_template)")
    check_tokenizer(gguf_path, tok, field)

    loaded = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32)
    # A model loaded from GGUF carries a quantization config and refuses save_pretrained: the same
    # weights, already dequantised, in a plain model of the same config.
    config = AutoConfig.for_model(**{k: v for k, v in loaded.config.to_dict().items()
                                     if k not in ("quantization_config", "model_type")},
                                  model_type=loaded.config.model_type)
    config.bos_token_id, config.eos_token_id, config.pad_token_id = (
        tok.bos_token_id, tok.eos_token_id, tok.pad_token_id)
    config._name_or_path = field("general.name", f)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = model.load_state_dict(loaded.state_dict(), strict=False)
    missing = [k for k in missing if not (config.tie_word_embeddings and k == "lm_head.weight")]
    if missing or unexpected:
        sys.exit(f"gguf-to-hf: weights do not match the config: missing {missing[:5]}, unexpected {unexpected[:5]}")
    if config.tie_word_embeddings:
        model.tie_weights()
    model.generation_config.bos_token_id = tok.bos_token_id
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.pad_token_id = tok.pad_token_id

    tmp = f"{out}.tmp.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    # What was made must load as the driver loads it, and agree with the GGUF weights.
    again = AutoModelForCausalLM.from_pretrained(tmp, dtype=torch.float32)
    ref = loaded.state_dict()
    for k, v in again.state_dict().items():
        if k in ref and not torch.equal(v, ref[k]):
            sys.exit(f"gguf-to-hf: {k} differs after the round trip")
    nparams = sum(p.numel() for p in again.parameters())
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)
    print(f"gguf-to-hf: {out}: {config.model_type}, {nparams} parameters, {config.num_hidden_layers} layers, "
          f"vocabulary {config.vocab_size}, eos {tok.eos_token!r}, from {f} in {time.time() - t0:.1f} s",
          file=sys.stderr)
    print(nparams)


if __name__ == "__main__":
    main()
