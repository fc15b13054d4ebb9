#!/usr/bin/env python3
"""tests/lib/make_tiny_model.py OUT_DIR - a tiny Qwen2 causal LM for the tests of the "trl" GPU step.

Built here, with no network: a byte-level BPE tokenizer (vocabulary 2000) trained with `tokenizers` on
the repository's C kernels (examples/*.c, tests/techniques/**/*.c) and templates/dgemm_contract.txt and
prompt.txt, with a ChatML chat template like Qwen2.5's (eos <|im_end|>, pad <|endoftext|>), and a Qwen2
model (hidden 64, 2 layers, 4 heads, 200k parameters) with seeded random weights. Saved with
save_pretrained, so that jobs/trl_driver.py loads it exactly as it loads Qwen2.5-Coder-14B.

Deterministic; cached: when OUT_DIR/.perfrl-tiny-stamp matches the inputs (this script, the corpus,
the library versions), nothing is rebuilt. Prints OUT_DIR.
"""
import glob
import hashlib
import os
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from importlib.metadata import version  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/lib/ -> the top
VOCAB = 2000
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def corpus():
    files = sorted(glob.glob(os.path.join(TOP, "examples", "*.c")))
    files += sorted(glob.glob(os.path.join(TOP, "tests", "techniques", "**", "*.c"), recursive=True))
    files += [os.path.join(TOP, "templates", "dgemm_contract.txt"), os.path.join(TOP, "templates", "prompt.txt")]
    texts = []
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            texts.append(fh.read())
    return texts


def stamp_of(texts):
    h = hashlib.sha256()
    with open(os.path.abspath(__file__), "rb") as fh:
        h.update(fh.read())
    for t in texts:
        h.update(t.encode())
    h.update(" ".join(version(p) for p in ("torch", "transformers", "tokenizers")).encode())
    return h.hexdigest()


def build(out, texts):
    import torch
    import transformers
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    transformers.utils.logging.disable_progress_bar()
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=SPECIAL, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer=trainer)
    hf_tok = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                     model_max_length=4096)
    hf_tok.chat_template = CHAT_TEMPLATE

    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=len(hf_tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                         tie_word_embeddings=True, eos_token_id=hf_tok.eos_token_id,
                         pad_token_id=hf_tok.pad_token_id, bos_token_id=None)
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = hf_tok.eos_token_id
    model.generation_config.pad_token_id = hf_tok.pad_token_id
    tmp = f"{out}.tmp.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    hf_tok.save_pretrained(tmp)
    return tmp, sum(p.numel() for p in model.parameters())


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit("usage: tests/lib/make_tiny_model.py OUT_DIR")
    out = os.path.abspath(sys.argv[1])
    texts = corpus()
    want = stamp_of(texts)
    stamp = os.path.join(out, ".perfrl-tiny-stamp")
    try:
        with open(stamp) as fh:
            if fh.read().strip() == want:
                print(out)
                return
    except OSError:
        pass
    tmp, nparams = build(out, texts)
    with open(os.path.join(tmp, ".perfrl-tiny-stamp"), "w") as fh:
        fh.write(want + "\n")
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)
    print(f"make_tiny_model: {out}: Qwen2, {nparams} parameters, vocabulary {VOCAB}, {len(texts)} files",
          file=sys.stderr)
    print(out)


if __name__ == "__main__":
    main()
