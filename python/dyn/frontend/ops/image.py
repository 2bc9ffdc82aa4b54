"""Resampling and padding of images: nearest and bilinear upsampling,
reflection and replication padding, grid sampling.

Each is one linalg.generic over the result that reads its input with
`tensor.extract` at coordinates computed as PyTorch's CPU kernels compute
them (UpSample.h, GridSampler.h: the same float32 arithmetic, so that the
picked pixels and weights are PyTorch's); tosa.resize cannot express
PyTorch's scale rules (`align_corners`, scale factors that do not divide).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from dyn.frontend.emitter import float_literal
from dyn.frontend.registry import handles, inputs, register
from dyn.frontend.values import ListVal, NoneVal, ScalarVal, TensorVal

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer


def _f32(imp: Importer, value: float) -> str:
    return imp.e.constant(float_literal(value), "f32")


def _index_to_f32(imp: Importer, i: str) -> str:
    return imp.e.op(f"arith.sitofp {imp.e.op(f'arith.index_cast {i} : index to i64')} : i64 to f32")


def _f32_to_index(imp: Importer, v: str) -> str:
    """A non-negative float truncated to an index (C's cast, as PyTorch)."""
    return imp.e.op(f"arith.index_cast {imp.e.op(f'arith.fptosi {v} : f32 to i64')} : i64 to index")


class _Axis:
    """One resampled dim: its output extent (int, or index SSA name) and
    the float32 scale from output to input coordinates."""

    def __init__(self, imp: Importer, x: TensorVal, d: int, size: Optional[int],
                 factor: Optional[float], align_corners: bool):
        n = x.shape[d]
        if size is None and factor is None:
            raise imp.fail("upsampling without an output size or a scale factor")
        if size is None:
            if n is not None:
                size = int(n * factor)  # PyTorch: floor(in * scale) in double
            else:
                in_i = imp.e.op(f"arith.index_cast {imp.dim_value(x, d)} : index to i64")
                in_f = imp.e.op(f"arith.sitofp {in_i} : i64 to f64")
                out_f = imp.e.op(f"arith.mulf {in_f}, {imp.e.constant(float_literal(factor), 'f64')} : f64")
                out_i = imp.e.op(f"arith.fptosi {imp.e.op(f'math.floor {out_f} : f64')} : f64 to i64")
                size = imp.e.op(f"arith.index_cast {out_i} : i64 to index")
        self.size = size
        self.extent = imp.dim_value(x, d)
        in_f = _index_to_f32(imp, self.extent) if n is None else _f32(imp, float(n))
        out_f = _index_to_f32(imp, size) if isinstance(size, str) else _f32(imp, float(size))
        one = _f32(imp, 1.0)
        if align_corners:
            # (in - 1) / (out - 1), 0 for one output pixel.
            num = imp.e.op(f"arith.subf {in_f}, {one} : f32")
            den = imp.e.op(f"arith.subf {out_f}, {one} : f32")
            ratio = imp.e.op(f"arith.divf {num}, {den} : f32")
            single = imp.e.op(f"arith.cmpf ole, {out_f}, {one} : f32")
            self.scale = imp.e.op(f"arith.select {single}, {_f32(imp, 0.0)}, {ratio} : f32")
        elif factor is not None and factor > 0:
            self.scale = _f32(imp, float(1.0 / factor))
        else:
            self.scale = imp.e.op(f"arith.divf {in_f}, {out_f} : f32")
        self.static_in = n
        self.static_out = size if isinstance(size, int) else None


def _resample_args(imp: Importer, x: TensorVal, size, factors, align: bool) -> list[_Axis]:
    if x.rank != 4:
        raise imp.fail(f"2-d upsampling of a rank-{x.rank} tensor")
    sizes = [None, None] if isinstance(size, NoneVal) else imp.const_list(size)
    scales = [None, None] if isinstance(factors, NoneVal) else \
        [float(v.const) for v in factors.items]
    return [_Axis(imp, x, 2 + i, sizes[i], scales[i], align) for i in range(2)]


def _resampled(imp: Importer, x: TensorVal, axes: list[_Axis], body) -> TensorVal:
    shape = [x.shape[0], x.shape[1]] + [a.static_out for a in axes]
    sizes = [imp.dim_value(x, k) for k in range(2) if x.shape[k] is None]
    sizes += [a.size for a in axes if a.static_out is None]
    return imp.generic([], shape, x.elt, body, sizes=sizes)


@handles("aten::upsample_nearest2d")
def _upsample_nearest(imp: Importer, node):
    """upsample_nearest2d(x, output_size, scale_factors): source pixel
    min(floor(dst * scale), in - 1)."""
    x, size, factors = inputs(imp, node)[:3]
    x = imp.tensor(x)
    axes = _resample_args(imp, x, size, factors, False)

    def source(a: _Axis, dst: str) -> str:
        if a.static_in is not None and a.static_in == a.static_out:
            return dst
        real = imp.e.op(f"arith.mulf {_index_to_f32(imp, dst)}, {a.scale} : f32")
        i = _f32_to_index(imp, imp.e.op(f"math.floor {real} : f32"))
        last = imp.e.op(f"arith.subi {a.extent}, {imp.index(1)} : index")
        return imp.e.op(f"arith.minsi {i}, {last} : index")

    def body(args, acc):
        n, c, h, w = (imp.loop(k) for k in range(4))
        return imp.extract(x, [n, c, source(axes[0], h), source(axes[1], w)])
    return _resampled(imp, x, axes, body)


@handles("aten::upsample_bilinear2d")
def _upsample_bilinear(imp: Importer, node):
    """upsample_bilinear2d(x, output_size, align_corners, scale_factors):
    PyTorch's source index and weights (area_pixel_compute_source_index)."""
    x, size, align, factors = inputs(imp, node)[:4]
    x = imp.tensor(x)
    if not x.elt.startswith(("f", "bf")):
        raise imp.fail("bilinear upsampling of an integer tensor")
    aligned = bool(align.const)
    axes = _resample_args(imp, x, size, factors, aligned)
    elt = x.elt

    def source(a: _Axis, dst: str):
        """(first index, second index, weight of the second) along one axis."""
        d = _index_to_f32(imp, dst)
        if aligned:
            real = imp.e.op(f"arith.mulf {a.scale}, {d} : f32")
        else:
            half = _f32(imp, 0.5)
            shifted = imp.e.op(f"arith.addf {d}, {half} : f32")
            real = imp.e.op(f"arith.subf {imp.e.op(f'arith.mulf {a.scale}, {shifted} : f32')}, "
                            f"{half} : f32")
            real = imp.e.op(f"arith.maximumf {real}, {_f32(imp, 0.0)} : f32")
        i0 = _f32_to_index(imp, real)
        last = imp.e.op(f"arith.subi {a.extent}, {imp.index(1)} : index")
        has_next = imp.e.op(f"arith.cmpi slt, {i0}, {last} : index")
        following = imp.e.op(f"arith.addi {i0}, {imp.index(1)} : index")
        i1 = imp.e.op(f"arith.select {has_next}, {following}, {i0} : index")
        frac = imp.e.op(f"arith.subf {real}, {_index_to_f32(imp, i0)} : f32")
        frac = imp.e.op(f"arith.maximumf {frac}, {_f32(imp, 0.0)} : f32")
        frac = imp.e.op(f"arith.minimumf {frac}, {_f32(imp, 1.0)} : f32")
        return i0, i1, frac

    def body(args, acc):
        n, c, h, w = (imp.loop(k) for k in range(4))
        h0, h1, fh = source(axes[0], h)
        w0, w1, fw = source(axes[1], w)
        one = _f32(imp, 1.0)
        gh = imp.e.op(f"arith.subf {one}, {fh} : f32")
        gw = imp.e.op(f"arith.subf {one}, {fw} : f32")

        def px(hh, ww):
            return imp.convert_scalar(imp.extract(x, [n, c, hh, ww]), elt, "f32")

        def lerp(a, wa, b, wb):
            return imp.e.op(f"arith.addf {imp.e.op(f'arith.mulf {wa}, {a} : f32')}, "
                            f"{imp.e.op(f'arith.mulf {wb}, {b} : f32')} : f32")
        top = lerp(px(h0, w0), gw, px(h0, w1), fw)
        bottom = lerp(px(h1, w0), gw, px(h1, w1), fw)
        return imp.convert_scalar(lerp(top, gh, bottom, fh), "f32", elt)
    return _resampled(imp, x, axes, body)


# -- padding -------------------------------------------------------------------------
def _padded(imp: Importer, x: TensorVal, pads: list[int], mode: str) -> TensorVal:
    """Reflection or replication padding; `pads` lists (before, after) from
    the last dim backwards, as F.pad."""
    dims = len(pads) // 2
    if len(pads) % 2 or x.rank < dims:
        raise imp.fail(f"{mode} padding {pads} of a rank-{x.rank} tensor")
    per_dim = {x.rank - 1 - i: (pads[2 * i], pads[2 * i + 1]) for i in range(dims)}
    for k, (a, b) in per_dim.items():
        n = x.shape[k]
        if a < 0 or b < 0 or n is not None and (mode == "reflect" and (a >= n or b >= n) or
                                                mode == "replicate" and n == 0):
            raise imp.fail(f"{mode} padding ({a}, {b}) of a dim of size {n}")
    shape, sizes = [], []
    for k, s in enumerate(x.shape):
        a, b = per_dim.get(k, (0, 0))
        shape.append(None if s is None else s + a + b)
        if s is None:
            sizes.append(imp.e.op(f"arith.addi {imp.dim_value(x, k)}, {imp.index(a + b)} : index"))

    def source(k: int) -> str:
        i = imp.loop(k)
        if k not in per_dim:
            return i
        j = imp.e.op(f"arith.subi {i}, {imp.index(per_dim[k][0])} : index")
        n = imp.dim_value(x, k)
        if mode == "replicate":
            return imp.clamp_index(j, n)
        # |j| reflects at the start, last - |last - j| at the end.
        last = imp.e.op(f"arith.subi {n}, {imp.index(1)} : index")
        neg = imp.e.op(f"arith.subi {imp.index(0)}, {j} : index")
        j = imp.e.op(f"arith.maxsi {j}, {neg} : index")
        back = imp.e.op(f"arith.subi {last}, {j} : index")
        flipped = imp.e.op(f"arith.subi {imp.index(0)}, {back} : index")
        back = imp.e.op(f"arith.maxsi {back}, {flipped} : index")
        return imp.e.op(f"arith.subi {last}, {back} : index")
    return imp.generic([], shape, x.elt,
                       lambda args, acc: imp.extract(x, [source(k) for k in range(x.rank)]),
                       sizes=sizes)


def _pad(mode: str, dims: int):
    def handler(imp: Importer, node):
        x, padding = inputs(imp, node)[:2]
        pads = imp.const_list(padding)
        if len(pads) != 2 * dims:
            raise imp.fail(f"{node.kind()} with padding {pads}")
        return _padded(imp, imp.tensor(x), pads, mode)
    return handler


@handles("aten::pad")
def _pad_any(imp: Importer, node):
    """pad(x, pad, mode, value): F.pad as TorchScript keeps it."""
    from dyn.frontend.ops.shape import _constant_padded

    x, padding, mode, value = inputs(imp, node)[:4]
    x, pads, mode = imp.tensor(x), imp.const_list(padding), mode.const
    if mode == "constant":
        return _constant_padded(imp, x, pads, value)
    if mode not in ("reflect", "replicate"):
        raise imp.fail(f"{mode} padding")
    return _padded(imp, x, pads, mode)


for _n in (1, 2, 3):
    register(f"aten::reflection_pad{_n}d", _pad("reflect", _n))
for _n in (1, 2, 3):
    register(f"aten::replication_pad{_n}d", _pad("replicate", _n))


# -- grid sampling -------------------------------------------------------------------
@handles("aten::grid_sampler_2d")
def _grid_sampler(imp: Importer, node):
    """grid_sampler_2d(x, grid, mode, padding_mode, align_corners): bilinear
    or nearest sampling, zeros or border padding (PyTorch's
    grid_sampler_compute_source_index)."""
    x, grid, mode, padding, align = inputs(imp, node)[:5]
    x, grid = imp.tensor(x), imp.tensor(grid)
    mode, padding, aligned = imp.const_int(mode), imp.const_int(padding), bool(align.const)
    if mode not in (0, 1) or padding not in (0, 1):
        raise imp.fail("grid_sample other than bilinear / nearest with zeros / border padding")
    if x.rank != 4 or grid.rank != 4 or not x.elt.startswith(("f", "bf")):
        raise imp.fail("grid_sample of other than a float NCHW image")
    elt = x.elt
    shape = [x.shape[0], x.shape[1], grid.shape[1], grid.shape[2]]
    like = [(x, 0), (x, 1), (grid, 1), (grid, 2)]
    zero_f, one, half = _f32(imp, 0.0), _f32(imp, 1.0), _f32(imp, 0.5)

    def unnormalize(coord: str, k: int) -> str:
        size = _index_to_f32(imp, imp.dim_value(x, k))
        plus = imp.e.op(f"arith.addf {coord}, {one} : f32")
        if aligned:  # (c + 1) / 2 * (size - 1)
            span = imp.e.op(f"arith.subf {size}, {one} : f32")
            real = imp.e.op(f"arith.mulf {imp.e.op(f'arith.mulf {plus}, {half} : f32')}, "
                            f"{span} : f32")
        else:  # ((c + 1) * size - 1) / 2
            scaled = imp.e.op(f"arith.mulf {plus}, {size} : f32")
            real = imp.e.op(f"arith.mulf {imp.e.op(f'arith.subf {scaled}, {one} : f32')}, "
                            f"{half} : f32")
        if padding == 1:  # border: clip to [0, size - 1]
            top = imp.e.op(f"arith.subf {size}, {one} : f32")
            low = imp.e.op(f"arith.maximumf {real}, {zero_f} : f32")
            real = imp.e.op(f"arith.minimumf {low}, {top} : f32")
        return real

    def body(args, acc):
        n, c, h, w = (imp.loop(k) for k in range(4))
        gx = imp.convert_scalar(imp.extract(grid, [n, h, w, imp.index(0)]), grid.elt, "f32")
        gy = imp.convert_scalar(imp.extract(grid, [n, h, w, imp.index(1)]), grid.elt, "f32")
        ix, iy = unnormalize(gx, 3), unnormalize(gy, 2)

        def tap(yf: str, xf: str) -> str:
            """x[n, c, y, x] for float coordinates that are whole numbers; 0 outside."""
            inside = None
            coords = []
            for v, k in ((yf, 2), (xf, 3)):
                size = _index_to_f32(imp, imp.dim_value(x, k))
                ge = imp.e.op(f"arith.cmpf oge, {v}, {zero_f} : f32")
                lt = imp.e.op(f"arith.cmpf olt, {v}, {size} : f32")
                ok = imp.e.op(f"arith.andi {ge}, {lt} : i1")
                inside = ok if inside is None else imp.e.op(f"arith.andi {inside}, {ok} : i1")
                i = _f32_to_index(imp, v)
                coords.append(imp.clamp_index(i, imp.dim_value(x, k)))
            value = imp.convert_scalar(imp.extract(x, [n, c] + coords), elt, "f32")
            return imp.e.op(f"arith.select {inside}, {value}, {zero_f} : f32")
        if mode == 1:  # nearest: round half to even
            return imp.convert_scalar(tap(imp.e.op(f"math.roundeven {iy} : f32"),
                                          imp.e.op(f"math.roundeven {ix} : f32")), "f32", elt)
        x0, y0 = imp.e.op(f"math.floor {ix} : f32"), imp.e.op(f"math.floor {iy} : f32")
        x1, y1 = imp.e.op(f"arith.addf {x0}, {one} : f32"), imp.e.op(f"arith.addf {y0}, {one} : f32")
        fx, fy = imp.e.op(f"arith.subf {ix}, {x0} : f32"), imp.e.op(f"arith.subf {iy}, {y0} : f32")
        gx_, gy_ = imp.e.op(f"arith.subf {one}, {fx} : f32"), imp.e.op(f"arith.subf {one}, {fy} : f32")
        total = zero_f
        for yy, wy in ((y0, gy_), (y1, fy)):
            for xx, wx in ((x0, gx_), (x1, fx)):
                weight = imp.e.op(f"arith.mulf {wy}, {wx} : f32")
                term = imp.e.op(f"arith.mulf {weight}, {tap(yy, xx)} : f32")
                total = imp.e.op(f"arith.addf {total}, {term} : f32")
        return imp.convert_scalar(total, "f32", elt)
    return imp.generic([], shape, elt, body, sizes=imp.sizes_of(shape, like))
