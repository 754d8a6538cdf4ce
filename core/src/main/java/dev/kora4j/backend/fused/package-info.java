/**
 * The fused kernels an op may ask its backend for with {@link dev.kora4j.backend.Backend#kernel}.
 * Each interface belongs to one op, which says so; a backend offers it or not, and without it the op
 * runs its composition of primitives, whose backward autograd derives (that composition is also the
 * oracle the kernels are tested against). A new fused op adds an interface here and an implementation
 * where it pays; the {@link dev.kora4j.backend.Backend} interface does not change.
 */
package dev.kora4j.backend.fused;
