package keras

// The BLAS switch: importing blasimpl installs OpenBLAS in Gorgonia when the binary is built
// with -tags openblas (and does nothing otherwise), before any model runs. See
// docs/performance.md.
import _ "github.com/kerago/kerago/keras/internal/blasimpl"
