// Package exec is kerago's execution machine: it runs a realised program's Gorgonia graph
// (the graph after symbolic differentiation, the one Gorgonia's TapeMachine would run) with
// every intermediate value allocated once and reused from step to step.
//
// Gorgonia's TapeMachine drops every value at Reset, which a run needs, and allocates them
// all again on the next run; it also interprets the graph through a goroutine and a channel
// per run. A program's shapes are fixed (keras caches one program per input shape), so the
// values can be kept: [Machine] orders the nodes once, gives each op that can write into
// memory it is handed (gorgonia.UsePreallocDoer, and safe to hand memory that is not zero)
// a value of its own, and runs the ops in order on the caller's goroutine.
//
// keras uses it for every program unless KERAGO_MACHINE=tape; graphs it refuses
// ([ErrUnsupported]) run on the TapeMachine. See docs/performance.md, "The execution
// machine".
package exec
