"""Op handlers, one module per family (see dyn.frontend.registry).

Importing this package registers every handler. A new op is one function
in the module of its family, registered with `@handles("aten::name")`,
plus its test in python/tests/.
"""

from dyn.frontend.ops import (creation, elementwise, image, indexing,  # noqa: F401
                              linalg, normalization, pooling, recurrent, reductions, scalar,
                              shape)
