// Package initializers holds the Keras 3 weight initializers behind the names that layer
// options such as layers.KernelInitializer("glorot_uniform") accept.
//
// An [Initializer] fills a float32 or float64 *tensor.Dense in place with Keras's formula for
// that tensor's shape, drawing randomness from a caller-supplied math/rand/v2 generator, so a
// model seeded once is reproducible:
//
//   - constants: [Zeros], [Ones], [Constant], [Identity];
//   - plain distributions: [RandomNormal], [RandomUniform], [TruncatedNormal];
//   - fan-scaled distributions: [VarianceScaling] and its presets [GlorotUniform] (Keras's
//     default kernel initializer), [GlorotNormal], [HeNormal], [HeUniform], [LecunNormal],
//     [LecunUniform];
//   - [Orthogonal] (Keras's default recurrent initializer).
//
// Fans are computed as Keras's compute_fans does (see [Fans]): a 2-D kernel (in, out) has
// fan_in = in and fan_out = out; a kernel of rank 3 or more, such as a Conv1D kernel
// (k, in, out), multiplies both by the receptive field, the product of all but the last two
// dimensions.
//
// [Get] resolves Keras names ("glorot_uniform") and class names ("GlorotUniform").
// [Config], [Serialize], [FromConfig] and [Deserialize] convert to and from the dictionaries
// Keras 3 writes in a saved model's config.json.
//
// The random values follow Keras's distributions, not its random streams: the same seed gives
// the same values here, but not the values Keras would draw.
package initializers
