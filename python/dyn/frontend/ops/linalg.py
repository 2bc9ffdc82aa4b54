"""Linear algebra and convolution: linear layers, matmuls, 2-D
convolutions and pooling (NCHW in PyTorch, NHWC in TOSA)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np
import torch

from dyn.frontend.emitter import float_literal
from dyn.frontend.ops.shape import _transpose_perm
from dyn.frontend.registry import handles, inputs, register
from dyn.frontend.values import ListVal, NoneVal, ScalarVal, TensorVal, tensor_type

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer

@handles("aten::linear")
def _linear(imp: Importer, node):
    x, w, b = inputs(imp, node)
    x = imp.tensor(x)
    # Constant weights are transposed at import, not at run time.
    wt = (imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(w.const.T)))
          if w.const is not None else _transpose_perm(imp, w, [1, 0]))
    x2 = imp.reshape(x, [1, x.shape[0]]) if x.rank == 1 else imp.collapse_lead(x, x.rank - 1)
    y = imp.matmul2d(x2, wt)
    if not isinstance(b, NoneVal):
        y = imp.binary("tosa.add", y, imp.reshape(b, [1, b.shape[0]]))
    if x.rank == 1:
        return imp.reshape(y, [wt.shape[1]])
    return imp.expand_lead(y, x, x.rank - 1)


@handles("aten::matmul", "aten::mm", "aten::bmm")
def _matmul(imp: Importer, node):
    a, b = (imp.tensor(v) for v in inputs(imp, node))
    if a.rank == 2 and b.rank == 2:
        return imp.matmul2d(a, b)
    if a.rank == 3 and b.rank == 3:
        return imp.batch_matmul(a, b)
    if a.rank == 1 and b.rank == 2:
        return imp.reshape(imp.matmul2d(imp.reshape(a, [1, a.shape[0]]), b), [b.shape[1]])
    if a.rank == 2 and b.rank == 1:
        return imp.reshape(imp.matmul2d(a, imp.reshape(b, [b.shape[0], 1])), [a.shape[0]])
    if a.rank >= 3 and b.rank == 2:
        flat = imp.collapse_lead(a, a.rank - 1)
        return imp.expand_lead(imp.matmul2d(flat, b), a, a.rank - 1)
    raise imp.fail(f"matmul of ranks {a.rank} and {b.rank}")


@handles("aten::addmm")
def _addmm(imp: Importer, node):
    c, a, b, beta, alpha = inputs(imp, node)
    y = imp.matmul2d(imp.tensor(a), imp.tensor(b))
    return imp.binary("tosa.add", y, c)


def _pair(imp: Importer, v) -> list[int]:
    values = imp.const_list(v) if isinstance(v, ListVal) else [imp.const_int(v)]
    return values * 2 if len(values) == 1 else values


def _to_nhwc(imp: Importer, t: TensorVal) -> TensorVal:
    return _transpose_perm(imp, t, [0, 2, 3, 1])


def _to_nchw(imp: Importer, t: TensorVal) -> TensorVal:
    return _transpose_perm(imp, t, [0, 3, 1, 2])


def _fit_window(imp: Importer, xh: TensorVal, k: tuple, s: tuple, p: tuple,
                d: tuple = (1, 1)) -> tuple[TensorVal, list[int]]:
    """TOSA wants (extent + pads - window) divisible by the stride, PyTorch
    floors: trims the trailing pad, then trailing rows/cols the window never
    reaches. Returns the (maybe sliced) NHWC input and [top, bottom, left,
    right] pads."""
    pads = []
    sizes = list(xh.shape)
    for axis, (n, kk, ss, pp, dd) in enumerate(zip(xh.shape[1:3], k, s, p, d), start=1):
        if n is None:
            raise imp.fail("windows over dynamic spatial dims")
        rem = (n + 2 * pp - dd * (kk - 1) - 1) % ss
        bottom = pp - min(pp, rem)
        sizes[axis] = n - (rem - (pp - bottom))
        pads += [pp, bottom]
    if sizes != list(xh.shape):
        shape = [None if v is None else sz for v, sz in zip(xh.shape, sizes)]
        xh = imp.extract_slice(xh, [0, 0, 0, 0], shape)
    return xh, pads


def _out_extent(n: Optional[int], k: int, s: int, p0: int, p1: int, d: int = 1,
                ceil: bool = False) -> Optional[int]:
    if n is None:
        return None
    span = n + p0 + p1 - d * (k - 1) - 1
    return (-(-span // s) if ceil else span // s) + 1


@handles("aten::conv1d", "aten::conv2d", "aten::_convolution")
def _conv2d(imp: Importer, node):
    """2-D convolutions (tosa.conv2d / depthwise / linalg's grouped one); a 1-D one
    (NCL) is the 2-D one of an N x C x 1 x L image."""
    from dyn.frontend.ops.shape import _dims_with_unit, _unsqueeze_assoc

    args = inputs(imp, node)
    x, w, b, stride, padding, dilation = args[:6]
    if node.kind() == "aten::_convolution":
        if bool(args[6].const):
            n = imp.tensor(x).rank - 2
            return conv_transpose(imp, imp.tensor(x), imp.constant_array(w), b,
                                  _ints(imp, stride, n), _ints(imp, padding, n),
                                  _ints(imp, args[7], n), _ints(imp, dilation, n),
                                  imp.const_int(args[8]))
        groups = args[8]
    else:
        groups = args[6]
    groups = imp.const_int(groups)
    x = imp.tensor(x)
    if isinstance(padding, ScalarVal):
        raise imp.fail("string padding")
    weight = imp.constant_array(w)  # OIHW (OIL for 1-D)
    if x.rank == 3 and weight.ndim == 3:
        (s,), (p,), (d,) = (_pair(imp, v)[:1] for v in (stride, padding, dilation))
        image = x.shape[:2] + [1] + x.shape[2:]
        x4 = TensorVal(imp.e.op(f"tensor.expand_shape {x.name} {_unsqueeze_assoc(3, 2)} "
                                f"output_shape [{', '.join(_dims_with_unit(imp, x, 2))}] : "
                                f"{x.type} into {tensor_type(image, x.elt)}"), image, x.elt)
        y = _conv2d_nchw(imp, x4, weight[:, :, None, :], b, (1, s), (0, p), (1, d), groups)
        shape = y.shape[:2] + y.shape[3:]
        return TensorVal(imp.e.op(f"tensor.collapse_shape {y.name} {_unsqueeze_assoc(3, 2)} : "
                                  f"{y.type} into {tensor_type(shape, y.elt)}"), shape, y.elt)
    if x.rank != 4:
        raise imp.fail("only 1-D and 2-D convolutions (NCL, NCHW)")
    return _conv2d_nchw(imp, x, weight, b, _pair(imp, stride), _pair(imp, padding),
                        _pair(imp, dilation), groups)


def _conv2d_nchw(imp: Importer, x: TensorVal, weight: np.ndarray, b, stride, padding, dilation,
                 groups: int) -> TensorVal:
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    out_c, in_c_per_group, kh, kw = weight.shape
    bias = (imp.constant_array(b) if not isinstance(b, NoneVal)
            else np.zeros(out_c, np.float32))
    c = x.shape[1]
    if c is None or c != in_c_per_group * groups or out_c % groups:
        raise imp.fail(f"conv2d: {c} input channels, weight {list(weight.shape)}, "
                       f"groups={groups}")
    if x.shape[2] is None or x.shape[3] is None:
        return _conv2d_dynamic(imp, x, weight, bias, stride, padding, dilation, groups)
    if groups != 1 and not (groups == c and in_c_per_group == 1):
        return _grouped_conv2d(imp, x, weight, bias, stride, padding, dilation, groups)
    xh, pads = _fit_window(imp, _to_nhwc(imp, x), (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    n, h, wd, c = xh.shape
    oh = _out_extent(h, kh, sh, pads[0], pads[1], dh)
    ow = _out_extent(wd, kw, sw, pads[2], pads[3], dw)
    zp = imp.e.tosa_const("dense<0.0>", "tensor<1xf32>")
    attrs = (f"{{acc_type = f32, dilation = array<i64: {dh}, {dw}>, "
             f"pad = array<i64: {', '.join(map(str, pads))}>, stride = array<i64: {sh}, {sw}>}}")
    bias_t = imp.constant_tensor(torch.from_numpy(bias.astype(np.float32)))
    if groups == 1:
        wt = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(weight.transpose(0, 2, 3, 1))))
        shape = [n, oh, ow, out_c]
        op = "tosa.conv2d"
    else:
        # Depthwise: OIHW with I = 1 -> HWCM with M = out / in.
        mult = out_c // c
        hwcm = weight.reshape(c, mult, kh, kw).transpose(2, 3, 0, 1)
        wt = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(hwcm)))
        shape = [n, oh, ow, c * mult]
        op = "tosa.depthwise_conv2d"
    out = tensor_type(shape, "f32")
    name = imp.e.op(f"{op} {xh.name}, {wt.name}, {bias_t.name}, {zp}, {zp} {attrs} : "
                    f"({xh.type}, {wt.type}, {bias_t.type}, tensor<1xf32>, tensor<1xf32>) -> {out}")
    return _to_nchw(imp, TensorVal(name, shape, "f32"))


def _grouped_conv2d(imp: Importer, x: TensorVal, weight: np.ndarray, bias: np.ndarray,
                    stride, padding, dilation, groups: int) -> TensorVal:
    """A grouped convolution over static spatial extents (ResNeXt, RegNet):
    one linalg.conv_2d_nhwgc_gfhwc on the padded NHWC input viewed as
    N x H x W x groups x C/groups (TOSA's conv2d has no groups; one per
    group made ResNeXt-50 take minutes to compile). The CPU codegen loops
    over the groups with one vectorized body."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    out_c, per_in, kh, kw = weight.shape
    per_out = out_c // groups
    xh = _to_nhwc(imp, x)
    if ph or pw:
        n, h, wd, c = xh.shape
        pad_value = imp.e.tosa_const("dense<0.0>", tensor_type([1], xh.elt))
        padding_shape = imp.e.shape_const([0, 0, ph, ph, pw, pw, 0, 0])
        padded = [n, h + 2 * ph, wd + 2 * pw, c]
        xh = TensorVal(imp.e.op(
            f"tosa.pad {xh.name}, {padding_shape}, {pad_value} : ({xh.type}, !tosa.shape<8>, "
            f"{tensor_type([1], xh.elt)}) -> {tensor_type(padded, xh.elt)}"), padded, xh.elt)
    n, h, wd, _ = xh.shape
    oh, ow = _out_extent(h, kh, sh, 0, 0, dh), _out_extent(wd, kw, sw, 0, 0, dw)
    if oh < 1 or ow < 1:
        raise imp.fail(f"conv2d: the padded input ({h}x{wd}) is smaller than the kernel")
    batch = [imp.dim_value(xh, 0)] if n is None else [str(n)]
    grouped = [n, h, wd, groups, per_in]
    xg = TensorVal(imp.e.op(
        f"tensor.expand_shape {xh.name} [[0], [1], [2], [3, 4]] output_shape "
        f"[{', '.join(batch + [str(h), str(wd), str(groups), str(per_in)])}] : "
        f"{xh.type} into {tensor_type(grouped, xh.elt)}"), grouped, xh.elt)
    gfhwc = weight.reshape(groups, per_out, per_in, kh, kw).transpose(0, 1, 3, 4, 2)
    w = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(gfhwc.astype(np.float32))))
    out_shape = [n, oh, ow, groups, per_out]
    out = tensor_type(out_shape, "f32")
    init = imp.filled(out_shape, "f32", [], sizes=batch[:1] if n is None else [])
    attrs = (f"{{dilations = dense<[{dh}, {dw}]> : tensor<2xi64>, "
             f"strides = dense<[{sh}, {sw}]> : tensor<2xi64>}}")
    yg = imp.e.op(f"linalg.conv_2d_nhwgc_gfhwc {attrs} ins({xg.name}, {w.name} : {xg.type}, "
                  f"{w.type}) outs({init} : {out}) -> {out}")
    shape = [n, oh, ow, out_c]
    y = TensorVal(imp.e.op(f"tensor.collapse_shape {yg} [[0], [1], [2], [3, 4]] : {out} into "
                           f"{tensor_type(shape, 'f32')}"), shape, "f32")
    b = imp.constant_tensor(torch.from_numpy(bias.astype(np.float32).reshape(1, 1, 1, out_c)))
    return _to_nchw(imp, imp.binary("tosa.add", y, b))


def _window_steps(imp: Importer, padded: str, k: int, s: int, d: int, what: str,
                  ceil: bool = False) -> str:
    """(padded - d (k - 1) - 1) / s, rounded down (up: `ceil`), at run time:
    the strides after the first window, after a check that the window fits
    (PyTorch raises where it does not)."""
    from dyn.frontend.torchscript import _mlir_string

    span = d * (k - 1) + 1
    fits = imp.e.op(f"arith.cmpi sge, {padded}, {imp.index(span)} : index")
    imp.e.emit(f"cf.assert {fits}, " + _mlir_string(
        f"RuntimeError: {what}: the padded input is smaller than the kernel ({span})"))
    rest = imp.e.op(f"arith.subi {padded}, {imp.index(span)} : index")
    return imp.e.op(f"arith.{'ceildivui' if ceil else 'divui'} {rest}, {imp.index(s)} : index")


def _window_extent(imp: Importer, padded: str, k: int, s: int, d: int, what: str) -> str:
    """The output extent of a floor-mode window at run time."""
    steps = _window_steps(imp, padded, k, s, d, what)
    return imp.e.op(f"arith.addi {steps}, {imp.index(1)} : index")


def _conv2d_dynamic(imp: Importer, x: TensorVal, weight: np.ndarray, bias: np.ndarray,
                    stride, padding, dilation, groups: int) -> TensorVal:
    """A 2-D convolution over dynamic spatial extents (an image of any
    size): linalg's NCHW convolution (grouped: its NGCHW form) on the padded
    input, the output extents computed at run time (TOSA wants the window
    to divide the padded extent, which only static extents can show)."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    out_c, per_in, kh, kw = weight.shape
    xp = _pad_nchw(imp, x, [ph, pw], [ph, pw], 0.0)
    oh = _window_extent(imp, imp.dim_value(xp, 2), kh, sh, dh, "conv2d")
    ow = _window_extent(imp, imp.dim_value(xp, 3), kw, sw, dw, "conv2d")
    attrs = (f"{{dilations = dense<[{dh}, {dw}]> : tensor<2xi64>, "
             f"strides = dense<[{sh}, {sw}]> : tensor<2xi64>}}")
    n = x.shape[0]
    batch = [imp.dim_value(x, 0)] if n is None else []
    if groups == 1:
        shape = [n, out_c, None, None]
        init = imp.filled(shape, "f32", [], sizes=batch + [oh, ow])
        w = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(weight.astype(np.float32))))
        y = TensorVal(imp.e.op(
            f"linalg.conv_2d_nchw_fchw {attrs} ins({xp.name}, {w.name} : {xp.type}, {w.type}) "
            f"outs({init} : {tensor_type(shape, 'f32')}) -> {tensor_type(shape, 'f32')}"),
            shape, "f32")
    else:
        per_out = out_c // groups
        grouped_shape = [n, groups, per_in, None, None]
        dims = batch + [str(groups), str(per_in), imp.dim_value(xp, 2), imp.dim_value(xp, 3)]
        dims = dims if n is None else [str(n)] + dims
        xg = TensorVal(imp.e.op(
            f"tensor.expand_shape {xp.name} [[0], [1, 2], [3], [4]] output_shape "
            f"[{', '.join(dims)}] : {xp.type} into {tensor_type(grouped_shape, xp.elt)}"),
            grouped_shape, xp.elt)
        wg = weight.reshape(groups, per_out, per_in, kh, kw).astype(np.float32)
        w = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(wg)))
        out_shape = [n, groups, per_out, None, None]
        init = imp.filled(out_shape, "f32", [], sizes=batch + [oh, ow])
        yg = imp.e.op(
            f"linalg.conv_2d_ngchw_gfchw {attrs} ins({xg.name}, {w.name} : {xg.type}, {w.type}) "
            f"outs({init} : {tensor_type(out_shape, 'f32')}) -> {tensor_type(out_shape, 'f32')}")
        shape = [n, out_c, None, None]
        y = TensorVal(imp.e.op(f"tensor.collapse_shape {yg} [[0], [1, 2], [3], [4]] : "
                               f"{tensor_type(out_shape, 'f32')} into {tensor_type(shape, 'f32')}"),
                      shape, "f32")
    b = imp.constant_tensor(torch.from_numpy(bias.astype(np.float32).reshape(1, out_c, 1, 1)))
    return imp.binary("tosa.add", y, b)


def _pooled_extent(imp: Importer, n: str, k: int, s: int, p: int, d: int, ceil: bool,
                   what: str) -> tuple[str, Optional[str]]:
    """A pooling window's output extent over an input extent `n` known at
    run time, after a check that the window fits (PyTorch raises where it
    does not), and, in ceil mode, how far the last window reaches past the
    padded input (None in floor mode). Ceil mode rounds the window count up
    but drops a last window that would start in the trailing padding."""
    padded = imp.e.op(f"arith.addi {n}, {imp.index(2 * p)} : index")
    if not ceil:
        return _window_extent(imp, padded, k, s, d, what), None
    span = d * (k - 1) + 1
    steps = _window_steps(imp, padded, k, s, d, what, ceil=True)
    start = imp.e.op(f"arith.muli {steps}, {imp.index(s)} : index")
    inside = imp.e.op(f"arith.addi {n}, {imp.index(p)} : index")
    drop = imp.e.op(f"arith.cmpi uge, {start}, {inside} : index")
    last = imp.e.op(f"arith.select {drop}, {imp.index(-1)}, {imp.index(0)} : index")
    steps = imp.e.op(f"arith.addi {steps}, {last} : index")
    out = imp.e.op(f"arith.addi {steps}, {imp.index(1)} : index")
    reach = imp.e.op(f"arith.muli {steps}, {imp.index(s)} : index")
    reach = imp.e.op(f"arith.addi {reach}, {imp.index(span)} : index")
    past = imp.e.op(f"arith.subi {reach}, {padded} : index")
    return out, imp.e.op(f"arith.maxsi {past}, {imp.index(0)} : index")


def _pad_nchw(imp: Importer, x: TensorVal, low: Sequence[int], high: Sequence, value: float
              ) -> TensorVal:
    """tensor.pad of the spatial dims of an NCHW tensor by `low` (ints) and
    `high` (ints or index SSA names, known at run time) with `value`."""
    if not any(low) and all(h == 0 for h in high):
        return x
    shape = x.shape[:2] + [None if n is None or not isinstance(h, int) else n + lo + h
                           for n, lo, h in zip(x.shape[2:], low, high)]
    out = tensor_type(shape, x.elt)
    fill = imp.e.constant(float_literal(value), x.elt)
    name = imp.e.fresh()
    args = [imp.e.fresh("i") for _ in range(4)]
    imp.e.emit(f"{name} = tensor.pad {x.name} low[0, 0, {', '.join(map(str, low))}] "
               f"high[0, 0, {', '.join(map(str, high))}] {{")
    imp.e.emit("^bb0(" + ", ".join(f"{a}: index" for a in args) + "):")
    imp.e.emit(f"  tensor.yield {fill} : {x.elt}")
    imp.e.emit(f"}} : {x.type} to {out}")
    return TensorVal(name, shape, x.elt)


def _pool_dynamic(imp: Importer, x: TensorVal, kind: str, kernel, stride, padding,
                  dilation, count_include_pad: bool = True, ceil: bool = False) -> TensorVal:
    """2-D pooling over dynamic spatial extents: linalg's NCHW pooling on the
    padded input (the lowest value pads max pooling), the output extents
    computed at run time; ceil mode pads the last window's overhang too. An
    average divides by the window's size where every window covers it whole
    (floor mode, counting the padding: PyTorch's default), else by the
    same pooling of a mask of ones over what PyTorch counts (the padded
    input, or the input alone), zeros past it."""
    what = f"{kind}_pool2d"
    extents = [_pooled_extent(imp, imp.dim_value(x, 2 + a), k, s, p, d, ceil, what)
               for a, (k, s, p, d) in enumerate(zip(kernel, stride, padding, dilation))]
    outs = [out for out, _ in extents]
    over = [0 if past is None else past for _, past in extents]
    lowest = float("-inf") if kind == "max" else 0.0
    y = _pool_windows(imp, x, "max" if kind == "max" else "sum", kernel, stride, dilation,
                      padding, [p + o if isinstance(o, int) else
                                imp.e.op(f"arith.addi {o}, {imp.index(p)} : index")
                                for p, o in zip(padding, over)], outs, lowest)
    if kind == "max":
        return y
    (kh, kw) = kernel
    if count_include_pad and not ceil:
        return imp.binary("tosa.mul", y, ScalarVal("f64", None, 1.0 / (kh * kw)))
    grow = [2 * p if count_include_pad else 0 for p in padding]
    shape = [1, 1] + [None if n is None else n + g for n, g in zip(x.shape[2:], grow)]
    sizes = [imp.e.op(f"arith.addi {imp.dim_value(x, 2 + a)}, {imp.index(g)} : index")
             for a, g in enumerate(grow) if x.shape[2 + a] is None]
    ones = TensorVal(imp.filled(shape, x.elt, [], 1.0, sizes=sizes), shape, x.elt)
    low = [0 if count_include_pad else p for p in padding]
    high = [o if count_include_pad else p + o if isinstance(o, int) else
            imp.e.op(f"arith.addi {o}, {imp.index(p)} : index") for p, o in zip(padding, over)]
    counts = _pool_windows(imp, ones, "sum", kernel, stride, dilation, low, high, outs, 0.0)
    return imp.binary("tosa.mul", y, imp.unary("tosa.reciprocal", counts))


def _pool_windows(imp: Importer, x: TensorVal, op: str, kernel, stride, dilation, low, high,
                  outs: Sequence[str], value: float) -> TensorVal:
    """linalg.pooling_nchw_{max,sum} of `x` padded by low / high with
    `value`, to the output extents `outs` (index SSA names)."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    xp = _pad_nchw(imp, x, low, high, value)
    shape = [x.shape[0], x.shape[1], None, None]
    sizes = [imp.dim_value(x, k) for k in range(2) if x.shape[k] is None] + list(outs)
    init = imp.filled(shape, x.elt, [], value, sizes=sizes)
    window = imp.e.op(f"tensor.empty() : tensor<{kh}x{kw}xf32>")
    attrs = (f"{{dilations = dense<[{dh}, {dw}]> : tensor<2xi64>, "
             f"strides = dense<[{sh}, {sw}]> : tensor<2xi64>}}")
    out = tensor_type(shape, x.elt)
    return TensorVal(imp.e.op(f"linalg.pooling_nchw_{op} {attrs} ins({xp.name}, {window} : "
                              f"{xp.type}, tensor<{kh}x{kw}xf32>) outs({init} : {out}) -> {out}"),
                     shape, x.elt)


def _pool(imp: Importer, node, kind: str):
    args = inputs(imp, node)
    x = imp.tensor(args[0])
    kh, kw = _pair(imp, args[1])
    stride = args[2]
    sh, sw = (kh, kw) if isinstance(stride, ListVal) and not stride.items else _pair(imp, stride)
    ph, pw = _pair(imp, args[3])
    from dyn.frontend.ops.pooling import window_pool

    # What TOSA's pooling cannot say goes to the generic window pooling.
    kernel, strides, pads = (kh, kw), (sh, sw), (ph, pw)
    if x.shape[2] is None or x.shape[3] is None:
        dilation = _pair(imp, args[4]) if kind == "max" else (1, 1)
        ceil = bool(args[5].const if kind == "max" else args[4].const)
        if kind == "avg" and len(args) > 6 and not isinstance(args[6], NoneVal):
            raise imp.fail("avg pooling over dynamic spatial dims with a divisor override")
        include = kind == "max" or bool(args[5].const)
        return _pool_dynamic(imp, x, kind, kernel, strides, pads, dilation, include, ceil)
    if kind == "max":
        dilation = _pair(imp, args[4])
        ceil = bool(args[5].const)
        if tuple(dilation) != (1, 1):
            return window_pool(imp, x, "max", kernel, strides, pads, dilation, ceil)
    else:
        ceil = bool(args[4].const)
        include = bool(args[5].const)
        divisor = args[6] if len(args) > 6 and not isinstance(args[6], NoneVal) else None
        if divisor is not None or (not include and (ph or pw)):
            return window_pool(imp, x, "avg", kernel, strides, pads, (1, 1), ceil, include,
                               None if divisor is None else imp.const_int(divisor))
    if ceil:
        extra = [_ceil_overhang(imp, n, kk, ss, pp) for n, kk, ss, pp in
                 zip(x.shape[2:4], kernel, strides, pads)]
        if any(extra):
            if kind != "max":  # PyTorch's divisor then leaves the overhang out
                return window_pool(imp, x, "avg", kernel, strides, pads, (1, 1), ceil,
                                   bool(args[5].const))
            return _emit_pool(imp, x, kind, kernel, strides, pads, extra)
    y = _emit_pool(imp, x, kind, kernel, strides, pads)
    if kind == "avg" and bool(args[5].const) and (ph or pw):
        # tosa.avg_pool2d divides by the window's elements inside the input;
        # PyTorch's count_include_pad (the default) counts the padding too.
        from dyn.frontend.ops.pooling import window_counts
        geometry = (x.shape[2:4], kernel, strides, pads, y.shape[2:4])
        ratio = window_counts(*geometry, False) / window_counts(*geometry, True)
        y = imp.binary("tosa.mul", y, imp.constant_tensor(
            torch.from_numpy(ratio.astype(np.float32).reshape([1, 1, *y.shape[2:4]]))))
    return y


def _ceil_overhang(imp: Importer, n: Optional[int], k: int, s: int, p: int) -> int:
    """How far ceil_mode's last window reaches past the bottom (right) pad:
    PyTorch rounds the window count up, but drops a last window that would
    start in the trailing padding."""
    if n is None:
        raise imp.fail("windows over dynamic spatial dims")
    out = -(-(n + 2 * p - k) // s) + 1
    if (out - 1) * s >= n + p:
        out -= 1
    return max(0, (out - 1) * s + k - (n + 2 * p))


def _emit_pool(imp: Importer, x: TensorVal, kind: str, kernel, stride, padding,
               overhang=None) -> TensorVal:
    """tosa.max_pool2d / avg_pool2d of an NCHW tensor (through NHWC);
    `overhang`: extra bottom / right padding of ceil_mode (max pooling pads
    with the lowest value, so the overhang never wins)."""
    (kh, kw), (sh, sw) = kernel, stride
    if overhang:
        xh = _to_nhwc(imp, x)
        pads = [padding[0], padding[0] + overhang[0], padding[1], padding[1] + overhang[1]]
        for n, kk, ss, top, bottom in zip(xh.shape[1:3], kernel, stride, pads[0::2], pads[1::2]):
            if (n + top + bottom - kk) % ss:  # this axis would need trimming as well
                raise imp.fail("ceil_mode pooling that overhangs along one axis only")
    else:
        xh, pads = _fit_window(imp, _to_nhwc(imp, x), kernel, stride, padding)
    n, h, w, c = xh.shape
    shape = [n, _out_extent(h, kh, sh, pads[0], pads[1]), _out_extent(w, kw, sw, pads[2], pads[3]), c]
    out = tensor_type(shape, xh.elt)
    attrs = (f"kernel = array<i64: {kh}, {kw}>, pad = array<i64: {', '.join(map(str, pads))}>, "
             f"stride = array<i64: {sh}, {sw}>")
    if kind == "max":
        name = imp.e.op(f"tosa.max_pool2d {xh.name} {{{attrs}}} : ({xh.type}) -> {out}")
    else:
        zp = imp.e.tosa_const("dense<0.0>", "tensor<1xf32>")
        name = imp.e.op(f"tosa.avg_pool2d {xh.name}, {zp}, {zp} {{acc_type = f32, {attrs}}} : "
                        f"({xh.type}, tensor<1xf32>, tensor<1xf32>) -> {out}")
    return _to_nchw(imp, TensorVal(name, shape, xh.elt))


register("aten::max_pool2d", lambda imp, node: _pool(imp, node, "max"))
register("aten::avg_pool2d", lambda imp, node: _pool(imp, node, "avg"))


@handles("aten::adaptive_avg_pool2d")
def _adaptive_avg_pool2d(imp: Importer, node):
    """To 1x1 (a mean), or to a size that divides the input's (a pooling
    whose windows tile it; the identity for the input's own size)."""
    x, size = inputs(imp, node)
    x = imp.tensor(x)
    oh, ow = _pair(imp, size)
    h, w = x.shape[2], x.shape[3]
    if (h is None or w is None) and (oh, ow) == (1, 1):  # a mean of any size
        from dyn.frontend.ops.normalization import _count

        total = imp.reduce("tosa.reduce_sum", x, [2, 3], True)
        return imp.binary("tosa.mul", total, imp.unary("tosa.reciprocal",
                                                       _count(imp, x, [2, 3], total)))
    if h is None or w is None:
        raise imp.fail("adaptive_avg_pool2d over dynamic spatial dims to other than 1x1")
    if (oh, ow) == (h, w):
        return x
    if (oh, ow) != (1, 1):
        if h % oh or w % ow:  # windows that overlap or differ in size
            from dyn.frontend.ops.pooling import adaptive_avg_pool
            return adaptive_avg_pool(imp, x, [oh, ow])
        window = (h // oh, w // ow)
        return _emit_pool(imp, x, "avg", window, window, (0, 0))
    total = imp.reduce("tosa.reduce_sum", x, [2, 3], True)
    return imp.binary("tosa.mul", total, ScalarVal("f64", None, 1.0 / (h * w)))


def _ints(imp: Importer, v, n: int) -> list[int]:
    values = imp.const_list(v) if isinstance(v, ListVal) else [imp.const_int(v)]
    return values * n if len(values) == 1 else values


def conv_transpose(imp: Importer, x: TensorVal, weight: np.ndarray, b, stride, padding,
                   output_padding, dilation, groups: int) -> TensorVal:
    """A transposed convolution over x's spatial dims (N, C, ...): out[n, o,
    y] sums x[n, c, i] w[c, o', k] over the input positions i and kernel
    offsets k with i * stride - padding + k * dilation = y, as a reduction
    over (c in o's group, k) that reads the input where (y + padding - k *
    dilation) is a multiple of the stride inside it. One linalg.generic
    (TOSA's transpose_conv2d has no dilation, groups or 1-D / 3-D forms)."""
    dims = x.rank - 2
    spatial = x.shape[2:]
    if None in spatial:
        raise imp.fail("transposed convolutions over dynamic spatial dims")
    c_in, per_group = weight.shape[0], weight.shape[1]
    out_c = per_group * groups
    kernel = list(weight.shape[2:])
    outs = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
            zip(spatial, stride, padding, dilation, kernel, output_padding)]
    shape = [x.shape[0], out_c] + outs
    w = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(weight.astype(np.float32))))
    per_in = c_in // groups
    sizes = [imp.dim_value(x, 0)] if x.shape[0] is None else []
    init = imp.filled(shape, x.elt, [], sizes=sizes)
    true = imp.e.constant("1", "i1")
    rank = len(shape)

    def body(args, acc):
        n, o = imp.loop(0), imp.loop(1)
        c_local = imp.loop(rank)
        group = imp.e.op(f"arith.divui {o}, {imp.index(per_group)} : index")
        o_local = imp.e.op(f"arith.remui {o}, {imp.index(per_group)} : index")
        c = imp.e.op(f"arith.addi {imp.e.op(f'arith.muli {group}, {imp.index(per_in)} : index')}, "
                     f"{c_local} : index")
        inside, coords, taps = true, [], []
        for i in range(dims):
            y, k = imp.loop(2 + i), imp.loop(rank + 1 + i)
            shifted = imp.e.op(f"arith.addi {y}, {imp.index(padding[i])} : index")
            base = imp.e.op(f"arith.subi {shifted}, "
                            f"{imp.e.op(f'arith.muli {k}, {imp.index(dilation[i])} : index')} : index")
            rem = imp.e.op(f"arith.remsi {base}, {imp.index(stride[i])} : index")
            whole = imp.e.op(f"arith.cmpi eq, {rem}, {imp.index(0)} : index")
            pos = imp.e.op(f"arith.divsi {base}, {imp.index(stride[i])} : index")
            ok = imp.e.op(f"arith.andi {whole}, {imp.in_bounds(pos, imp.index(spatial[i]))} : i1")
            inside = imp.e.op(f"arith.andi {inside}, {ok} : i1")
            coords.append(imp.clamp_index(pos, imp.index(spatial[i])))
            taps.append(k)
        v = imp.extract(x, [n, c] + coords)
        weight_v = imp.extract(w, [c, o_local] + taps)
        total = imp.e.op(f"arith.addf {acc}, {imp.e.op(f'arith.mulf {v}, {weight_v} : f32')} : f32")
        return imp.e.op(f"arith.select {inside}, {total}, {acc} : f32")
    if x.elt != "f32":
        raise imp.fail(f"transposed convolution of {x.elt}")
    y = imp.generic([], shape, "f32", body, init=init, reductions=[per_in] + kernel)
    if isinstance(b, NoneVal):
        return y
    bias = imp.constant_array(b).astype(np.float32).reshape([1, out_c] + [1] * dims)
    return imp.binary("tosa.add", y, imp.constant_tensor(torch.from_numpy(bias)))


@handles("aten::conv_transpose1d", "aten::conv_transpose2d", "aten::conv_transpose3d")
def _conv_transpose_ts(imp: Importer, node):
    """conv_transposeNd(x, w, b, stride, padding, output_padding, groups,
    dilation): TorchScript's spelling."""
    x, w, b, stride, padding, output_padding, groups, dilation = inputs(imp, node)[:8]
    x = imp.tensor(x)
    n = x.rank - 2
    return conv_transpose(imp, x, imp.constant_array(w), b, _ints(imp, stride, n),
                          _ints(imp, padding, n), _ints(imp, output_padding, n),
                          _ints(imp, dilation, n), imp.const_int(groups))
