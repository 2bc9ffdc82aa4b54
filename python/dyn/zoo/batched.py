"""Batched versions of the zoo's gated networks: every sample of a batch
decides for itself, the way a serving system that batches requests needs
them. Written as people write them in PyTorch, with the per-sample choice
as `torch.where(mask[:, None, ...], block(x), x)`: eager PyTorch computes
every block on every sample and keeps some rows; dyn computes each block on
the samples that keep it (dyn-raise-batch-selects, docs/batching.md).

The weights are those of the batch-level models in `dyn.zoo.models`, so the
gates split samples as they split batches there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from dyn.zoo.models import (BlockDrop, MixtureOfExperts, SkipNet, _blockdrop_model,
                            _init, _is_plain, _skipnet_model)


class BatchedSkipNet(SkipNet):
    """SkipNet whose gates decide per sample: a sample skips a block when
    its own gate says so."""

    def forward(self, x):
        x = self.stem(x)
        for block, gate in zip(self.blocks, self.gates):
            if block.conv1.stride[0] != 1 or block.conv1.in_channels != block.conv2.out_channels:
                x = block(x)
            else:
                run = torch.sigmoid(gate(F.adaptive_avg_pool2d(x, 1).flatten(1))).squeeze(1) > 0.5
                x = torch.where(run[:, None, None, None], block(x), x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


class BatchedBlockDrop(BlockDrop):
    """BlockDrop whose policy keeps blocks per sample."""

    def forward(self, x):
        keep = self.policy(x) > 0.5  # [batch, blocks]
        x = self.stem(x)
        for i, block in enumerate(self.blocks):
            if block.conv1.stride[0] != 1 or block.conv1.in_channels != block.conv2.out_channels:
                x = block(x)
            else:
                x = torch.where(keep[:, i][:, None, None, None], block(x), x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


class TokenRoutedMoE(MixtureOfExperts):
    """The mixture of experts with top-1 routing per token (row): each token
    goes to the expert its own router score picks."""

    def forward(self, x):
        expert = torch.argmax(self.router(x), 1)
        y = self.down[3](F.gelu(self.up[3](x)))
        y = torch.where((expert == 2)[:, None], self.down[2](F.gelu(self.up[2](x))), y)
        y = torch.where((expert == 1)[:, None], self.down[1](F.gelu(self.up[1](x))), y)
        y = torch.where((expert == 0)[:, None], self.down[0](F.gelu(self.up[0](x))), y)
        return x + y


def _like(kind: type, trained: torch.nn.Module) -> torch.nn.Module:
    model = kind()
    model.load_state_dict(trained.state_dict())
    return model.eval()


@torch.no_grad()
def skipnet_branches(model: BatchedSkipNet, x: torch.Tensor) -> list[float]:
    """The share of samples that run each gated block."""
    x = model.stem(x)
    shares = []
    for block, gate in zip(model.blocks, model.gates):
        if not _is_plain(block):
            x = block(x)
            continue
        run = torch.sigmoid(gate(F.adaptive_avg_pool2d(x, 1).flatten(1))).squeeze(1) > 0.5
        shares.append(float(run.float().mean()))
        x = torch.where(run[:, None, None, None], block(x), x)
    return shares


@torch.no_grad()
def blockdrop_branches(model: BatchedBlockDrop, x: torch.Tensor) -> list[float]:
    keep = (model.policy(x) > 0.5).float().mean(0)
    return [float(keep[i]) for i, b in enumerate(model.blocks) if _is_plain(b)]


@torch.no_grad()
def moe_branches(model: TokenRoutedMoE, x: torch.Tensor) -> list[float]:
    """The share of tokens routed to each expert."""
    expert = torch.argmax(model.router(x), 1)
    return [float((expert == e).float().mean()) for e in range(len(model.up))]


@dataclass
class BatchedEntry:
    build: Callable[[], torch.nn.Module]
    # a batch of `n` samples
    sample: Callable[[torch.Generator, int], list]
    # the share of samples taking each branch, for reports
    branches: Callable[[torch.nn.Module, torch.Tensor], list[float]]
    tolerance: float = 1e-4


def _images(g: torch.Generator, n: int) -> list:
    return [torch.randn(n, 3, 32, 32, generator=g)
            * torch.empty(n, 1, 1, 1).uniform_(0.3, 3.0, generator=g)
            + torch.empty(n, 1, 1, 1).uniform_(-1.0, 1.0, generator=g)]


BATCHED: dict[str, BatchedEntry] = {
    "skipnet": BatchedEntry(lambda: _like(BatchedSkipNet, _skipnet_model()), _images,
                            skipnet_branches),
    "blockdrop": BatchedEntry(lambda: _like(BatchedBlockDrop, _blockdrop_model()), _images,
                              blockdrop_branches),
    "moe": BatchedEntry(lambda: _like(TokenRoutedMoE, _init(MixtureOfExperts, 6)),
                        lambda g, n: [torch.randn(n, 128, generator=g) * 2], moe_branches),
}
