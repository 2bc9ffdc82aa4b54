"""dyn.compile on small modules: every op family and both kinds of control
flow, compared with eager PyTorch on inputs that take every path."""

from __future__ import annotations

from typing import List, NamedTuple, Optional, Tuple

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import dyn

torch.manual_seed(0)


def check(module: nn.Module, example: list, inputs: list[list], atol: float = 1e-5, **kw):
    compiled = dyn.compile(module, example, **kw)
    for args in inputs:
        want = module(*args)
        got = compiled(*args)
        if isinstance(want, (tuple, list)):
            assert len(got) == len(want)
            for g, w in zip(got, want):
                assert_close(g, w, atol)
        else:
            assert_close(got, want, atol)
    return compiled


def assert_close(got, want, atol):
    if isinstance(want, torch.Tensor):
        assert got.shape == want.shape, (got.shape, want.shape)
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        if want.numel() == 0:
            return
        scale = max(1.0, want.abs().max().item()) if want.is_floating_point() else 1.0
        assert (got.float() - want.float()).abs().max().item() <= atol * scale
    else:
        assert got == pytest.approx(want)


class Gated(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        h = torch.relu(self.fc(x))
        if h.mean() > 0.3:
            h = h + torch.tanh(self.fc(h))
        else:
            h = h * 0.5
        return self.head(h)


def test_cond_both_branches_dynamic_batch():
    m = Gated().eval()
    c = check(m, [torch.randn(2, 8)],
              [[torch.randn(1, 8)], [torch.randn(5, 8) + 2], [torch.randn(3, 8) - 2]])
    assert "dyn.cond" in c.mlir
    assert "tensor<?x8xf32>" in c.mlir


class EarlyBreak(nn.Module):
    def forward(self, x):
        for _ in range(20):
            if bool(x.abs().sum() > 100.0):
                break
            x = x * 2.0
        return x


def test_loop_with_break_runs_0_1_many():
    m = EarlyBreak()
    c = check(m, [torch.ones(2, 3)],
              [[torch.full((2, 3), 50.0)], [torch.full((1, 3), 20.0)], [torch.full((4, 3), 0.01)],
               [torch.full((2, 3), 1e-9)]])
    assert "dyn.while" in c.mlir


class Router(nn.Module):
    """Top-1 routing: an if/elif chain on an argmax."""

    def __init__(self):
        super().__init__()
        self.gate = nn.Linear(6, 3)
        self.experts = nn.ModuleList([nn.Linear(6, 6) for _ in range(3)])

    def forward(self, x):
        k = int(torch.argmax(self.gate(x).mean(0)))
        if k == 0:
            y = self.experts[0](x)
        elif k == 1:
            y = torch.sigmoid(self.experts[1](x))
        else:
            y = F.gelu(self.experts[2](x))
        return y, k


def test_switch_like_routing_every_expert():
    m = Router().eval()
    inputs = []
    for k in range(3):
        with torch.no_grad():
            w = torch.zeros(3, 6)
            w[k] = 1.0
            m.gate.weight.copy_(w)
        inputs.append([torch.rand(2, 6) + 0.1])
    # One compiled module, inputs steering the argmax through the data.
    with torch.no_grad():
        m.gate.weight.copy_(torch.eye(3, 6))
    c = dyn.compile(m, [torch.rand(2, 6)])
    for k in range(3):
        x = torch.full((3, 6), 0.01)
        x[:, k] = 5.0
        y, got_k = c(x)
        want_y, want_k = m(x)
        assert got_k == want_k == k
        assert_close(y, want_y, 1e-5)


class Ops(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln = nn.LayerNorm(16)
        self.emb = nn.Embedding(10, 16)

    def forward(self, x, idx):
        e = self.emb(idx)                       # [b, 16]
        h = self.ln(x + e)
        s = torch.softmax(h, dim=1) + torch.log_softmax(h, -1).exp()
        t = torch.cat([s, h.transpose(0, 1).transpose(0, 1)], dim=1)  # [b, 32]
        u = t.view(t.size(0), 2, 16).sum(1) / 2.0
        v = torch.flatten(u.unsqueeze(1), 1) - u.max(dim=1, keepdim=True)[0]
        w = torch.sigmoid(v) * torch.exp(-v.abs()) + F.relu(v)
        top, where = torch.topk(w, 3, dim=1)
        return w.mean(dim=1), torch.argmax(w, dim=1), w[:, 1:5], top, where


def test_op_coverage():
    m = Ops().eval()
    check(m, [torch.randn(2, 16), torch.tensor([1, 2])],
          [[torch.randn(1, 16), torch.tensor([3])], [torch.randn(4, 16), torch.tensor([0, 9, 4, 4])]])


class Unsupported(nn.Module):
    def forward(self, x):
        return torch.fft.fft(x).real


def test_unsupported_op_names_op_and_line():
    with pytest.raises(dyn.UnsupportedError, match=r"test_frontend.py:\d+:\d+: aten::fft_fft"):
        dyn.compile(Unsupported(), [torch.randn(2, 4)])


def test_wrong_input_is_an_error_not_a_crash():
    c = dyn.compile(Gated().eval(), [torch.randn(2, 8)])
    with pytest.raises(dyn.DynError, match=r"input 0 has shape \[2,7\], expected \[\?,8\]"):
        c(torch.randn(2, 7))
    with pytest.raises(dyn.DynError, match="element type f64, expected f32"):
        c(torch.randn(2, 8, dtype=torch.float64))


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.max_pool2d(h, 2) + F.avg_pool2d(h, 2)
        if h.mean() > 0.2:
            h = F.relu(self.conv2(h))
        else:
            h = F.avg_pool2d(F.relu(self.dw(h)), 2)
        h = F.adaptive_avg_pool2d(h, 1).flatten(1)
        return self.fc(h)


def test_convolutions_and_pooling():
    m = ConvNet().eval()
    with torch.no_grad():
        m.bn1.running_mean.uniform_(-0.5, 0.5)
        m.bn1.running_var.uniform_(0.5, 2.0)
    check(m, [torch.randn(2, 3, 16, 16)],
          [[torch.randn(1, 3, 16, 16) + 1.0], [torch.randn(3, 3, 16, 16) - 1.0]], atol=1e-4)


class CeilPooling(nn.Module):
    """ceil_mode max pooling whose last window overhangs (squeezenet,
    googlenet), and adaptive average pooling to a size that tiles."""

    def forward(self, x):
        return (F.max_pool2d(x, 3, 2, ceil_mode=True),
                F.max_pool2d(x, 3, 2, padding=1, ceil_mode=True),
                F.adaptive_avg_pool2d(x, 7))


class Grouped(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 12, 3, stride=2, padding=1, groups=4)

    def forward(self, x):
        return self.conv(x)


def test_grouped_convolution():
    check(Grouped().eval(), [torch.randn(2, 8, 9, 9)],
          [[torch.randn(1, 8, 9, 9)], [torch.randn(3, 8, 9, 9)]], atol=1e-5)


def test_ceil_mode_and_adaptive_pooling():
    check(CeilPooling(), [torch.randn(2, 3, 14, 14)],
          [[torch.randn(1, 3, 14, 14)], [torch.randn(3, 3, 14, 14)]], atol=1e-5)


class CommonPooling(nn.Module):
    def forward(self, x):
        return (F.max_pool2d(x, 3, 2, ceil_mode=True), F.max_pool2d(x, 3, 2, 1),
                F.avg_pool2d(x, 2))


def test_common_pooling_keeps_tosa():
    """2-D max / average pooling without dilation stays TOSA's pooling (a
    vectorized window reduction); the generic window pooling gathers one
    element at a time. Every max pool took that path once (a list of
    dilations compared with a tuple), SqueezeNet ran 5x slower."""
    from dyn.compiler import import_module

    mlir = import_module(CommonPooling(), [torch.randn(1, 3, 29, 29)])[0]
    assert mlir.count("tosa.max_pool2d") == 2 and mlir.count("tosa.avg_pool2d") == 1
    assert "linalg.index" not in mlir
    check(CommonPooling(), [torch.randn(1, 3, 29, 29)],
          [[torch.randn(2, 3, 29, 29)]], atol=1e-5)


class PaddedAveragePooling(nn.Module):
    """Average pooling over padding: Inception's 3x3 / stride 1 / pad 1
    counts the padding (count_include_pad, the default) or not."""

    def __init__(self, ceil: bool = True):
        super().__init__()
        self.ceil = ceil

    def forward(self, x):
        out = [F.avg_pool2d(x, 3, 1, 1), F.avg_pool2d(x, 3, 1, 1, count_include_pad=False),
               F.avg_pool2d(x, 3, 2, 1), F.avg_pool2d(x, (3, 2), (2, 1), (1, 0))]
        if self.ceil:
            out.append(F.avg_pool2d(x, 3, 2, 1, ceil_mode=True))
        return out


def test_average_pooling_divisors():
    check(PaddedAveragePooling(), [torch.randn(2, 3, 7, 6)],
          [[torch.randn(1, 3, 7, 6)], [torch.randn(3, 3, 7, 6)]], atol=1e-5)
    # image extents dynamic too (linalg pooling instead of tosa)
    check(PaddedAveragePooling(), [torch.randn(1, 3, 7, 6)],
          [[torch.randn(1, 3, 7, 6)], [torch.randn(2, 3, 9, 8)], [torch.randn(1, 3, 4, 5)]],
          atol=1e-5, dynamic_dims={0: [0, 2, 3]})


class CeilPoolingAnySize(nn.Module):
    """ceil_mode over image extents known at run time only: the last
    window's overhang (max: ignored; average: not counted), and the rule
    that drops a last window starting in the trailing padding."""

    def forward(self, x):
        return (F.max_pool2d(x, 3, 2, ceil_mode=True), F.max_pool2d(x, 3, 2, 1, ceil_mode=True),
                F.max_pool2d(x, 2, 2, ceil_mode=True),
                F.avg_pool2d(x, 2, 2, ceil_mode=True),
                F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
                F.avg_pool2d(x, (3, 2), (2, 3), (1, 1), ceil_mode=True))


def test_ceil_mode_pooling_over_dynamic_extents():
    sizes = [(7, 6), (8, 8), (9, 5), (3, 4), (13, 10)]
    check(CeilPoolingAnySize(), [torch.randn(1, 2, 7, 6)],
          [[torch.randn(b, 2, h, w)] for b, (h, w) in zip([1, 2, 1, 3, 1], sizes)],
          atol=1e-5, dynamic_dims={0: [0, 2, 3]})


class RuntimeSlices(nn.Module):
    """Slices whose bounds are known at run time only: an int read from
    data, bounds on the dynamic batch dim, a loop counter."""

    def forward(self, x):
        k = int(x[0, 0].abs().floor())
        head = x[:k]
        tail = x[1:] * 2.0
        last = x[-2:]
        acc = torch.zeros(1, x.size(1))
        for t in range(x.size(0)):
            acc = acc + x[t:t + 1] * float(t + 1)
        return head, tail, last, acc


def test_slices_with_run_time_bounds():
    # Python's rules: negative bounds count from the end, both are clamped
    # to the extent (x[:k] with k past the end is all of x; x[1:] of one
    # row is empty).
    inputs = []
    for b, k in ((1, 0.5), (1, 3.2), (3, 2.7), (4, 9.0), (5, -1.5)):
        x = torch.randn(b, 4)
        x[0, 0] = k
        inputs.append([x])
    check(RuntimeSlices(), [torch.randn(3, 4)], inputs)


class Resampling(nn.Module):
    """What segmentation and image-to-image models do around their convs:
    reflection / replication padding, upsampling, group norm and instance
    norm, over a dynamic batch (the TorchScript path keeps these ops whole;
    torch.export decomposes the pads)."""

    def __init__(self):
        super().__init__()
        self.gn = nn.GroupNorm(2, 4)
        self.inorm = nn.InstanceNorm2d(4, affine=True)

    def forward(self, x, seq):
        y = F.pad(x, (1, 2, 2, 0), mode="reflect") + 0.5
        y = F.interpolate(y, scale_factor=2.0) + F.interpolate(y, size=(7, 9), mode="bilinear")[
            :, :, :1, :1]
        y = F.interpolate(self.gn(y), scale_factor=0.5, mode="bilinear", align_corners=True)
        z = F.pad(x, (1, 1, 0, 2), mode="replicate")
        s = F.pad(seq, (2, 1), mode="reflect") + F.pad(seq, (0, 3), mode="replicate")
        v = F.pad(x.unsqueeze(2).expand(-1, -1, 3, -1, -1) * 1, (1, 0, 0, 1, 1, 1), mode="reflect")
        pooled = (F.max_pool1d(s, 3, 2, 1) + F.avg_pool1d(s, 3, 2, 1, count_include_pad=False),
                  F.adaptive_avg_pool1d(s, 4), F.max_pool3d(v, 2, 1, dilation=(1, 2, 1)),
                  F.avg_pool3d(v, 2, ceil_mode=True), F.adaptive_avg_pool3d(v, (2, 3, 4)),
                  F.pad(seq, (1, 2), mode="replicate"))
        return (y, self.inorm(z), s, v) + pooled


def test_padding_upsampling_group_norm():
    m = Resampling().eval()
    check(m, [torch.randn(2, 4, 5, 6), torch.randn(2, 3, 7)],
          [[torch.randn(1, 4, 5, 6), torch.randn(1, 3, 7)],
           [torch.randn(3, 4, 5, 6), torch.randn(3, 3, 7)]], atol=1e-5)


class Indexing(nn.Module):
    """Gathers, scatters, scans and sorts as models write them."""

    def forward(self, logits, labels):
        picked = torch.gather(logits, 1, labels.unsqueeze(1))
        rows = logits[torch.arange(logits.size(0)), labels]
        ordered, order = torch.sort(logits, 1, descending=True)
        counts = torch.zeros_like(logits).scatter_add(1, order[:, :2], torch.ones_like(logits)[:, :2])
        return picked.squeeze(1) + rows, ordered.cumsum(1) + counts, order


def test_gather_scatter_sort():
    check(Indexing(), [torch.randn(3, 5), torch.tensor([0, 4, 2])],
          [[torch.randn(1, 5), torch.tensor([3])], [torch.randn(4, 5), torch.tensor([1, 1, 0, 4])]])


class Folding(nn.Module):
    """F.fold (col2im), masked_scatter, and sizes from the data (nonzero,
    boolean-mask indexing, masked_select) on the TorchScript path."""

    def forward(self, cols, x):
        folded = F.fold(cols, (5, 6), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
        filled = x.masked_scatter(x > 0, torch.arange(x.numel() + 0.0).reshape(x.shape))
        return (folded, filled, torch.nonzero(x > 0.5), x[x[:, 0] > 0],
                torch.masked_select(x, x > 0.2))


def test_fold_masked_scatter_nonzero():
    check(Folding(), [torch.randn(2, 12, 12), torch.randn(3, 4)],
          [[torch.randn(1, 12, 12), torch.randn(2, 4)], [torch.randn(3, 12, 12), torch.zeros(1, 4)],
           [torch.randn(2, 12, 12), torch.randn(5, 4)]])


class Conv1d(nn.Module):
    """1-D convolutions (text and audio CNNs): grouped, dilated, strided."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv1d(4, 6, 3, padding=1)
        self.b = nn.Conv1d(6, 6, 5, stride=2, dilation=2, groups=3, padding=2)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)))


def test_conv1d():
    check(Conv1d().eval(), [torch.randn(2, 4, 20)],
          [[torch.randn(1, 4, 20)], [torch.randn(3, 4, 20)]], atol=1e-5)


class InPlace(nn.Module):
    """In-place updates: later uses of the updated tensor see the update."""

    def forward(self, x):
        y = x * 2
        y.add_(1)
        z = torch.relu_(y * 1)
        z.mul_(y)
        return y, z


class InPlaceView(nn.Module):
    def forward(self, x):
        y = x * 2
        y[0].add_(1)  # updates y through the view
        return y


class ViewReadAfterUpdate(nn.Module):
    def forward(self, x):
        y = x * 2
        row = y[0]  # a view: PyTorch's row changes with y
        y.add_(1)
        return row * 1


def test_in_place_updates():
    check(InPlace(), [torch.randn(3, 4)], [[torch.randn(3, 4)], [torch.randn(1, 4)]])
    check(InPlaceView(), [torch.randn(3, 4)], [[torch.randn(3, 4)], [torch.randn(1, 4)]])
    with pytest.raises(dyn.UnsupportedError, match="a view of which is read later"):
        dyn.compile(ViewReadAfterUpdate(), [torch.randn(3, 4)])


class TensorOfNumbers(nn.Module):
    """torch.tensor of constants, of sizes and of a value read from data."""

    def forward(self, x):
        n = x.size(0)
        return (x + torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([[n, 2 * n]]),
                torch.tensor(float(x.sum())) * 2)


def test_torch_tensor_of_numbers():
    check(TensorOfNumbers(), [torch.randn(3, 4)], [[torch.randn(3, 4)], [torch.randn(5, 4)]])


class SliceAssignment(nn.Module):
    """`w[0] = v`, `w[:, 1:3] = ...`, `w[-1, 0] += 1`, updates inside a loop
    over the dynamic batch and under a data-dependent branch, of a tensor
    from outside them: written back into the tensor they view."""

    def forward(self, x):
        w = x.clone()
        w[0] = 5.0
        w[:, 1:3] = x[:, :2] * 2
        w[-1, 0] += 1.0
        for t in range(x.size(0)):
            w[t, 3] = w[t, 2] * 3
        if x.sum() > 0:
            w[1:, 0] = -1.0
        z = torch.zeros(x.size(0), 2)
        z[:, 0] = x[:, 0]
        return w, z


def test_slice_assignment():
    check(SliceAssignment(), [torch.randn(3, 4)],
          [[torch.randn(3, 4)], [torch.randn(5, 4) + 1], [torch.randn(2, 4) - 1],
           [torch.randn(1, 4) + 1]])


class Activations(nn.Module):
    """Every torch.nn activation with an inference meaning, in-place forms
    too (nn modules with inplace=True)."""

    def __init__(self):
        super().__init__()
        self.prelu = nn.PReLU(4)
        self.acts = nn.ModuleList([
            nn.SiLU(inplace=True), nn.Hardswish(inplace=True), nn.Hardsigmoid(), nn.Mish(),
            nn.Softplus(2.0, 5.0), nn.SELU(), nn.CELU(0.7), nn.LogSigmoid(), nn.Softsign(),
            nn.Tanhshrink(), nn.Threshold(0.1, -2.0), nn.Hardshrink(0.3), nn.Softshrink(0.3),
            nn.ReLU6(inplace=True), nn.GELU(approximate="tanh"), nn.GLU(1), nn.Sigmoid(),
            nn.ELU(inplace=True), nn.LeakyReLU(0.2, inplace=True), nn.Hardtanh(-0.5, 0.5)])

    def forward(self, x):
        outs = [self.prelu(x).flatten(1)]
        for act in self.acts:
            outs.append(act(x * 3).flatten(1))
        return torch.cat(outs, 1)


def test_activations():
    torch.manual_seed(0)
    check(Activations().eval(), [torch.randn(2, 4, 5)],
          [[torch.randn(3, 4, 5)], [torch.randn(1, 4, 5)]], atol=1e-5)


class Transposed(nn.Module):
    """Transposed convolutions (decoders, GANs, segmentation heads): strided
    with output padding, dilated and grouped, 1-D."""

    def __init__(self):
        super().__init__()
        self.a = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)
        self.b = nn.ConvTranspose2d(6, 4, (2, 3), stride=(1, 2), dilation=(2, 1), groups=2)
        self.c = nn.ConvTranspose1d(4, 3, 4, stride=2, padding=1, bias=False)

    def forward(self, x, s):
        return self.b(torch.relu(self.a(x))), self.c(s)


def test_transposed_convolutions():
    torch.manual_seed(0)
    check(Transposed().eval(), [torch.randn(2, 4, 5, 6), torch.randn(2, 4, 7)],
          [[torch.randn(1, 4, 5, 6), torch.randn(1, 4, 7)],
           [torch.randn(3, 4, 5, 6), torch.randn(3, 4, 7)]], atol=1e-5)


class AnySize(nn.Module):
    """A conv net for images of any size (batch, height and width dynamic):
    strided, dilated, grouped and depthwise convolutions, max and average
    pooling with padding, a global average."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.b = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=4)
        self.c = nn.Conv2d(8, 8, 3, groups=8, stride=2)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.a(x)), 3, 2, 1)
        x = F.avg_pool2d(self.c(self.b(x)), 2, 1, 1)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def test_images_of_any_size():
    torch.manual_seed(0)
    check(AnySize().eval(), [torch.randn(1, 3, 32, 32)],
          [[torch.randn(1, 3, 32, 32)], [torch.randn(2, 3, 24, 40)], [torch.randn(1, 3, 57, 19)]],
          atol=1e-5, dynamic_dims={0: [0, 2, 3]})


# The functional form: TorchScript cannot read a class's annotations as
# strings (this file postpones annotations).
Heads = NamedTuple("Heads", [("logits", torch.Tensor), ("aux", Optional[torch.Tensor]),
                             ("count", int)])


class StructuredOutputs(nn.Module):
    """A NamedTuple with an Optional field left None (torchvision's
    GoogLeNetOutputs in eval mode), a nested tuple and a list."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x) -> Tuple[Heads, Tuple[torch.Tensor, Tuple[torch.Tensor, int]],
                                  List[torch.Tensor]]:
        y = self.fc(x)
        aux: Optional[torch.Tensor] = None
        if self.training:
            aux = y
        heads = Heads(y, aux, x.size(0))
        return heads, (y.sum(), (y * 2, 7)), [y, x]


def test_structured_outputs_keep_their_nesting():
    model = StructuredOutputs().eval()
    compiled = dyn.compile(model, [torch.randn(2, 4)])
    for batch in (1, 5):
        x = torch.randn(batch, 4)
        heads, (total, (twice, seven)), pair = compiled(x)
        want_heads, (want_total, (want_twice, _)), want_pair = model(x)
        assert isinstance(heads, Heads) and heads.aux is None
        assert heads.count == batch and isinstance(heads.count, int)
        assert_close(heads.logits, want_heads.logits, 1e-5)
        assert_close(total, want_total, 1e-5)
        assert_close(twice, want_twice, 1e-5)
        assert seven == 7 and isinstance(pair, list) and len(pair) == 2
        assert_close(pair[0], want_pair[0], 1e-5)
        assert_close(pair[1], x, 0)


def test_forward_returning_only_none_is_refused():
    class Nothing(nn.Module):
        def forward(self, x) -> Optional[torch.Tensor]:
            return None

    with pytest.raises(dyn.UnsupportedError, match="returns None"):
        dyn.compile(Nothing(), [torch.randn(2)])


class ReturnInNestedIf(nn.Module):
    """An early return under a data-dependent `if` inside another one."""

    def forward(self, x):
        if x.sum() > 0:
            if x.mean() > 1:
                return x
            x = x + 1
        return x - 1


class OneElementPredicate(nn.Module):
    """`if t:` on a tensor whose batch dim is dynamic but 1 at run time, a
    list repeated `[t] * n`, expand_as."""

    def forward(self, x, y):
        parts = [x] * 2
        wide = torch.cat(parts, 1)
        if x.sum(1) > 0:
            wide = wide * 2
        return wide + y.expand_as(wide), float(x.sum(1))


def test_scalar_program_around_tensors():
    check(ReturnInNestedIf(), [torch.randn(1, 4)],
          [[torch.full((1, 4), 2.0)], [torch.full((1, 4), 0.5)], [torch.full((2, 4), -1.0)]])
    model = OneElementPredicate()
    compiled = check(model, [torch.randn(1, 4), torch.randn(1, 8)],
                     [[torch.full((1, 4), 1.0), torch.randn(1, 8)],
                      [torch.full((1, 4), -1.0), torch.randn(1, 8)]])
    # batch 3: PyTorch's own error, at run time
    with pytest.raises(RuntimeError, match="Boolean value of Tensor"):
        model(torch.randn(3, 4), torch.randn(1, 8))
    # (the check of the subnet that reads the one element may come first)
    with pytest.raises(RuntimeError, match="Boolean value of Tensor|dim 0 is 3, but must be 1"):
        compiled(torch.randn(3, 4), torch.randn(1, 8))
