"""A zoo of dynamic networks (random, seeded weights), each a plain
nn.Module with data-dependent control flow in its forward.

Every entry of MODELS builds (model, example inputs, input sampler, path
function): the sampler draws random inputs, the path function names the
path eager PyTorch takes for an input, so tests can check that every path
ran and compiled results match eager on each.
"""

from dyn.zoo.models import MODELS, ZooEntry

__all__ = ["MODELS", "ZooEntry"]
