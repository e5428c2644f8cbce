// Package testenv holds what kerago's tests need from their environment, written once: a
// python3 that imports the modules a conformance test drives, the team's shared directory and
// the data sets in it, and golden JSON files.
//
// A test that needs something the machine lacks skips, unless the environment says it is
// required, when it fails instead; CI sets both variables:
//
//	KERAGO_REQUIRE_PYTHON=1   a missing python3 or Python module fails the test ([Python])
//	KERAGO_REQUIRE_DATA=1     a missing shared directory or data file fails the test ([DataFile])
//	KERAGO_SHARED=dir         the shared directory ([SharedDir]); else the "shared" directory
//	                          holding "data" beside the working directory or an ancestor
//	KERAGO_DEFER_PYTHON=re    the Python-driven tests whose top-level name re matches skip,
//	                          for a later pass to run with -run re ([DeferPythonEnv])
//
// Python runs with KERAS_BACKEND=jax unless the environment names another backend.
package testenv
