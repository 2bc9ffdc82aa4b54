// RUN: dyn-opt %s --dyn-build-dispatcher --split-input-file --verify-diagnostics -o /dev/null

// Without outlining first, compute in a dyn region is an error.
func.func @not_outlined(%p: i1, %x: tensor<?xf32>) -> tensor<?xf32> {
  %r = dyn.cond %p : i1 -> tensor<?xf32> {
    // expected-error @+1 {{'math.exp' op is compute left in a dispatcher region of 'not_outlined'; run dyn-outline-regions first}}
    %e = math.exp %x : tensor<?xf32>
    dyn.yield %e : tensor<?xf32>
  } else {
    dyn.yield %x : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}
