"""The dynamic networks of the papers dyn builds on (DyCL, Nimble), small
enough to test and benchmark on a CPU."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv3x3(cin: int, cout: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    """The CIFAR ResNet basic block (He et al.), batch norm folded at freeze."""

    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = conv3x3(cout, cout)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


def _stages(blocks_per_stage: int, widths=(16, 32, 64)) -> nn.ModuleList:
    blocks = []
    cin = widths[0]
    for i, w in enumerate(widths):
        for b in range(blocks_per_stage):
            stride = 2 if (i > 0 and b == 0) else 1
            blocks.append(BasicBlock(cin, w, stride))
            cin = w
    return nn.ModuleList(blocks)


class SkipNet(nn.Module):
    """SkipNet-style gated ResNet-38 for CIFAR (6 blocks per stage): each
    block that keeps its shape has a gate (global pool -> linear -> sigmoid)
    that decides, from the data, whether the block runs or is skipped."""

    def __init__(self, blocks_per_stage: int = 6, classes: int = 10):
        super().__init__()
        self.stem = nn.Sequential(conv3x3(3, 16), nn.BatchNorm2d(16), nn.ReLU())
        self.blocks = _stages(blocks_per_stage)
        self.gates = nn.ModuleList([nn.Linear(b.conv1.in_channels, 1) for b in self.blocks])
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.stem(x)
        for block, gate in zip(self.blocks, self.gates):
            if block.conv1.stride[0] != 1 or block.conv1.in_channels != block.conv2.out_channels:
                x = block(x)  # downsampling blocks always run
            else:
                g = torch.sigmoid(gate(F.adaptive_avg_pool2d(x, 1).flatten(1)))
                if g.mean() > 0.5:
                    x = block(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


class EarlyExitResNet(nn.Module):
    """Shallow-Deep-Network-style ResNet-56 (9 blocks per stage) with 6
    internal classifiers spread over its 27 blocks; it returns at the first
    exit whose softmax confidence passes the threshold for every sample of
    the batch (exit index 0-5), else runs to the end (index 6)."""

    def __init__(self, blocks_per_stage: int = 9, classes: int = 10, threshold: float = 0.5):
        super().__init__()
        self.stem = nn.Sequential(conv3x3(3, 16), nn.BatchNorm2d(16), nn.ReLU())
        self.thresholds = [threshold] * 6
        blocks = list(_stages(blocks_per_stage))
        bounds = [len(blocks) * i // 7 for i in range(8)]
        self.segments = nn.ModuleList([nn.Sequential(*blocks[a:b])
                                       for a, b in zip(bounds[:-1], bounds[1:])])
        self.exits = nn.ModuleList([nn.Linear(seg[-1].conv2.out_channels, classes)
                                    for seg in self.segments[:6]])
        self.fc = nn.Linear(64, classes)

    def forward(self, x) -> Tuple[torch.Tensor, int]:
        x = self.stem(x)
        for k, (segment, head) in enumerate(zip(self.segments, self.exits)):
            x = segment(x)
            logits = head(F.adaptive_avg_pool2d(x, 1).flatten(1))
            if torch.softmax(logits, 1).max(1)[0].min() > self.thresholds[k]:
                return logits, k
        x = self.segments[6](x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1)), 6


class BlockDrop(nn.Module):
    """BlockDrop-style ResNet-32 (5 blocks per stage): a small policy network
    looks at the image first and decides which residual blocks run."""

    def __init__(self, blocks_per_stage: int = 5, classes: int = 10):
        super().__init__()
        self.stem = nn.Sequential(conv3x3(3, 16), nn.BatchNorm2d(16), nn.ReLU())
        self.blocks = _stages(blocks_per_stage)
        self.policy = nn.Sequential(nn.Conv2d(3, 8, 3, stride=4, padding=1), nn.ReLU(),
                                    nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                    nn.Linear(8, len(self.blocks)), nn.Sigmoid())
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        keep = self.policy(x).mean(0)
        x = self.stem(x)
        for i, block in enumerate(self.blocks):
            if block.conv1.stride[0] != 1 or block.conv1.in_channels != block.conv2.out_channels:
                x = block(x)  # blocks that change the shape always run
            elif keep[i] > 0.5:
                x = block(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


class MixtureOfExperts(nn.Module):
    """A mixture-of-experts layer with top-1 routing: the router's mean
    score over the batch picks one of four expert MLPs."""

    def __init__(self, dim: int = 128, hidden: int = 256, experts: int = 4):
        super().__init__()
        self.router = nn.Linear(dim, experts)
        self.up = nn.ModuleList([nn.Linear(dim, hidden) for _ in range(experts)])
        self.down = nn.ModuleList([nn.Linear(hidden, dim) for _ in range(experts)])

    def forward(self, x) -> Tuple[torch.Tensor, int]:
        k = int(torch.argmax(self.router(x).mean(0)))
        if k == 0:
            y = self.down[0](F.gelu(self.up[0](x)))
        elif k == 1:
            y = self.down[1](F.gelu(self.up[1](x)))
        elif k == 2:
            y = self.down[2](F.gelu(self.up[2](x)))
        else:
            y = self.down[3](F.gelu(self.up[3](x)))
        return x + y, k


class VariableLengthLSTM(nn.Module):
    """A 2-layer LSTM over a sequence of dynamic length ([T, B, D]); the loop
    runs T times, T known only at run time."""

    def __init__(self, dim: int = 32, hidden: int = 64, classes: int = 10):
        super().__init__()
        self.cell1 = nn.LSTMCell(dim, hidden)
        self.cell2 = nn.LSTMCell(hidden, hidden)
        self.fc = nn.Linear(hidden, classes)
        self.hidden = hidden

    def forward(self, x):
        b = x.size(1)
        h1 = torch.zeros(b, self.hidden)
        c1 = torch.zeros(b, self.hidden)
        h2 = torch.zeros(b, self.hidden)
        c2 = torch.zeros(b, self.hidden)
        for t in range(x.size(0)):
            h1, c1 = self.cell1(x[t], (h1, c1))
            h2, c2 = self.cell2(h1, (h2, c2))
        return self.fc(h2)


class TokenDroppingGRU(nn.Module):
    """A bidirectional GRU tagger over a sequence of dynamic length ([1, T,
    D], nn.GRU as people write it); the tokens whose saliency is positive
    are kept (how many is read from the data) and mean-pooled with the last
    state into the classifier, which also reports how many it kept."""

    def __init__(self, dim: int = 32, hidden: int = 32, classes: int = 10):
        super().__init__()
        self.gru = nn.GRU(dim, hidden, batch_first=True, bidirectional=True)
        self.saliency = nn.Linear(2 * hidden, 1)
        self.fc = nn.Linear(2 * hidden, classes)

    def forward(self, x):
        states, _ = self.gru(x)
        keep = self.saliency(states).squeeze(-1) > 0
        kept = states[keep]
        pooled = (kept.sum(0) + states[0, -1]) / (kept.shape[0] + 1)
        return self.fc(pooled), kept.shape[0]


class GreedyDecoder(nn.Module):
    """A seq2seq greedy decoder: encodes the source with an LSTM cell, then
    emits tokens (argmax) until EOS or 50 steps; the output grows by one
    token per step."""

    def __init__(self, vocab: int = 64, dim: int = 32, hidden: int = 64, eos: int = 1):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.encoder = nn.LSTMCell(dim, hidden)
        self.decoder = nn.LSTMCell(dim, hidden)
        self.out = nn.Linear(hidden, vocab)
        self.hidden = hidden
        self.eos = eos

    def forward(self, src):
        h = torch.zeros(1, self.hidden)
        c = torch.zeros(1, self.hidden)
        for t in range(src.size(0)):
            h, c = self.encoder(self.embed(src[t].view(1)), (h, c))
        token = torch.zeros(1, dtype=torch.long)
        tokens = token
        for _ in range(50):
            h, c = self.decoder(self.embed(token), (h, c))
            token = torch.argmax(self.out(h), dim=1)
            tokens = torch.cat([tokens, token])
            if bool(token[0] == self.eos):
                break
        return tokens


class EncoderLayer(nn.Module):
    """A transformer encoder layer (post-norm, 4 heads, GELU) on [1, S, D]
    with a dynamic sequence length S."""

    def __init__(self, dim: int = 64, heads: int = 4, ff: int = 128):
        super().__init__()
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)
        self.ln1 = nn.LayerNorm(dim)
        self.ln2 = nn.LayerNorm(dim)
        self.ff1 = nn.Linear(dim, ff)
        self.ff2 = nn.Linear(ff, dim)
        self.heads = heads
        self.head_dim = dim // heads

    def forward(self, x):
        s = x.size(1)
        q = self.q(x).view(s, self.heads, self.head_dim).transpose(0, 1)
        k = self.k(x).view(s, self.heads, self.head_dim).transpose(0, 1)
        v = self.v(x).view(s, self.heads, self.head_dim).transpose(0, 1)
        att = torch.softmax(torch.bmm(q, k.transpose(1, 2)) / (self.head_dim ** 0.5), dim=-1)
        ctx = torch.bmm(att, v).transpose(0, 1).reshape(1, s, self.heads * self.head_dim)
        x = self.ln1(x + self.o(ctx))
        return self.ln2(x + self.ff2(F.gelu(self.ff1(x))))


@dataclass
class ZooEntry:
    build: Callable[[], nn.Module]
    example: Callable[[], list]
    sample: Callable[[torch.Generator, int], list]
    path: Callable[[nn.Module, list], str]
    dynamic_dims: dict | None = None
    tolerance: float = 1e-4
    batch_dim: Optional[int] = 0  # where benchmarks cut inputs to batch 1


def _image(g: torch.Generator, batch: int = 1) -> list:
    scale = [0.5, 1.0, 2.0][int(torch.randint(0, 3, (1,), generator=g))]
    return [torch.randn(batch, 3, 32, 32, generator=g) * scale]


def _init(build: Callable[[], nn.Module], seed: int) -> nn.Module:
    """Builds a model with seeded weights; batch-norm statistics are made
    non-trivial (as after training)."""
    torch.manual_seed(seed)
    model = build()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
    return model.eval()


def _is_plain(block: BasicBlock) -> bool:
    return block.conv1.stride[0] == 1 and block.conv1.in_channels == block.conv2.out_channels


@torch.no_grad()
def _skipnet_path(model: SkipNet, inputs: list) -> str:
    x = model.stem(inputs[0])
    bits = ""
    for block, gate in zip(model.blocks, model.gates):
        if not _is_plain(block):
            x = block(x)
            continue
        run = torch.sigmoid(gate(F.adaptive_avg_pool2d(x, 1).flatten(1))).mean() > 0.5
        bits += "1" if run else "0"
        if run:
            x = block(x)
    return bits


@torch.no_grad()
def _blockdrop_path(model: BlockDrop, inputs: list) -> str:
    keep = model.policy(inputs[0]).mean(0)
    return "".join("1" if keep[i] > 0.5 else "0"
                   for i, b in enumerate(model.blocks) if _is_plain(b))


@torch.no_grad()
def _exit_path(model: EarlyExitResNet, inputs: list) -> str:
    return f"exit{model(*inputs)[1]}"


@torch.no_grad()
def _moe_path(model: MixtureOfExperts, inputs: list) -> str:
    return f"expert{model(*inputs)[1]}"


def _lstm_path(model, inputs: list) -> str:
    return f"T={inputs[0].shape[0]}"


@torch.no_grad()
def _decoder_path(model: GreedyDecoder, inputs: list) -> str:
    n = model(*inputs).shape[0] - 1
    return "eos" if n < 50 else "max-steps"


@torch.no_grad()
def _dropping_path(model: TokenDroppingGRU, inputs: list) -> str:
    kept, total = model(*inputs)[1], inputs[0].shape[1]
    return "none" if kept == 0 else "all" if kept == total else "some"


def _dropping_model() -> TokenDroppingGRU:
    """The saliency bias at the median of a calibration set: about half the
    tokens kept."""
    model = _init(TokenDroppingGRU, 8)
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        scores = torch.cat([model.saliency(model.gru(torch.randn(1, 12, 32, generator=g))[0])
                            .flatten() for _ in range(16)])
        model.saliency.bias -= scores.median()
    return model


def _encoder_path(model, inputs: list) -> str:
    return f"S={inputs[0].shape[1]}"


def _pick(g: torch.Generator, options: list):
    return options[int(torch.randint(0, len(options), (1,), generator=g))]


def _images(g: torch.Generator) -> list:
    batch = _pick(g, [1, 1, 2])
    return [torch.randn(batch, 3, 32, 32, generator=g) * _pick(g, [0.3, 1.0, 3.0])
            + _pick(g, [-1.0, 0.0, 1.0])]


@torch.no_grad()
def _calibrate_gates(model: nn.Module, sample, gate_inputs, set_bias) -> nn.Module:
    """Random weights make most gates constant; like training would, set each
    gate's bias so that it splits a calibration set in half (gates in order,
    each seeing the decisions of the earlier ones)."""
    g = torch.Generator().manual_seed(1234)
    batch = [sample(g) for _ in range(64)]
    for index in range(len(gate_inputs(model, batch[0]))):
        values = torch.stack([gate_inputs(model, x)[index] for x in batch])
        set_bias(model, index, -values.median())
    return model


def _skipnet_model() -> SkipNet:
    model = _init(SkipNet, 1)
    gated = [i for i, b in enumerate(model.blocks) if _is_plain(b)]

    def pre_activations(m: SkipNet, inputs: list) -> list:
        x = m.stem(inputs[0])
        out = []
        for block, gate in zip(m.blocks, m.gates):
            if not _is_plain(block):
                x = block(x)
                continue
            z = gate(F.adaptive_avg_pool2d(x, 1).flatten(1)).mean()
            out.append(z)
            if z > 0:
                x = block(x)
        return out

    def set_bias(m: SkipNet, k: int, delta):
        m.gates[gated[k]].bias += delta
    return _calibrate_gates(model, _images, pre_activations, set_bias)


def _blockdrop_model() -> BlockDrop:
    model = _init(BlockDrop, 2)
    linear = model.policy[4]

    def pre_activations(m: BlockDrop, inputs: list) -> list:
        z = linear(m.policy[:4](inputs[0])).mean(0)
        return [z[i] for i in range(z.shape[0])]

    def set_bias(m: BlockDrop, k: int, delta):
        linear.bias[k] += delta
    return _calibrate_gates(model, _images, pre_activations, set_bias)


@torch.no_grad()
def _early_exit_model() -> EarlyExitResNet:
    """Exit thresholds at confidence quantiles, so that about a seventh of
    the calibration inputs leave at each exit."""
    model = _init(EarlyExitResNet, 3)
    g = torch.Generator().manual_seed(1234)
    batch = [_images(g)[0] for _ in range(70)]
    remaining = batch
    for k in range(6):
        conf = []
        feats = []
        for x in remaining:
            h = model.stem(x)
            for seg in model.segments[:k + 1]:
                h = seg(h)
            logits = model.exits[k](F.adaptive_avg_pool2d(h, 1).flatten(1))
            conf.append(torch.softmax(logits, 1).max(1)[0].min())
        conf_t = torch.stack(conf)
        share = 1.0 / (7 - k)
        model.thresholds[k] = float(torch.quantile(conf_t, 1 - share))
        remaining = [x for x, c in zip(remaining, conf) if c <= model.thresholds[k]]
    return model


def _decoder_model() -> GreedyDecoder:
    model = _init(GreedyDecoder, 5)
    with torch.no_grad():
        model.out.bias[model.eos] += 0.2  # some sources reach EOS, others run 50 steps
    return model


MODELS: dict[str, ZooEntry] = {
    "skipnet": ZooEntry(_skipnet_model, lambda: [torch.randn(1, 3, 32, 32)],
                        _images, _skipnet_path),
    "blockdrop": ZooEntry(_blockdrop_model, lambda: [torch.randn(1, 3, 32, 32)],
                          _images, _blockdrop_path),
    "early_exit": ZooEntry(_early_exit_model, lambda: [torch.randn(1, 3, 32, 32)],
                           _images, _exit_path),
    "lstm": ZooEntry(lambda: _init(VariableLengthLSTM, 4), lambda: [torch.randn(5, 1, 32)],
                     lambda g: [torch.randn(_pick(g, [1, 3, 8, 20]), _pick(g, [1, 2]), 32, generator=g)],
                     _lstm_path, dynamic_dims={0: [0, 1]}, batch_dim=1),
    "seq2seq": ZooEntry(_decoder_model, lambda: [torch.randint(0, 64, (6,))],
                        lambda g: [torch.randint(2, 64, (_pick(g, [1, 4, 9]),), generator=g)],
                        _decoder_path, batch_dim=None),
    "moe": ZooEntry(lambda: _init(MixtureOfExperts, 6), lambda: [torch.randn(2, 128)],
                    lambda g: [torch.randn(_pick(g, [1, 4]), 128, generator=g) * 2],
                    _moe_path),
    "token_dropping": ZooEntry(_dropping_model, lambda: [torch.randn(1, 6, 32)],
                               lambda g: [torch.randn(1, _pick(g, [1, 2, 5, 16]), 32,
                                                      generator=g)],
                               _dropping_path, dynamic_dims={0: [1]}),
    "transformer": ZooEntry(lambda: _init(EncoderLayer, 7), lambda: [torch.randn(1, 7, 64)],
                            lambda g: [torch.randn(1, _pick(g, [1, 7, 64, 128]), 64, generator=g)],
                            _encoder_path, dynamic_dims={0: [1]}),
}
