"""Greedy decoding for decoder-only models, batched across requests.

generate() pads a batch of prompts to the longest one and runs the prompt pass
(prefill) for all of them together. With news articles of 400 to 2,000 tokens
the prefill is most of the work, it is compute-bound, and padding only adds to
it. The decoding steps are the opposite: memory-bound, so sixteen sequences cost
little more than one. So here:

- each prompt is prefilled on its own: no padding, and the same arithmetic as
  one-at-a-time generate(), which keeps greedy output identical to it;
- the decoding steps run for every sequence at once, and a sequence that
  finishes makes room for the next prompt (continuous batching);
- keys and values live in preallocated buffers, so a step writes one column
  where DynamicCache copies the whole cache;
- a prompt that depends on another's answer (a long article's combining step)
  joins as soon as that answer is in (`on_done`).

transformers' own continuous batching (`generate_batch`) targets GPUs: on two
CPU cores it took 183 s where this took 52 s, with the same output
(benchmarks/continuous_batching.py).

Only plain greedy search is handled (with min_new_tokens); `supports()` says
when a generation config needs generate() instead. Imports torch: import this
module lazily.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from transformers import DynamicCache, GenerationConfig
from transformers.cache_utils import DynamicLayer

# Settings that leave greedy search unchanged: lengths, ids, output plumbing,
# and sampling knobs that greedy search ignores. Anything else set to a value
# other than the library default sends the request to generate().
_HANDLED = {
    "max_new_tokens", "min_new_tokens", "do_sample", "num_beams", "use_cache", "pad_token_id", "bos_token_id",
    "eos_token_id", "temperature", "top_k", "top_p", "min_p", "typical_p", "output_attentions",
    "output_hidden_states", "return_dict_in_generate", "transformers_version", "_from_model_config",
    "cache_implementation", "max_length", "min_length",
}  # fmt: skip


def supports(config: GenerationConfig, model: Any) -> bool:
    """Whether `config` asks for plain greedy search that this module reproduces exactly."""
    if config.do_sample or (config.num_beams or 1) != 1 or not config.max_new_tokens:
        return False
    if (config.num_return_sequences or 1) != 1 or config.min_length or config.cache_implementation:
        return False
    if not all(type(layer) is DynamicLayer for layer in DynamicCache(config=model.config).layers):
        return False  # sliding-window, linear-attention and other caches are not plain key/value tensors
    return set(config.to_diff_dict()) <= _HANDLED


class _BufferedLayer(DynamicLayer):
    """One layer's keys and values in a buffer with room to grow: a decoding step
    writes its column in place instead of concatenating a new cache."""

    def __init__(self, keys: torch.Tensor, values: torch.Tensor, room: int) -> None:
        super().__init__()
        batch, heads, length, dim = keys.shape
        self._keys = keys.new_empty(batch, heads, length + room, dim)
        self._values = values.new_empty(batch, heads, length + room, dim)
        self._keys[:, :, :length] = keys
        self._values[:, :, :length] = values
        self.length = length
        self.device, self.is_initialized = keys.device, True
        self._expose()

    def _expose(self) -> None:
        self.keys = self._keys[:, :, : self.length]
        self.values = self._values[:, :, : self.length]

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
        added = key_states.shape[2]
        if self.length + added > self._keys.shape[2]:
            self.__init__(self.keys, self.values, max(added, self._keys.shape[2]))  # type: ignore[misc]
        self._keys[:, :, self.length : self.length + added] = key_states
        self._values[:, :, self.length : self.length + added] = value_states
        self.length += added
        self._expose()
        return self.keys, self.values


@dataclass
class _Row:
    index: int  # which prompt
    tokens: list[int]  # generated so far
    length: int  # real (unpadded) tokens in the cache


@dataclass
class _Batch:
    """The sequences being decoded together, left-padded to one width."""

    rows: list[_Row] = field(default_factory=list)
    cache: Any = None
    mask: Any = None  # [rows, width]: 1 for real tokens, 0 for padding

    @property
    def width(self) -> int:
        return 0 if self.mask is None else int(self.mask.shape[1])

    def rebuild(self, keep: Sequence[int], joining: Sequence[tuple[_Row, Any]], room: int) -> None:
        """Keep rows `keep`, add `joining` (a row and its own prefill cache), drop
        padding columns no row needs, and copy everything into fresh buffers,
        one layer at a time so that old and new caches never coexist whole."""
        index = torch.tensor(list(keep), dtype=torch.long, device=self.mask.device) if keep else None
        old = self.cache.layers if keep else []
        masks = [self.mask[index]] if keep else []
        masks += [
            torch.ones(1, row.length, dtype=torch.long, device=cache.layers[0].keys.device) for row, cache in joining
        ]
        self.rows = [self.rows[i] for i in keep] + [row for row, _ in joining]
        if not self.rows:
            self.cache = self.mask = None
            return
        width = max(int(mask.sum(1).max()) for mask in masks)
        self.mask = torch.cat([_pad_left(mask, width) for mask in masks])
        layers = []
        for i in range(len(old or joining[0][1].layers)):
            sources = ([(old[i].keys[index], old[i].values[index])] if keep else []) + [
                (cache.layers[i].keys, cache.layers[i].values) for _, cache in joining
            ]
            keys = torch.cat([_pad_left(k, width) for k, _ in sources])
            values = torch.cat([_pad_left(v, width) for _, v in sources])
            del sources
            layers.append(_BufferedLayer(keys, values, room))
            del keys, values
            if keep:
                old[i] = None  # free this layer's old buffers before copying the next
            for _, cache in joining:
                cache.layers[i] = None
        self.cache = DynamicCache()
        self.cache.layers = layers


def _pad_left(tensor: torch.Tensor, width: int) -> torch.Tensor:
    """Trim or zero-pad the sequence axis (2 for keys/values, 1 for masks) on the left to `width`."""
    axis = 2 if tensor.dim() == 4 else 1
    missing = width - tensor.shape[axis]
    if missing <= 0:
        return tensor.narrow(axis, tensor.shape[axis] - width, width)
    shape = list(tensor.shape)
    shape[axis] = missing
    return torch.cat([tensor.new_zeros(shape), tensor], dim=axis)


def greedy_generate(
    model: Any,
    prompts: Sequence[Sequence[int]],
    config: GenerationConfig,
    max_rows: int,
    max_tokens: int,
    on_done: Callable[[int, list[int]], Sequence[Sequence[int]]] | None = None,
) -> list[list[int]]:
    """The new tokens for each prompt (without the end-of-sequence token), in order.

    At most `max_rows` sequences decode together, holding at most `max_tokens`
    cache positions (padding and room for new tokens included); one always runs.
    `on_done(index, tokens)` is told of each finished prompt and may return more
    prompts, which take the next indices and join the batch as room allows.
    """
    eos = config.eos_token_id
    stop = set(eos if isinstance(eos, list) else [] if eos is None else [eos])
    limit, floor = config.max_new_tokens, config.min_new_tokens or 0
    prompts = list(prompts)
    # Longest first: rows that join later are shorter, so they pad less.
    waiting = sorted(range(len(prompts)), key=lambda i: len(prompts[i]), reverse=True)
    results: list[list[int]] = [[] for _ in prompts]

    def finish(row: _Row) -> None:
        results[row.index] = _strip(row.tokens, stop)
        for more in on_done(row.index, results[row.index]) if on_done else ():
            prompts.append(more)
            results.append([])
            # Keep the longest-first order: the new prompt joins behind longer ones.
            insort(waiting, len(prompts) - 1, key=lambda i: -len(prompts[i]))

    batch = _Batch()
    device = model.device

    def pick(logits: torch.Tensor, produced: Sequence[int]) -> list[int]:
        logits = logits.float()
        if stop and floor:  # what MinNewTokensLengthLogitsProcessor does
            early = torch.tensor([n < floor for n in produced], device=logits.device)
            logits[early.nonzero().flatten()[:, None], torch.tensor(sorted(stop), device=logits.device)] = -torch.inf
        return logits.argmax(-1).tolist()

    def finished(row: _Row) -> bool:
        return row.tokens[-1] in stop or len(row.tokens) >= limit

    with torch.inference_mode():
        live: list[int] = []  # the batch's rows still decoding
        while waiting or live:
            # Prefill waiting prompts while there is room, then rebuild the batch
            # once for the rows that finished and the rows that join.
            joining: list[tuple[_Row, Any]] = []
            width = batch.width
            while waiting and len(live) + len(joining) < max_rows:
                wider = max(width, len(prompts[waiting[0]]))
                rows = len(live) + len(joining) + 1
                if rows > 1 and rows * (wider + limit) > max_tokens:
                    break
                index = waiting.pop(0)
                ids = torch.tensor([list(prompts[index])], device=device)
                out = model(input_ids=ids, use_cache=True, logits_to_keep=1)
                row = _Row(index, pick(out.logits[:, -1], [0]), ids.shape[1])
                if finished(row):
                    finish(row)
                    continue
                joining.append((row, out.cache))
                width = wider
            if joining or len(live) < len(batch.rows):
                batch.rebuild(live, joining, room=limit)
            if not batch.rows:
                continue
            ones = torch.ones(len(batch.rows), 1, dtype=torch.long, device=device)
            batch.mask = torch.cat([batch.mask, ones], dim=1)
            out = model(
                input_ids=torch.tensor([[row.tokens[-1]] for row in batch.rows], device=device),
                attention_mask=batch.mask,
                position_ids=torch.tensor([[row.length] for row in batch.rows], device=device),
                cache=batch.cache,
                use_cache=True,
            )
            tokens = pick(out.logits[:, -1], [len(row.tokens) for row in batch.rows])
            live = []
            for position, (row, token) in enumerate(zip(batch.rows, tokens, strict=True)):
                row.tokens.append(token)
                row.length += 1
                if finished(row):
                    finish(row)
                else:
                    live.append(position)
    return results


def _strip(tokens: list[int], stop: set[int]) -> list[int]:
    return tokens[:-1] if tokens and tokens[-1] in stop else tokens
