"""Times JAX (XLA on CPU) on the depthwise convolution of BenchmarkDepthwiseConv
(depthwise_bench_test.go), for comparison: python3 depthwise_bench_jax.py"""
import os, time
os.environ["KERAS_BACKEND"]="jax"
import jax, jax.numpy as jnp, numpy as np
x = jnp.asarray(np.sin(np.arange(8*112*112*32)).reshape(8,112,112,32).astype("float32"))
k = jnp.asarray(np.cos(np.arange(9*32)).reshape(3,3,1,32).astype("float32"))
def f(x,k):
    return jax.lax.conv_general_dilated(x,k,(1,1),"SAME",dimension_numbers=("NHWC","HWIO","NHWC"),feature_group_count=32)
fwd = jax.jit(f)
def loss(x,k): return jnp.sum(f(x,k)**2)
both = jax.jit(jax.grad(loss, argnums=(0,1)))
fwd(x,k).block_until_ready(); jax.block_until_ready(both(x,k))
t=time.time(); [fwd(x,k).block_until_ready() for _ in range(5)]; a=(time.time()-t)/5
t=time.time(); [jax.block_until_ready(both(x,k)) for _ in range(5)]; b=(time.time()-t)/5
print(f"jax forward {a*1000:.0f} ms, forward+both gradients {b*1000:.0f} ms")
